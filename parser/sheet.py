"""Spreadsheets: XLSX with openpyxl, XLS with xlrd. Each sheet is one grid, merged ranges
expanded; numbers are written back the way a spreadsheet shows them (7545, not 7545.0)."""

from io import BytesIO

from . import layout
from .document import Document, Table
from .errors import ParseError
from .limits import MAX_SHEET_CELLS, open_zip


def show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return layout.clean_cell(str(value))


def read_xlsx(data: bytes) -> Document:
    import openpyxl

    with open_zip(data, "XLSX") as z:
        _count_cells(z)
    try:
        book = openpyxl.load_workbook(BytesIO(data), data_only=True)
    except Exception as e:  # openpyxl raises KeyError, ValueError, lxml errors... on broken parts
        raise ParseError(f"broken XLSX: {type(e).__name__}: {e}") from e
    sheets = []
    for ws in book.worksheets:
        grid = [[show(v) for v in row] for row in ws.iter_rows(values_only=True)]
        merged = [(r.min_row - 1, r.max_row, r.min_col - 1, r.max_col) for r in ws.merged_cells.ranges]
        sheets.append((ws.title, expand(grid, merged)))
    title = (book.properties.title or "").strip() or None
    return document(sheets, "xlsx", title)


def _count_cells(z) -> None:
    """Refuse a sheet of more than MAX_SHEET_CELLS cells before openpyxl reads it whole: its
    <c> elements counted in the unzipped XML as it streams (a declared dimension may lie)."""
    for name in z.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            cells, tail = 0, b""
            with z.open(name) as f:
                while chunk := f.read(1 << 20):
                    cells += (tail + chunk).count(b"<c ") + (tail + chunk).count(b"<c>")
                    tail = chunk[-2:]
                    if cells > MAX_SHEET_CELLS:
                        raise ParseError(f"{name} has over {MAX_SHEET_CELLS} cells (limit MAX_SHEET_CELLS)")


def read_xls(data: bytes) -> Document:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as e:  # xlrd.XLRDError, struct errors and IndexError on damaged files
        raise ParseError(f"broken XLS: {type(e).__name__}: {e}") from e
    sheets = []
    for ws in book.sheets():
        if ws.nrows * ws.ncols > MAX_SHEET_CELLS:
            raise ParseError(
                f"sheet {ws.name} has {ws.nrows}x{ws.ncols} cells (limit MAX_SHEET_CELLS {MAX_SHEET_CELLS})"
            )
        grid = [[show(ws.cell_value(r, c)) for c in range(ws.ncols)] for r in range(ws.nrows)]
        sheets.append((ws.name, expand(grid, ws.merged_cells)))
    return document(sheets, "xls", None)


def expand(grid: Table, merged: list[tuple[int, int, int, int]]) -> Table:
    """Repeat each merged range's top-left text over the range (rows lo..hi-1, columns lo..hi-1)."""
    for rlo, rhi, clo, chi in merged:
        if rlo >= len(grid):
            continue
        text = grid[rlo][clo] if clo < len(grid[rlo]) else ""
        for r in range(rlo, min(rhi, len(grid))):
            for c in range(clo, min(chi, len(grid[r]))):
                grid[r][c] = text
    # Trailing empty rows and columns are formatting, not content.
    while grid and not any(grid[-1]):
        grid.pop()
    width = max((max((i + 1 for i, t in enumerate(row) if t), default=0) for row in grid), default=0)
    return [row[:width] for row in grid]


def document(sheets: list[tuple[str, Table]], kind: str, title: str | None) -> Document:
    lines: list[str] = []
    tables = []
    for name, grid in sheets:
        if not grid:
            continue
        tables.append(grid)
        if len(sheets) > 1:
            lines.append(name)
        for row in grid:
            cells = [t for k, t in enumerate(row) if k == 0 or t != row[k - 1] or layout.is_number(t)]
            if any(cells):
                lines.append("\t".join(cells))
    return Document(text="\n".join(lines), tables=tables, kind=kind, title=title)
