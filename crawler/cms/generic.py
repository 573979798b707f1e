"""Generic discovery: works on any portal, used when no CMS adapter recognises a page.

Every adapter module has the same three functions, each taking a Scrapy response:

    recognise(page) -> bool            is this page from my CMS family?
    report_links(page) -> [Link]       links to annual reports on this list page
    next_pages(page) -> [Link]         further list pages (pagination, list APIs)

This module also holds what the adapters share: telling a report title from a column name or a
trap, reading anchors, and the pager shapes that are not tied to one vendor.
"""

import json
import math
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.http import HtmlResponse, TextResponse

from . import Link

# A report title names the annual report of the disclosure regulation, with a year.
REPORT_WORDS = re.compile(r"年度报告|年报|工作报告")
DISCLOSURE_WORDS = re.compile(r"政府信息公开|信息公开|政务公开")
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

PAGER_WORDS = {"下一页", "下页", "后页", "尾页", "末页", "最后一页", ">", ">>", "»", "›", "下一頁"}
PAGER_HREF = re.compile(
    r"index_\d+\.\w+$|_\d+\.s?html?$|[?&](?:page|pageNo|pageIndex|curPage|p|pn)=\d+|/\d+\.s?html?$"
)
# TRS pagers are inline JavaScript; their links are not in the HTML a crawler receives.
CREATE_PAGE = re.compile(r"createPageHTML\(\s*([^)]*)\)")
COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*(\d+)")
CURRENT_PAGE = re.compile(r"var\s+currentPage\s*=\s*(\d+)")
TRS_PAGE_NAME = re.compile(r'document\.write\("<a href=\\"(\w+)"\+"_"')
MAX_GENERATED_PAGES = 200
SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")


def recognise(page) -> bool:
    return True


def report_links(page) -> list:
    lenient = in_report_column(page)
    return [link for link in anchors(page) if is_report_title(link.title, lenient=lenient)]


TRUNCATED = re.compile(r"(?:…|\.{3}|。。。)$")


def next_pages(page) -> list:
    return pager_links(page) + script_pages(page) + script_apis(page)


def clean(text) -> str:
    return re.sub(r"\s+", "", text or "")


def is_report_title(title: str, lenient=False) -> bool:
    """A title naming an agency's annual disclosure report. On a page that is itself a 年报
    column, "2023年度报告" is enough; elsewhere the title must also say 信息公开/政务公开."""
    title = clean(title)
    if lenient and TRUNCATED.search(title) and DISCLOSURE_WORDS.search(title) and YEAR.search(title):
        title = title + "年度报告"  # "…2023年政府信息公开工作年…" cut short in a 年报 list
    if not title or len(title) > 120 or not REPORT_WORDS.search(title) or not YEAR.search(title):
        return False
    if TRAP.search(title):
        return False
    return lenient or bool(DISCLOSURE_WORDS.search(title))


def is_column_title(title: str, inside_column=False) -> bool:
    """A link to a column worth opening: 年报 columns (no year: a year names a report),
    aggregated 年报 pages (they list agencies' reports), and year sub-columns inside a column."""
    title = clean(title)
    if not title or len(title) > 30:
        return False
    if COLUMN.search(title) and (not YEAR.search(title) or AGGREGATE.search(title)):
        return True
    return inside_column and bool(YEAR_COLUMN.match(title))


def is_entry_title(title: str) -> bool:
    title = clean(title)
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
    return bool(COLUMN.search(text))


def is_html(page) -> bool:
    return hasattr(page, "css") and not is_json(page)


META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)


def redecode(page):
    """The page decoded by its <meta charset> (else GB18030) when the encoding Scrapy chose from
    the headers leaves it full of replacement characters: GBK pages served as UTF-8."""
    if not hasattr(page, "text") or page.text.count("\ufffd") < 5:
        return page
    declared = META_CHARSET.search(page.body[:4096])
    for encoding in (declared.group(1).decode("ascii") if declared else None, "gb18030"):
        try:
            page.body.decode(encoding)
        except (LookupError, UnicodeDecodeError, TypeError):
            continue
        return page.replace(encoding=encoding)
    return page


HTML_HEAD = re.compile(rb"<!doctype html|<html|<head|<body|<meta|<div|<table|<a\s", re.I)


def is_html_page(page) -> bool:
    """An HTML document (not XML, JSON or a file) by its content type or its first bytes (a
    server may call a .shtml or .jsp page application/octet-stream)."""
    ctype = page.headers.get("Content-Type", b"").decode("latin-1").lower()
    if "html" in ctype:
        return True
    head = page.body[:2048]
    return not head.lstrip().startswith((b"<?xml", b"<datastore", b"%PDF")) and bool(HTML_HEAD.search(head))


