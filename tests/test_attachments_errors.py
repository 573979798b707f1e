"""Bad attachments are errors with a reason, never crashes or hangs."""

import pathlib
import zipfile
from io import BytesIO

import pytest

from govreports.parser import limits
from govreports.parser.attachments import read_attachment
from govreports.parser.errors import ParseError, Unsupported
from govreports.parser.formats import read_document

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "attachments"


def fails(name_or_bytes, url=None) -> str:
    data = name_or_bytes if isinstance(name_or_bytes, bytes) else (FIXTURES / name_or_bytes).read_bytes()
    with pytest.raises(ParseError) as e:
        read_document(data, url=url)
    return str(e.value)


def test_encrypted_pdf_says_it_needs_a_password():
    assert "encrypted" in fails("encrypted.pdf")


def test_truncated_pdf_says_truncated():
    assert "truncated" in fails("truncated.pdf")


def test_garbage_after_a_pdf_header():
    assert "PDF" in fails(b"%PDF-1.7\n" + bytes(range(256)) * 20)


def test_docx_bomb_is_refused_before_inflating():
    assert "zip bomb" in fails("bomb.docx")


def test_xlsx_with_too_many_members_is_refused():
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(limits.MAX_MEMBERS):
            z.writestr(f"xl/x{i}.xml", "")
    assert "zip bomb" in fails(buf.getvalue())


def test_broken_docx_part():
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document")
    assert "DOCX" in fails(buf.getvalue())


@pytest.mark.slow  # LibreOffice tries
def test_ole_file_that_no_converter_can_read():
    junk = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000
    assert "LibreOffice" in fails(junk, url="http://example.gov.cn/report.wps")


def test_unreadable_image():
    assert "image" in fails(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)


def test_converter_time_limit_kills_the_process(tmp_path):
    with pytest.raises(ParseError, match="timed out after 0.5 s"):
        limits.run(["sleep", "30"], cwd=tmp_path, timeout=0.5)


def test_missing_converter_is_unsupported(tmp_path):
    with pytest.raises(Unsupported, match="not installed"):
        limits.run(["no-such-converter-here"], cwd=tmp_path)


def test_unknown_kind_is_unsupported():
    with pytest.raises(Unsupported):
        read_attachment("djvu", b"AT&TFORM")


def test_encrypted_office_document_says_so():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le")
    assert "encrypted" in fails(ole, url="http://example.gov.cn/report.docx")
