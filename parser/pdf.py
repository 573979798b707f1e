"""PDF: the text layer through pdfplumber (ruled tables from the page's lines, cells from the
characters inside them), and OCR for pages that have no usable text layer (scans, broken fonts)."""

import logging
from io import BytesIO

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1
from pdfplumber.utils.exceptions import PdfminerException

from . import layout
from .document import Document
from .errors import ParseError
from .limits import MAX_OCR_PAGES, MAX_PAGES

# pdfminer logs every odd object at WARNING; a batch over thousands of files drowns in it.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

_BAD_GLYPHS = ("(cid:", "\ufffd")


def read_pdf(data: bytes) -> Document:
    try:
        pdf = pdfplumber.open(BytesIO(data))
    except Exception as e:  # pdfplumber wraps pdfminer's errors in PdfminerException
        cause = e.args[0] if isinstance(e, PdfminerException) and e.args else e
        if isinstance(cause, PDFPasswordIncorrect):
            raise ParseError("encrypted PDF: it cannot be opened without a password") from e
        if isinstance(cause, PDFEncryptionError):
            raise ParseError(f"encrypted PDF with an unsupported scheme: {describe(cause)}") from e
        if not data.rstrip().endswith(b"%%EOF"):
            raise ParseError(f"truncated PDF (no %%EOF end marker): {describe(cause)}") from e
        raise ParseError(f"damaged PDF: {describe(cause)}") from e
    with pdf:
        try:
            pages = pdf.pages
        except Exception as e:  # pdfminer raises many unrelated types on broken page trees
            raise ParseError(f"damaged PDF: cannot read its pages: {describe(e)}") from e
        if not pages:
            raise ParseError("PDF has no readable pages (truncated or damaged)")
        if len(pages) > MAX_PAGES:
            raise ParseError(f"PDF has {len(pages)} pages (limit {MAX_PAGES})")
        warnings: list[str] = []
        if not data.rstrip().endswith(b"%%EOF"):
            warnings.append("PDF has no end marker (%%EOF): the file may be truncated")
        read = []
        ocr_pages = 0
        for page in pages:
            try:
                if has_text_layer(page):
                    read.append(read_page(page))
                    continue
                if not page.images and not page.chars:
                    continue  # a blank page
                if ocr_pages >= MAX_OCR_PAGES:
                    warnings.append(f"page {page.page_number}: not read, over {MAX_OCR_PAGES} scanned pages")
                    continue
                ocr_pages += 1
                read.append(ocr_page(data, page.page_number - 1))
            except ParseError:
                raise
            except Exception as e:
                warnings.append(f"page {page.page_number} unreadable: {describe(e)}")
        if not read and warnings:
            raise ParseError(f"no page of the PDF could be read ({warnings[-1]})")
        if ocr_pages:
            warnings.append(f"{ocr_pages} page(s) read by OCR")
        text, tables = layout.assemble(read)
        return Document(text=text, tables=tables, kind="pdf", title=title(pdf), warnings=warnings)


def describe(e: Exception) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def has_text_layer(page) -> bool:
    """Enough characters, and not mostly glyphs without a Unicode mapping (broken CID fonts)."""
    chars = [c["text"] for c in page.chars if not c["text"].isspace()]
    if len(chars) < 20:
        return False
    bad = sum(1 for t in chars if t.startswith(_BAD_GLYPHS) or "\ue000" <= t[:1] <= "\uf8ff")
    return bad < 0.1 * len(chars)


def read_page(page) -> layout.Page:
    blocks = []
    for table in page.find_tables():
        texts = table.extract()
        cells = [
            (bbox, layout.clean_cell(text))
            for row, row_texts in zip(table.rows, texts, strict=True)
            for bbox, text in zip(row.cells, row_texts, strict=True)
            if bbox is not None
        ]
        blocks += layout.blocks_from_cells(cells)
    words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
    boxes = [layout.Box(w["x0"], w["top"], w["x1"], w["bottom"], w["text"]) for w in words if w["upright"]]
    return layout.page_from(boxes, blocks)


def ocr_page(data: bytes, index: int) -> layout.Page:
    import pypdfium2

    from .ocr import OCR_DPI, read_array

    doc = pypdfium2.PdfDocument(data)
    try:
        image = doc[index].render(scale=OCR_DPI / 72).to_pil().convert("RGB")
    finally:
        doc.close()
    return read_array(image)


def title(pdf) -> str | None:
    """The Title property, from the raw bytes: some writers (WPS) store UTF-16LE with a BOM,
    which pdfminer would decode as PDFDocEncoding into mojibake."""
    try:
        value = resolve1(pdf.doc.info[0].get("Title")) if pdf.doc.info else None
    except Exception:  # a broken info dictionary is no reason to lose the document
        return None
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not isinstance(value, bytes):
        return None
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if value.startswith(bom):
            text = value[2:].decode(codec, "replace")
            break
    else:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode("gb18030", "replace")
    return text.strip("\x00 \ufeff") or None
