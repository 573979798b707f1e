"""Reading report pages: bytes in any of the encodings Chinese portals use, tables as grids with
merged cells expanded, body text with the tables kept as tab-separated rows, and the page's own
title, date and attachment links.

The fixtures in fixtures/html/ are real CMS page markup (TRS, Hanweb, UCAP, a table-laid-out
portal) around real reports whose numbers are the shared seeds' truth (see fixtures/html/build.py).
"""

import json
import pathlib
import random

import pytest
from opencc import OpenCC
from truth import SHARED, flatten

from govreports.parser import ParseError, parse
from govreports.parser.document import Document
from govreports.parser.encoding import decode
from govreports.parser.html import clean_cell, read_html
from govreports.parser.limits import MAX_CELLS, MAX_SPAN
from govreports.parser.record import build_record

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "html"
URL = "http://www.yueqing.gov.cn/art/2022/1/17/art_1229_3861.html"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def truth_cells(seed: str) -> dict:
    path = next((SHARED / "seeds").glob(f"{seed}_*.truth.json"))
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def page(body: str, head: str = "") -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


# Encodings


REPORT = "卫东区卫生健康委员会2021年政府信息公开工作年度报告\n一、总体情况\n本年度报告所列数据从2021年1月1日至12月31日止。"


def test_gbk_bytes_without_any_declaration_are_sniffed():
    assert decode(REPORT.encode("gbk")) == REPORT


def test_a_gb2312_label_reads_gbk_characters_outside_gb2312():
    # 镕 and 堃 are in GBK but not in GB2312: sites labelled gb2312 use them all the time.
    text = "朱镕基 王堃 " + REPORT
    assert decode(text.encode("gbk"), "text/html; charset=gb2312") == text


def test_big5_bytes_in_traditional_characters_are_sniffed():
    traditional = OpenCC("s2tw").convert(REPORT)
    assert traditional != REPORT
    assert decode(traditional.encode("big5")) == traditional


def test_utf8_bytes_win_over_a_wrong_gb2312_label():
    html = f"<meta http-equiv='Content-Type' content='text/html; charset=gb2312'><p>{REPORT}</p>"
    assert REPORT in decode(html.encode("utf-8"))


def test_a_meta_charset_is_used_when_the_http_header_has_none():
    html = f"<html><head><meta charset='big5'></head><body>{OpenCC('s2tw').convert(REPORT)}</body></html>"
    assert "衛東區" in decode(html.encode("big5"))


def test_byte_order_marks_decide_first():
    assert decode(b"\xff\xfe" + REPORT.encode("utf-16-le")) == REPORT
    assert decode("\ufeff".encode() + REPORT.encode("utf-8")) == REPORT


def test_line_endings_become_newlines_and_nul_characters_go():
    assert (
        decode("一、总体情况\r\n二、主动公开\r三\x00、".encode("gbk")) == "一、总体情况\n二、主动公开\n三、"
    )


def test_broken_bytes_never_raise():
    noise = random.Random(7).randbytes(5000)
    assert isinstance(decode(noise), str)
    assert isinstance(decode(noise, "text/html; charset=no-such-charset"), str)


# Cell text


def test_a_label_broken_over_lines_is_joined_without_a_space():
    assert clean_cell("商业\n企业") == "商业企业"


def test_spaces_inside_chinese_text_go_and_between_numbers_or_words_stay():
    assert clean_cell("（一）\u00a0予以 公开") == "（一）予以公开"
    assert clean_cell("\u3000\u3000收费 12 件\u3000") == "收费12件"
    assert clean_cell("1 234") == "1 234"
    assert clean_cell("Word\nExcel") == "Word Excel"


# Tables


def grid_of(rows_html: str) -> list[list[str]]:
    doc = read_html(page(f"<table>{rows_html}</table>"))
    assert len(doc.tables) == 1
    return doc.tables[0]


def test_rowspan_and_colspan_repeat_the_merged_cell_in_every_position():
    assert grid_of(
        "<tr><td rowspan='2'>三、本年度办理结果</td><td colspan='2'>（一）予以公开</td><td>3</td></tr>"
        "<tr><td>（三）不予公开</td><td>1.属于国家秘密</td><td>0</td></tr>"
        "<tr><td colspan='3'>四、结转下年度继续办理</td><td>1</td></tr>"
    ) == [
        ["三、本年度办理结果", "（一）予以公开", "（一）予以公开", "3"],
        ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "0"],
        ["四、结转下年度继续办理", "四、结转下年度继续办理", "四、结转下年度继续办理", "1"],
    ]


def test_short_rows_are_padded_to_the_table_width():
    assert grid_of("<tr><td>a</td><td>b</td><td>c</td></tr><tr><td>d</td></tr>") == [
        ["a", "b", "c"],
        ["d", "", ""],
    ]


