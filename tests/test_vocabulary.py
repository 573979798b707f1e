"""One vocabulary (govreports.parser.labels): the crawler and the parser read report titles and
attachments with the same words, so what one takes for a report or a file the other does too."""

import lxml.html
import pytest
from scrapy.http import HtmlResponse, Request

from govreports.crawler.cms.links import attachment_links as crawler_attachments
from govreports.crawler.cms.titles import is_report_title, scripts_name_reports
from govreports.parser.html import attachment_links as parser_attachments
from govreports.parser.html import page_title
from govreports.parser.labels import is_attachment, names_annual_report
from govreports.parser.record import is_report_without_tables

TRADITIONAL = "臺中市政府2023年政府信息公開工作年度報告"


def test_a_traditional_character_title_is_a_report_title_to_crawler_and_parser():
    assert is_report_title(TRADITIONAL)  # the crawler follows it
    assert is_report_title("2023年度政府資訊公開年報")
    assert names_annual_report("政府信息公開工作年度報告")  # the parser: the report names itself
    text = "本報告依據《中華人民共和國政府信息公開條例》編制。"
    assert is_report_without_tables("政府信息公開工作年度報告", text)
    root = lxml.html.fromstring(f"<html><body><h1>新聞</h1><h2>{TRADITIONAL}</h2></body></html>")
    assert page_title(root)[0] == TRADITIONAL
    # Without a year it is a column's name to the crawler, traditional or simplified alike.
    assert not is_report_title("政府信息公開工作年度報告") and not is_report_title("政府信息公开工作年度报告")
    assert not is_report_title("臺中市2023年政府信息公開工作年度報告彙總")  # 汇总: a summary page
    url = "http://www.x.gov.cn/nb/index.html"
    drawn = f'<ul id="list"></ul><script>var rows = [["2023", "{TRADITIONAL}"]];</script>'
    assert scripts_name_reports(
        HtmlResponse(url=url, body=drawn.encode(), encoding="utf-8", request=Request(url))
    )


@pytest.mark.parametrize(
    "href, text",
    [
        ("/files/2023nb.pdf", "2023年度报告"),
        ("/upload/2024/01/nb.docx", "附件"),
        ("/u/cms/www/202401/nb.wps", ""),
        ("/attach/0/nb.zip", "2023年报（压缩包）"),  # archives: kept as published
        ("/upload/nb.rar", ""),
        ("/scan/2023nb.tif", "扫描件"),  # scans: the parser reads them by OCR
        ("/scan/2023nb.gif", ""),
        ("/scan/2023nb.bmp", ""),
        ("/module/download/downfile.jsp?classid=0&filename=2107.pdf", ""),
        ("/servlet/getfile?id=881", "2023年度报告.pdf（120KB）"),  # gateway, type in the text
        ("/download.jsp?id=88", "2023年度报告.docx"),
        ("/upload/show.jsp?id=7", "附件1"),  # gateway, 附件 in the text
    ],
)
def test_crawler_and_parser_take_the_same_links_for_attachments(href, text):
    base = "http://www.x.gov.cn/art/2024/1/22/art_1.html"
    html = f'<html><body><a href="{href}">{text}</a><a href="/art/2024/1/23/art_2.html">2023年度报告</a></body></html>'
    crawled = crawler_attachments(
        HtmlResponse(url=base, body=html.encode(), encoding="utf-8", request=Request(base))
    )
    parsed = parser_attachments(lxml.html.fromstring(html), base)
    assert [link.url for link in crawled] == [url for _, url in parsed] == [f"http://www.x.gov.cn{href}"]


def test_pages_and_gateways_without_a_file_are_not_attachments():
    assert not is_attachment("http://www.x.gov.cn/art/2024/1/22/art_1.html", "2023年度报告")
    assert not is_attachment("http://www.x.gov.cn/module/download/downfile.jsp?id=7", "下载中心")
    assert not is_attachment("http://www.x.gov.cn/upload/index.html", "上传")


def test_a_row_label_misread_by_ocr_as_look_alikes_is_still_its_row():
    from govreports.parser import labels, region

    assert labels.active_item("仃政许可") == labels.active_item("行政许可") == "licensing"
    assert labels.active_item("仃政处罚") == "penalty"
    # only look-alikes of the vocabulary's characters that are in no label are read so
    assert labels.key("行政许可") == "行政许可" and labels.key("规章") == "规章"
    # one list of look-alikes: the region index reads the same (沐 for 沭 in a county's name)
    assert region.gazetteer().lookalikes is labels.lookalikes()
