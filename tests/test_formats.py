"""The reader is picked from the bytes themselves, whatever the file is called or served as."""

import io
import zipfile

import pytest
from truth import SHARED

from govreports.parser import NotAReport, ParseError, parse
from govreports.parser.formats import sniff


def zipped(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (zipped("[Content_Types].xml", "word/document.xml"), "docx"),
        (zipped("[Content_Types].xml", "xl/workbook.xml"), "xlsx"),
        (zipped("OFD.xml", "Doc_0/Document.xml"), "ofd"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16, "ole"),
        (b"{\\rtf1\\ansi ...}", "rtf"),
        (b"\x89PNG\r\n\x1a\n....", "image"),
        (b"\xff\xd8\xff\xe0....", "image"),
        (b"<!DOCTYPE html><html><body>...", "html"),
        (
            "<p>一、总体情况</p>".encode() * 400 + b"<table><tr><td>1</td></tr></table>",
            "html",
        ),  # a bare fragment
        ("一、总体情况\n本年度……".encode(), "text"),
    ],
)
def test_sniff_names_the_format_from_magic_bytes(data, kind):
    # Served with a misleading content type, named with a misleading extension: the bytes win.
    assert sniff(data, "application/octet-stream", "http://example.gov.cn/download.jsp?id=1.doc") == kind


def test_a_zip_that_is_no_office_file_is_a_clear_error():
    with pytest.raises(ParseError, match="neither DOCX, XLSX nor OFD"):
        parse(zipped("readme.txt"))


def test_empty_bytes_are_a_clear_error():
    with pytest.raises(ParseError, match="empty"):
        parse(b"  \n")


def test_a_page_that_only_points_to_its_attachment_is_not_the_report():
    """“详见附件”: the record comes from the attachment, which keeps the page's URL."""
    page = (
        "<html><head><meta charset='utf-8'><title>洪泽区2024年政府信息公开工作年度报告</title></head><body>"
        "<h1>洪泽区2024年政府信息公开工作年度报告</h1><p>政府信息公开工作年度报告全文详见附件。</p>"
        "<p>附件：<a href='/u/cms/2025/report.pdf'>洪泽区2024年政府信息公开工作年度报告.pdf</a></p></body></html>"
    ).encode()
    with pytest.raises(NotAReport, match="attachment"):
        parse(page, url="http://www.hongze.gov.cn/art/2025/1/20/art_1.html")
    pdf = (SHARED / "realworld" / "hongze-district-2024.pdf").read_bytes()
    record = parse(
        pdf,
        url="http://www.hongze.gov.cn/u/cms/2025/report.pdf",
        context={"page_url": "http://www.hongze.gov.cn/art/2025/1/20/art_1.html"},
    )
    assert record["url"] == "http://www.hongze.gov.cn/u/cms/2025/report.pdf"
    assert record["page_url"] == "http://www.hongze.gov.cn/art/2025/1/20/art_1.html"
    assert record["template"] == "2021"