def test_a_huge_rowspan_stops_at_the_last_row_and_a_huge_colspan_at_the_html_limit():
    grid = grid_of("<tr><td rowspan='100000000'>x</td><td colspan='100000000'>y</td></tr><tr><td>z</td></tr>")
    assert len(grid) == 2
    assert len(grid[0]) == 1 + MAX_SPAN
    assert grid[1][:2] == ["x", "z"]


def test_a_table_too_large_to_be_a_report_is_cut_short_with_a_warning():
    rows = "".join(f"<tr><td>{i}</td><td colspan='1000'>v</td></tr>" for i in range(MAX_CELLS // 1000 + 5))
    doc = read_html(page(f"<table>{rows}</table>"))
    assert sum(len(r) for r in doc.tables[0]) <= MAX_CELLS + 1001
    assert any("cut short" in w for w in doc.warnings)


def test_layout_tables_around_report_tables_are_not_report_tables():
    doc = read_html(fixture("layout-tables-yueqing-health-2021.html"), url=URL)
    assert [(len(t), len(t[0])) for t in doc.tables] == [(14, 4), (28, 10), (4, 15)]


def test_the_2021_template_tables_keep_their_merged_cells():
    doc = read_html(fixture("trs-yueqing-health-2021.html"), url=URL)
    active, applications, review = doc.tables
    assert active[0] == ["第二十条第（一）项"] * 4
    assert active[6] == ["行政许可", "4718", "4718", "4718"]
    assert applications[2][3:10] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert {row[0] for row in applications[5:27]} == {"三、本年度办理结果"}
    assert applications[7][:3] == ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"]
    assert review[1][:2] == ["结果维持", "结果纠正"]
    assert len(review[3]) == 15


# Text


def test_the_text_keeps_one_line_per_paragraph_and_the_tables_as_tab_separated_rows():
    doc = read_html(fixture("trs-yueqing-health-2021.html"), url=URL)
    lines = doc.text.splitlines()
    assert lines[:2] == ["乐清市卫生健康局", "2021年度政府信息公开工作年度报告"]
    assert "一、总体情况" in lines
    assert "行政规范性文件\t2\t0\t19" in lines
    assert "行政许可\t4718" in lines  # a cell merged across columns is written once
    assert "三、本年度办理结果\t（四）无法提供\t1.本机关不掌握相关政府信息\t1\t0\t0\t0\t0\t0\t0" in lines
    assert "网站地图" not in doc.text  # the footer is not the report


@pytest.mark.parametrize(
    "name, seed",
    [
        ("trs-yueqing-health-2021.html", "002"),
        ("hanweb-weidong-health-2021-gbk.html", "000"),
        ("ucap-weidong-health-2021-big5.html", "000"),
        ("layout-tables-yueqing-health-2021.html", "002"),
    ],
)
def test_the_text_alone_still_gives_every_number_of_the_report(name, seed):
    doc = read_html(fixture(name), url=URL)
    text_only = Document(text=doc.text, kind="html")
    assert flatten(build_record(text_only)) == truth_cells(seed)


def test_a_page_that_is_only_a_table_still_has_its_rows_in_the_text():
    doc = read_html(
        page("<table><tr><td>规章</td><td>1</td></tr><tr><td>行政许可</td><td>2</td></tr></table>")
    )
    assert doc.text.splitlines() == ["规章\t1", "行政许可\t2"]


def test_a_stray_closing_html_tag_before_the_article_does_not_lose_it():
    doc = read_html(fixture("ucap-weidong-health-2021-big5.html"), url=URL)
    assert "本年度報告根據《中華人民共和國政府信息公開條例》" in doc.text
    assert len(doc.tables) == 3


def cms_sample(name: str):
    return read_html(
        (SHARED / "portals" / "cms" / name).read_bytes(), url="http://www.example.gov.cn/col/a/b.html"
    )


def test_real_trs_markup_gives_title_date_and_the_article():
    doc = cms_sample("trs-detail-mee-ywdt.html")
    assert (doc.title, doc.published_date) == ("生态环境部一周要闻（4.10-4.16）", "2022-04-17")
    assert doc.text.startswith("1.生态环境部召开部常务会议\n4月12日，生态环境部部长黄润秋主持召开部常务会议")


def test_real_hanweb_markup_gives_the_article_inside_its_cms_markers():
    doc = cms_sample("hanweb-article-body-wenzhou.html")
    assert doc.text.startswith("我市359名新民警日前已陆续到各县（市、区）公安基层岗位上岗")
    assert doc.text.endswith("图为新民警在培训班结业典礼上表演擒拿格斗。（林舒菡摄）")


def test_a_date_quoted_inside_the_article_is_not_the_pages_date():
    doc = cms_sample("epoint-detail-fragment-jiande-ggzy.html")
    assert "采购公告发布日期：2021年6月9日" in doc.text
    assert doc.published_date is None
    assert doc.links == [
        (
            "XAJF2021B-017中标公式.doc",
            "http://tfile.zhaotx.cn/files/webfile/20210707/doc/C3DDE5C689574F8ABBFC723254D8109C.doc",
        )
    ]


def test_real_ucap_markup_links_its_pdf_relative_to_the_page():
    doc = cms_sample("ucap-list-and-detail-jiuquan-condensed.html")
    assert doc.title.startswith("酒泉市住房和城乡建设局关于发布")
    assert [href for _, href in doc.links] == [
        "http://www.example.gov.cn/col/a/7c0f7f036f8347a0bbfae8649cede720/files/"
        "关于发布酒泉市2026年第二期建设工程材料信息价格及人工信息价的通知.pdf"
    ]


def test_a_page_with_nothing_in_it_is_a_parse_error():
    with pytest.raises(ParseError):
        read_html(b"<!-- nothing here -->")


# Title, date, links


def test_title_and_date_come_from_trs_metadata():
    doc = read_html(fixture("trs-yueqing-health-2021.html"), url=URL)
    assert doc.kind == "html"
    assert doc.title == "乐清市卫生健康局2021年度政府信息公开工作年度报告"
    assert doc.published_date == "2022-01-17"


def test_without_metadata_the_title_is_the_page_title_without_the_site_name():
    doc = read_html(fixture("hanweb-weidong-health-2021-gbk.html"), url=URL)
    assert doc.title == "卫健委2021年政府信息公开工作年度报告"
    assert doc.published_date == "2022-01-17"  # 发布日期：2022-01-17 in the page header


@pytest.mark.parametrize(
    "title, expected",
    [
        ("宁波市北仑区2021年度报告_宁波市人民政府", "宁波市北仑区2021年度报告"),
        ("北仑区人民政府 - 2021年政府信息公开工作年报", "2021年政府信息公开工作年报"),
        ("2021年度政府信息公开工作年度报告|北仑区", "2021年度政府信息公开工作年度报告"),
    ],
)
def test_the_site_name_is_cut_from_the_page_title(title, expected):
    assert read_html(page("<p>正文</p>", f"<title>{title}</title>")).title == expected


def test_og_title_and_a_report_heading_are_used_before_the_page_title():
    head = "<title>首页_宁波市人民政府</title>"
    assert (
        read_html(page("<p>x</p>", head + "<meta property='og:title' content='2021年报'>")).title
        == "2021年报"
    )
    assert read_html(page("<h1>北仑区</h1><div class='title'>北仑区2021年度报告</div>", head)).title == (
        "北仑区2021年度报告"
    )


def test_no_date_is_made_up():
    assert read_html(page("<p>2021年度报告</p><p>2022年1月17日</p>")).published_date is None


def test_attachment_links_are_absolute_including_cms_download_gateways():
    doc = read_html(fixture("trs-yueqing-health-2021.html"), url=URL)
    assert doc.links == [
        (
            "乐清市卫生健康局2021年度政府信息公开工作年度报告.pdf",
            "http://www.yueqing.gov.cn/art/2022/1/17/P020220117389512345678.pdf",
        ),
        (
            "年度报告（可编辑版）",
            "http://www.yueqing.gov.cn/module/download/downfile.jsp?classid=0&filename=2201171234.docx",
        ),
    ]


def test_links_follow_base_href_and_skip_pages_and_scripts():
    body = (
        "<a href='nb2021.pdf'>报告</a> <a href='list.html'>列表</a> <a href='javascript:void(0)'>打印</a>"
        "<a href='/attach/0/abc'>2021年报.docx</a> <a href='/u/cms/www/202201/x.WPS'>附件</a>"
    )
    doc = read_html(page(body, "<base href='http://www.bl.gov.cn/col/'>"), url="http://other.example/")
    assert [href for _, href in doc.links] == [
        "http://www.bl.gov.cn/col/nb2021.pdf",
        "http://www.bl.gov.cn/attach/0/abc",
        "http://www.bl.gov.cn/u/cms/www/202201/x.WPS",
    ]


# Whole records


@pytest.mark.parametrize(
    "name, seed, agency, region",
    [
        ("trs-yueqing-health-2021.html", "002", "乐清市卫生健康局", ("浙江省", "温州市", "乐清市")),
        (
            "hanweb-weidong-health-2021-gbk.html",
            "000",
            "卫东区卫生健康委员会",
            ("河南省", "平顶山市", "卫东区"),
        ),
        (
            "ucap-weidong-health-2021-big5.html",
            "000",
            "卫东区卫生健康委员会",
            ("河南省", "平顶山市", "卫东区"),
        ),
        ("layout-tables-yueqing-health-2021.html", "002", "乐清市卫生健康局", ("浙江省", "温州市", "乐清市")),
    ],
)
def test_each_report_page_parses_to_its_truth(name, seed, agency, region):
    record = parse(fixture(name), content_type="text/html", url=URL)
    assert flatten(record) == truth_cells(seed)
    assert (record["format"], record["agency"], record["year"], record["template"]) == (
        "html",
        agency,
        2021,
        "2021",
    )
    assert (record["region"]["province"], record["region"]["city"], record["region"]["county"]) == region
    assert record["published_date"] == "2022-01-17"
