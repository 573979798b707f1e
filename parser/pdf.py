"""PDF: the text layer through pdfplumber (ruled tables from the page's lines, cells from the
characters inside them; unruled tables from word positions), and OCR for pages that have no usable
text layer (scans, glyphs drawn as paths, broken fonts) and for large pictures on text pages."""

import logging
import time
from io import BytesIO

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1
from pdfplumber.utils.exceptions import PdfminerException

from . import layout
from .document import Document
from .errors import ParseError
from .limits import MAX_OCR_PAGES, MAX_PAGES, MAX_SECONDS

# pdfminer logs every odd object at WARNING; a batch over thousands of files drowns in it.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

_BAD_GLYPHS = ("(cid:", "\ufffd")
_COMMON = set("的一是在不了有和人中大为上国年以发公开政府信息申请工作本部门法规定行政情况事项数量处理")


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
            raise ParseError(f"PDF has {len(pages)} pages (limit MAX_PAGES {MAX_PAGES})")
        warnings: list[str] = []
        if not data.rstrip().endswith(b"%%EOF"):
            warnings.append("PDF has no end marker (%%EOF): the file may be truncated")
        read = []
        scanner = Scanner(data)
        started = time.monotonic()
        for page in pages:
            if time.monotonic() - started > MAX_SECONDS:
                warnings.append(f"stopped at page {page.page_number}: over {MAX_SECONDS} s for one PDF")
                break
            try:
                content = read_page(page) if has_text_layer(page) else layout.Page([])
                for region in picture_regions(page, content):
                    if scanner.pages >= MAX_OCR_PAGES:
                        warnings.append(
                            f"page {page.page_number}: picture not read, over {MAX_OCR_PAGES} OCR pages"
                        )
                        break
                    scanner.read(page, region, content)
                if content.items:
                    read.append(content)
            except ParseError:
                raise
            except Exception as e:
                warnings.append(f"page {page.page_number} unreadable: {describe(e)}")
            finally:
                page.close()  # pdfplumber keeps each page's objects cached otherwise
        scanner.close()
        if not read and warnings:
            raise ParseError(f"no page of the PDF could be read ({warnings[-1]})")
        if scanner.pages:
            warnings.append(f"{scanner.pages} page(s) or pictures read by OCR")
        if not read and scanner.pages:
            raise ParseError(
                f"OCR found no text on the {scanner.pages} scanned page(s): a blank or unreadable scan"
            )
        text, tables, scores = layout.assemble(read)
        return Document(
            text=text, tables=tables, kind="pdf", title=title(pdf), warnings=warnings, scores=scores
        )


def describe(e: Exception) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def has_text_layer(page) -> bool:
    """Enough characters, not mostly glyphs without a Unicode mapping (broken CID fonts), and, when
    Chinese, made of the characters Chinese text is made of: a font with a wrong mapping gives
    valid but random ideographs, where the few dozen most common ones (的, 政, 公, 年...) vanish."""
    chars = [c["text"] for c in page.chars if not c["text"].isspace()]
    if len(chars) < 20:
        return False
    bad = sum(1 for t in chars if t.startswith(_BAD_GLYPHS) or "\ue000" <= t[:1] <= "\uf8ff")
    if bad >= 0.1 * len(chars):
        return False
    cjk = [t for t in chars if "\u4e00" <= t <= "\u9fff"]
    return len(cjk) < 100 or sum(1 for t in cjk if t in _COMMON) >= 0.05 * len(cjk)


def read_page(page) -> layout.Page:
    # Fake bold (each glyph drawn twice, a hair apart) would double every character.
    page = page.dedupe_chars(tolerance=1)
    blocks = []
    edges = layout.merge_edges([e for e in page.edges if e["orientation"] in ("h", "v")], 3, 3, 3, 3)
    added = layout.missing_frame_lines(edges)
    settings = {
        "explicit_vertical_lines": [e for e in added if e["orientation"] == "v"],
        "explicit_horizontal_lines": [e for e in added if e["orientation"] == "h"],
    }
    for table in page.find_tables(settings):
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


def picture_regions(page, content: layout.Page) -> list[layout.Bbox]:
    """What to OCR on a page: all of it when it has no usable text layer but shows something
    (a scan, glyphs drawn as paths, a broken font); else each large picture with no text over it
    (a table pasted into the report as a screenshot)."""
    box = (0.0, 0.0, float(page.width), float(page.height))
    if not content.items:
        return [box] if page.images or page.curves or page.rects or page.chars else []
    regions = []
    for im in page.images:
        x0, top = max(im["x0"], 0.0), max(im["top"], 0.0)
        x1, bottom = min(im["x1"], box[2]), min(im["bottom"], box[3])
        if (x1 - x0) * (bottom - top) < 0.15 * box[2] * box[3]:
            continue
        inside = [c for c in page.chars if x0 <= c["x0"] < x1 and top <= c["top"] < bottom]
        if len(inside) < 10:
            regions.append((x0, top, x1, bottom))
    return regions


class Scanner:
    """Renders pages with pdfium (the PDF is opened once, on first need) and OCRs regions of them,
    adding what it reads to the page's content at the region's place."""

    def __init__(self, data: bytes):
        self.data = data
        self.doc = None
        self.pages = 0

    def read(self, page, region: layout.Bbox, content: layout.Page) -> None:
        import pypdfium2

        from .ocr import MAX_PIXELS, OCR_DPI, read_array

        if self.doc is None:
            self.doc = pypdfium2.PdfDocument(self.data)
        self.pages += 1
        # A poster-sized page at OCR resolution would be gigabytes of pixels.
        scale = min(OCR_DPI / 72, (MAX_PIXELS / (float(page.width) * float(page.height))) ** 0.5)
        image = self.doc[page.page_number - 1].render(scale=scale).to_pil().convert("RGB")
        x0, top, x1, bottom = region
        image = image.crop((int(x0 * scale), int(top * scale), int(x1 * scale), int(bottom * scale)))
        read = read_array(image)
        content.items += [(top + y / scale, item) for y, item in read.items]
        content.items.sort(key=lambda i: i[0])
        content.grids += read.grids

    def close(self) -> None:
        if self.doc is not None:
            self.doc.close()


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
