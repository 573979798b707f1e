"""Telling titles apart: an agency's annual report, a 年报 column worth opening, the way from a
portal home to it, and the traps (summaries, notices, interpretations) that say 年报 but are not
one agency's report. The report-title words themselves are the parser's (govreports.parser.labels),
matched on simplified text, so a traditional-character title is a report title too."""

import re

from govreports.parser.labels import DISCLOSURE, REPORT_TITLE, simplified

from .responses import is_html

YEAR = re.compile(r"(?:19|20)\d\d|[二〇○零一二三四五六七八九]{4}年")
# Not an agency's own report even though the title says 年报: aggregated pages, city-wide
# summaries, notices about reports, interpretations, statistics.
TRAP = re.compile(
    r"汇总|汇编|综述|一览|目录|索引|统计|通报|通知|公告|解读|图解|一图|报送|考核|评估|"
    r"各区|各县|各部门|各单位|年报专栏|专题|"
    r"(?:^|年度?)全(?:市|省|区|县|州|盟)"  # "2023年全市政府信息公开工作年度报告": a city-wide summary
)
AGGREGATE = re.compile(r"汇总|汇编|一览|目录|索引|专栏|专题")
# Column and entry names worth opening from a disclosure home (bounded depth).
COLUMN = re.compile(r"年报|年度报告|年度工作报告")
# The way from a portal home to its 年报 column: 政府信息公开, 政务公开, 信息公开目录 …, but not the
# guide, the rules, the application form or the news of the disclosure section.
ENTRY = re.compile(r"信息公开|政务公开|公开目录|法定主动公开")
NOT_ENTRY = re.compile(r"指南|制度|规定|申请|查询|电话|邮箱|意见|动态|要点|解读|标准|规范|考核|培训|会议")
YEAR_COLUMN = re.compile(r"^\s*(?:19|20)\d\d\s*年?度?\s*$")
TRUNCATED = re.compile(r"(?:…|\.{3}|。。。)$")


def clean(text) -> str:
    return re.sub(r"\s+", "", text or "")


def is_report_title(title: str, lenient=False) -> bool:
    """A title naming an agency's annual disclosure report. On a page that is itself a 年报
    column, "2023年度报告" is enough; elsewhere the title must also say 信息公开/政务公开."""
    title = simplified(clean(title))
    if lenient and TRUNCATED.search(title) and DISCLOSURE.search(title) and YEAR.search(title):
        title = title + "年度报告"  # "…2023年政府信息公开工作年…" cut short in a 年报 list
    if not title or len(title) > 120 or not REPORT_TITLE.search(title) or not YEAR.search(title):
        return False
    if TRAP.search(title):
        return False
    return lenient or bool(DISCLOSURE.search(title))


def is_column_title(title: str, inside_column=False) -> bool:
    """A link to a column worth opening: 年报 columns (no year: a year names a report),
    aggregated 年报 pages (they list agencies' reports), and year sub-columns inside a column."""
    title = simplified(clean(title))
    if not title or len(title) > 30:
        return False
    if COLUMN.search(title) and (not YEAR.search(title) or AGGREGATE.search(title)):
        return True
    return inside_column and bool(YEAR_COLUMN.match(title))


def is_entry_title(title: str) -> bool:
    title = simplified(clean(title))
    return len(title) <= 12 and bool(ENTRY.search(title)) and not NOT_ENTRY.search(title)


def page_title(page) -> str:
    if not is_html(page):
        return ""
    for query in ('meta[name="ArticleTitle"]::attr(content)', "title::text", "h1::text"):
        text = page.css(query).get()
        if text and text.strip():
            return text.strip()
    return ""


def in_report_column(page) -> bool:
    """The page is a 年报 column: its title, breadcrumb or current-column marker says so."""
    if page.meta.get("report_column"):
        return True
    if not is_html(page):
        return False
    text = " ".join(
        page.css("title::text, .CurrChnlCls::text, [class*=crumb] ::text, [class*=position] ::text").getall()
    )
    return bool(COLUMN.search(simplified(text)))


def scripts_name_reports(page) -> bool:
    """Inline scripts that carry report titles: rows a browser would draw."""
    scripts = " ".join(page.xpath("//script[not(@src) and not(@type='text/xml')]/text()").getall())
    return any(
        is_report_title(t)
        for t in re.findall(r"[^\s\"'<>,\[\]]{6,80}", scripts)
        if REPORT_TITLE.search(simplified(t))
    )
