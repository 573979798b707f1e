"""Pick a reader from the bytes themselves (magic numbers), then the content type, then the URL."""

import re
import zipfile
from io import BytesIO

from .document import Document
from .errors import ParseError
from .limits import MAX_BYTES

_HTML_TAGS = re.compile(rb"<(p|div|span|br|td|tr|table|h[1-6])[\s>/]")


def sniff(data: bytes, content_type: str | None = None, url: str | None = None) -> str:
    """Name the format of ``data``: pdf, docx, xlsx, ofd, ole (doc/wps/xls), rtf, image, html or text."""
    head = data[:8]
    if data[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(BytesIO(data)).namelist())
        except zipfile.BadZipFile as e:
            raise ParseError(f"broken zip container: {e}") from e
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
        raise ParseError("zip file that is neither DOCX, XLSX nor OFD")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if data.lstrip()[:5] == b"{\\rtf":  # Word's RTF, often saved with a .doc name
        return "rtf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")) or head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image"
    if head[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image"
    sample = data[:4096].lower()
    ct = (content_type or "").lower()
    if "html" in ct or any(tag in sample for tag in (b"<html", b"<!doctype html", b"<table", b"<body")):
        return "html"
    # A page fragment (a CMS's article body alone) starts with a tag and is made of tags.
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" and _HTML_TAGS.search(data[:65536].lower()):
        return "html"
    return "text"


def read_document(data: bytes, content_type: str | None = None, url: str | None = None) -> Document:
    if not data or not data.strip():
        raise ParseError("empty file")
    if len(data) > MAX_BYTES:
        raise ParseError(f"file too large ({len(data)} bytes, limit MAX_BYTES {MAX_BYTES})")
    kind = sniff(data, content_type, url)
    if kind == "html":
        from .html import read_html

        return read_html(data, content_type, url)
    if kind == "text":
        from .text import read_text

        return read_text(data, content_type, url)
    from .attachments import read_attachment

    return read_attachment(kind, data, content_type, url)
