"""Read attachments (everything that is not HTML or plain text) into a Document.

parser/formats.py has already named the container from its magic bytes; here an OLE container is
told apart (Word or WPS document, or Excel workbook) and the reader for the kind is called.
Kinds: pdf, docx, xlsx, ofd, ole, image, and rtf (RTF files saved with a .doc name are common).
"""

from .document import Document
from .errors import ParseError, Unsupported


def read_attachment(
    kind: str, data: bytes, content_type: str | None = None, url: str | None = None
) -> Document:
    """Read one attachment. A reader library tripping over a malformed file is reported as a
    ParseError naming the reader, so one bad file never stops a batch."""
    try:
        return read(kind, data, content_type, url)
    except ParseError:
        raise
    except Exception as e:  # RecursionError and MemoryError included
        raise ParseError(f"{kind} reader failed on a malformed file: {type(e).__name__}: {e}"[:500]) from e


def read(kind: str, data: bytes, content_type: str | None, url: str | None) -> Document:
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(data)
    if kind == "docx":
        from .word import read_docx

        return read_docx(data)
    if kind == "xlsx":
        from .sheet import read_xlsx

        return read_xlsx(data)
    if kind == "ofd":
        from .ofd import read_ofd

        return read_ofd(data)
    if kind == "image":
        from .ocr import read_image

        return read_image(data)
    if kind == "rtf":
        from .word import read_ole_word

        return read_ole_word(data, "rtf")
    if kind == "ole":
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ParseError("encrypted Office document: it cannot be opened without a password")
        ole = ole_kind(data, content_type, url)
        if ole == "xls":
            from .sheet import read_xls

            return read_xls(data)
        from .word import read_ole_word

        return read_ole_word(data, ole)
    raise Unsupported(f"no reader for {kind} files")


def ole_kind(data: bytes, content_type: str | None, url: str | None) -> str:
    """doc, wps or xls, from the stream names in the OLE directory (stored as UTF-16LE)."""
    head = data  # the directory may sit anywhere in the file
    if "Workbook".encode("utf-16-le") in head or "Book\x00".encode("utf-16-le") in head:
        return "xls"
    hint = f"{url or ''} {content_type or ''}".lower()
    if ".wps" in hint or "kswps" in hint or "wps-office" in hint:
        return "wps"
    if "WordDocument".encode("utf-16-le") in head:
        return "doc"
    if ".xls" in hint or "excel" in hint:
        return "xls"
    return "wps" if "WPS".encode("utf-16-le") in head else "doc"
