"""Word documents: DOCX with python-docx (merged cells expanded by the grid python-docx builds),
DOC, WPS and RTF through LibreOffice (to DOCX, keeping the tables) or antiword (text only)."""

from io import BytesIO

from . import layout
from .document import Document, Table
from .errors import ParseError, Unsupported
from .limits import convert_with_libreoffice, open_zip, run


def read_docx(data: bytes, kind: str = "docx") -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table as DocxTable

    open_zip(data, "DOCX").close()
    try:
        document = docx.Document(BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as e:
        raise ParseError(f"broken DOCX: {e}") from e
    except Exception as e:  # lxml raises on malformed XML parts
        raise ParseError(f"broken DOCX: {type(e).__name__}: {e}") from e
    lines: list[str] = []
    tables: list[Table] = []
    for item in document.iter_inner_content():
        if isinstance(item, DocxTable):
            grid, ids = read_table(item)
            if not grid:
                continue
            tables.append(grid)
            lines += [
                "\t".join(t for k, t in enumerate(row) if k == 0 or ids_row[k] != ids_row[k - 1])
                for row, ids_row in zip(grid, ids, strict=True)
            ]
        else:
            text = layout.clean_text(item.text)
            if text:
                lines.append(text)
    title = (document.core_properties.title or "").strip() or None
    return Document(text="\n".join(lines), tables=tables, kind=kind, title=title)


def read_table(table) -> tuple[Table, list[list[int]]]:
    """The table as a grid with a merged cell repeated over the positions it covers (python-docx
    returns the same cell for every grid column of a gridSpan and every row of a vMerge), and the
    identity of the cell at each position."""
    grid: Table = []
    ids: list[list[int]] = []
    for row in table.rows:
        cells = row.cells
        grid.append([layout.clean_cell(c.text) for c in cells])
        ids.append([id(c._tc) for c in cells])
    width = max((len(r) for r in grid), default=0)
    for row, row_ids in zip(grid, ids, strict=True):
        row_ids += [-len(row_ids) - k - 1 for k in range(width - len(row))]
        row += [""] * (width - len(row))
    return grid, ids


def read_ole_word(data: bytes, kind: str) -> Document:
    """DOC, WPS (Kingsoft's binary format, close to Word 97) or RTF. LibreOffice converts each to
    DOCX with the tables intact; without it, antiword gives the text of a DOC."""
    try:
        converted = convert_with_libreoffice(data, "." + kind, "docx")
    except Unsupported:
        if kind != "doc":
            raise
        return read_with_antiword(data)
    doc = read_docx(converted, kind=kind)
    doc.warnings.append(f"{kind.upper()} converted to DOCX by LibreOffice")
    return doc


def read_with_antiword(data: bytes) -> Document:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="govreports-aw-") as tmp:
        src = Path(tmp) / "in.doc"
        src.write_bytes(data)
        result = run(["antiword", "-m", "UTF-8.txt", "-w", "0", str(src)], cwd=Path(tmp))
    if result.returncode != 0:
        err = result.stderr.decode("utf-8", "replace").strip()
        raise ParseError(f"antiword could not read the DOC: {err[-200:]}")
    lines = []
    for raw in result.stdout.decode("utf-8", "replace").splitlines():
        s = raw.strip()
        if s.startswith("|") and s.endswith("|"):  # antiword draws table rows as |cell|cell|
            lines.append("\t".join(layout.clean_text(c) for c in s.strip("|").split("|")))
        elif s:
            lines.append(layout.clean_text(s))
    return Document(text="\n".join(lines), kind="doc", warnings=["read by antiword: text only"])