def as_text(page):
    """A response Scrapy did not take for text (no, or a wrong, content type) as text."""
    if hasattr(page, "text"):
        return page
    cls = HtmlResponse if is_html_page(page) else TextResponse
    return cls(page.url, status=page.status, headers=page.headers, body=page.body, request=page.request)


JSONP = re.compile(rb"^\s*[\w$.]+\(\s*([\[{].*[\]}])\s*\)\s*;?\s*$", re.S)


def is_json(page) -> bool:
    """A JSON (or JSONP: callback({...})) answer of a list API."""
    ctype = page.headers.get("Content-Type", b"").decode("latin-1").lower()
    head = page.body[:200].lstrip()
    return "json" in ctype or head[:1] in (b"{", b"[") or bool(JSONP.match(page.body))


def json_data(page):
    wrapped = JSONP.match(page.body)
    return json.loads(wrapped.group(1) if wrapped else page.body)


def anchors(page, html=None) -> list:
    """Every followable <a> as a Link whose title is the longer of its text and title=."""
    if html is not None:
        from parsel import Selector

        nodes = Selector(text=html).css("a[href]")
    elif is_html(page):
        nodes = page.css("a[href]")
    else:
        return []
    links = []
    for a in nodes:
        href = (a.attrib.get("href") or "").strip()
        if not href or href.lower().startswith(SKIP_SCHEMES):
            continue
        text = clean(" ".join(a.css("::text").getall()))
        attr = clean(a.attrib.get("title"))
        title = attr if len(attr) > len(text.rstrip("…").rstrip(".")) else text
        links.append(Link(page.urljoin(href), title))
    return links


def scripts_name_reports(page) -> bool:
    """Inline scripts that carry report titles: rows a browser would draw."""
    scripts = " ".join(page.xpath("//script[not(@src) and not(@type='text/xml')]/text()").getall())
    return any(
        is_report_title(t) for t in re.findall(r"[^\s\"'<>,\[\]]{6,80}", scripts) if REPORT_WORDS.search(t)
    )


def pager_links(page) -> list:
    """Anchors of a pager: 下一页/尾页 words, or page numbers whose href looks like a page."""
    out = []
    for link in anchors(page):
        word = link.title
        if word in PAGER_WORDS or (
            word.isdigit() and PAGER_HREF.search(urlsplit(link.url).path + "?" + urlsplit(link.url).query)
        ):
            out.append(link)
    return out


def script_pages(page) -> list:
    """Pages named only by a TRS-style inline pager script.

    createPageHTML(total, current, prefix, suffix)                -> prefix_1.suffix … prefix_{total-1}
    createPageHTML('div', total, current, prefix, suffix, records) -> prefix_2.suffix … prefix_total
    var countPage = N … "index"+"_"+nextPage+"."+"html"            -> index_1.html … index_{N-1}.html
    """
    if not is_html(page):
        return []
    text = page.text
    names = []
    for match in CREATE_PAGE.finditer(text):
        args = [a.strip().strip("'\"") for a in match.group(1).split(",")]
        if len(args) >= 6 and not args[0].isdigit():
            total, prefix, suffix = _int(args[1]), args[3], args[4]
            names += [f"{prefix}_{k}.{suffix}" for k in range(2, min(total, MAX_GENERATED_PAGES) + 1)]
        elif len(args) >= 4 and args[0].isdigit():
            total, prefix, suffix = _int(args[0]), args[2], args[3]
            names += [f"{prefix}_{k}.{suffix}" for k in range(1, min(total, MAX_GENERATED_PAGES))]
    count = COUNT_PAGE.search(text)
    if count:
        prefix = TRS_PAGE_NAME.search(text)
        prefix = prefix.group(1) if prefix else "index"
        suffix = _script_suffix(text, page.url)
        names += [f"{prefix}_{k}.{suffix}" for k in range(1, min(int(count.group(1)), MAX_GENERATED_PAGES))]
    return [Link(page.urljoin(name), "page") for name in dict.fromkeys(names)]


# A list API named in a page's scripts or data attributes: '/api/…', '/interface/…', '….json'.
QUOTED_PATH = re.compile(r"""["'](/[^"'\s<>]+)["']""")
API_PATH = re.compile(r"/api/|/interface/|\.json\b")


def script_apis(page) -> list:
    """List APIs the page's scripts call (JPaaS and other JavaScript lists), read without a browser."""
    if not is_html(page):
        return []
    paths = [p for p in dict.fromkeys(QUOTED_PATH.findall(page.text)) if API_PATH.search(p)]
    return [Link(page.urljoin(p), "api") for p in paths if not p.endswith((".js", ".css"))]


