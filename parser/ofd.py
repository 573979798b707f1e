"""OFD (GB/T 33190, China's fixed-layout format) through ofdkit: text runs with positions, laid
out into lines, and tables rebuilt from the runs' columns (OFD tables are drawn paths, which
ofdkit does not expose, so the unruled-table reader is used)."""

from . import layout
from .document import Document
from .errors import ParseError, Unsupported
from .limits import MAX_PAGES, open_zip


def read_ofd(data: bytes) -> Document:
    try:
        import ofdkit
    except ImportError as e:
        raise Unsupported(f"OFD reader not installed (ofdkit): {e}") from e
    open_zip(data, "OFD").close()
    try:
        doc = ofdkit.open(data)
    except ofdkit.OFDError as e:
        raise ParseError(f"broken OFD: {e}") from e
    with doc:
        if len(doc.pages) > MAX_PAGES:
            raise ParseError(f"OFD has {len(doc.pages)} pages (limit MAX_PAGES {MAX_PAGES})")
        pages = []
        warnings = list(doc.warnings)
        for page in doc.pages:
            try:
                runs = page.runs
            except ofdkit.OFDError as e:
                warnings.append(f"page {page.index + 1} unreadable: {e}")
                continue
            boxes = [
                layout.Box(r.x, r.y - r.size, r.x + r.width, r.y, r.text) for r in runs if r.text.strip()
            ]
            pages.append(layout.page_from(boxes, []))
        text, tables, _ = layout.assemble(pages)  # positioned text runs: nothing is a guess
        return Document(text=text, tables=tables, kind="ofd", title=doc.info.title or None, warnings=warnings)