def _script_suffix(text, url) -> str:
    match = re.search(r'"\."\+"(\w+)\\?"', text) or re.search(r'\+\s*"\.(s?html?)', text)
    if match:
        return match.group(1)
    ext = urlsplit(url).path.rsplit(".", 1)
    return ext[1] if len(ext) == 2 and "/" not in ext[1] else "html"


def _int(text) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def with_query(url, **params) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({k: str(v) for k, v in params.items()})
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


def query_value(url, *names):
    query = dict(parse_qsl(urlsplit(url).query))
    for name in names:
        if name in query:
            return query[name]
    return None


# JSON list APIs (gkmlpt, JPaaS, chinatax-like): records are objects with a title and a URL.
TITLE_KEYS = ("title", "titleHtml", "docTitle", "name", "vc_title", "showTitle")
URL_KEYS = ("post_url", "url", "redirectUrl", "link", "href", "docUrl", "pageUrl", "vc_url", "art_url")
PAGE_PARAMS = ("page", "pageNo", "pageIndex", "currentPage", "curPage", "pn")
TOTAL_PAGE_KEYS = ("totalPage", "totalpage", "pageCount", "pages", "total_page", "totalPages")
TOTAL_KEYS = ("total", "totalCount", "totalRecord", "totalrecord", "count", "recordCount")
SIZE_KEYS = ("pageSize", "page_size", "perPage", "size", "rows", "limit")


def json_records(data):
    """Every dict in a JSON document that has a title key and a URL key."""
    if isinstance(data, dict):
        title = next((data[k] for k in TITLE_KEYS if isinstance(data.get(k), str)), None)
        url = next((data[k] for k in URL_KEYS if isinstance(data.get(k), str) and data[k]), None)
        if title and url:
            yield re.sub(r"<[^>]+>", "", title), url
        for value in data.values():
            yield from json_records(value)
    elif isinstance(data, list):
        for value in data:
            yield from json_records(value)


def json_report_links(page) -> list:
    data = json_data(page)
    return [
        Link(page.urljoin(url), clean(title))
        for title, url in json_records(data)
        if is_report_title(title, lenient=in_report_column(page))
    ]


def json_next_pages(page) -> list:
    """Further pages of a JSON list: from a page count, or a total and the page size."""
    data = json_data(page)
    param = next((p for p in PAGE_PARAMS if query_value(page.url, p) is not None), None)
    if param is None:
        return []
    current = _int(query_value(page.url, param))
    total_pages = _find_number(data, TOTAL_PAGE_KEYS)
    if not total_pages:
        total = _find_number(data, TOTAL_KEYS)
        size = _find_number(data, SIZE_KEYS) or _int(query_value(page.url, *SIZE_KEYS) or "0")
        if not size:
            size = len(list(json_records(data)))
        total_pages = math.ceil(total / size) if total and size else 0
    last = min(total_pages, current + MAX_GENERATED_PAGES)
    return [Link(with_query(page.url, **{param: k}), "page") for k in range(current + 1, last + 1)]


def _find_number(data, keys):
    if isinstance(data, dict):
        for key in keys:
            value = data.get(key)
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                return int(value)
        for value in data.values():
            if isinstance(value, dict):
                found = _find_number(value, keys)
                if found:
                    return found
    return 0


# Attachments of a report page: the file types reports are published in.
ATTACHMENT = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|et|ofd|jpe?g|png|gif|bmp|tiff?)$", re.I)
QUOTED_FILE = re.compile(r"""["']((?:https?:)?/[^"'\s<>]+?\.(?:pdf|docx?|wps|xlsx?|et|ofd))["']""", re.I)


DOWNLOAD = re.compile(r"downfile|download|/attach(?:ment)?s?/|/upload(?:file)?s?/|/files?/", re.I)


def is_attachment(url, title="") -> bool:
    """A file by its URL (path or a query value such as filename=), by its link text ("….pdf"
    on a download.jsp?id= link), or a download gateway with a link text saying 附件."""
    parts = urlsplit(url)
    values = [parts.path, title, *(v for _, v in parse_qsl(parts.query))]
    if any(ATTACHMENT.search(v) for v in values if v):
        return True
    return bool(DOWNLOAD.search(parts.path + "?" + parts.query) and "附件" in title)


def attachment_links(page) -> list:
    """Files linked from a report page: anchors to pdf/doc/docx/wps/xls/xlsx/ofd/images, and file
    URLs written into scripts (gkmlpt keeps its attachments in window._CONFIG.DETAIL)."""
    if not is_html(page):
        return []
    links = [link for link in anchors(page) if is_attachment(link.url, link.title)]
    text = page.text.replace("\\/", "/")
    links += [Link(page.urljoin(url)) for url in QUOTED_FILE.findall(text)]
    return list({link.url: link for link in reversed(links)}.values())[::-1]
