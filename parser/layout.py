"""Tables from positions: ruled cells to grids, and text boxes to rows and columns.

Shared by the PDF reader (pdfplumber cells and words) and the OCR reader (ruling lines found in
the image and recognised text boxes). Coordinates are (x0, top, x1, bottom), y growing downwards.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace

from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

from .document import Scores, Table

Bbox = tuple[float, float, float, float]

_CJK = "\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])[ \u00a0]+(?=[{_CJK}])")
_NUMBER = re.compile(r"^[+-]?[\d,，.]+%?$")
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d+(\s*页)?[-—–\s]*$|^\d+\s*/\s*\d+$")


def is_cjk(ch: str) -> bool:
    return bool(re.match(f"[{_CJK}]", ch))


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip())) and any(c.isdigit() for c in text)


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


# Kangxi radicals and CJK compatibility ideographs: some PDF writers map glyphs to these look-alikes
# (⾏ U+2F8F for 行, ⽣ for 生); NFKC gives back the ordinary character.
_LOOKALIKE = re.compile("[\u2e80-\u2fdf\uf900-\ufaff]")


def clean_text(text: str) -> str:
    """Drop the spaces a justified or letter-spaced layout puts between two CJK characters, and
    turn radical look-alikes into the ordinary characters."""
    text = _LOOKALIKE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return _CJK_SPACE.sub("", text).strip()


def clean_cell(text: str | None) -> str:
    """One line per cell: a label broken over lines is joined without a space when both sides are
    CJK (vertical labels, 商业\\n企业), or digits (a wrapped number), else with a space."""
    parts = [p.strip() for p in (text or "").splitlines() if p.strip()]
    out = ""
    for part in parts:
        if out and not ((is_cjk(out[-1]) and is_cjk(part[0])) or (out[-1].isdigit() and part[0].isdigit())):
            out += " "
        out += part
    return clean_text(out)


@dataclass
class Block:
    """Consecutive grid rows of one ruled table, with the identity of the cell at each position
    (so a merged cell broken by a page can be continued on the next page)."""

    rows: list[list[str]]
    ids: list[list[int]]
    bbox: Bbox
    headers: int = 0  # leading rows that hold no number (column headings)
    xs: list[float] | None = None  # the columns' left edges, then the right edge (ruled tables)
    scores: list[list[float | None]] | None = None  # OCR confidence of each position, when read so
    tolerance: float = 3  # how far apart two edges of the same column may be (pixels on a scan)

    @property
    def width(self) -> int:
        return len(self.rows[0])


def _positions(values: list[float], tolerance: float = 2) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _contains(outer: Bbox, inner: Bbox, tolerance: float) -> bool:
    return outer != inner and all(
        (o <= i + tolerance) if k < 2 else (o >= i - tolerance)
        for k, (o, i) in enumerate(zip(outer, inner, strict=True))
    )


def blocks_from_cells(cells: list[tuple], tolerance: float = 2) -> list[Block]:
    """Expand one ruled table (cell boxes with their text, and from OCR their confidence) into
    grid blocks.

    A merged cell's text is repeated in every position it covers. Rows made of a single cell
    spanning the whole table (a page frame around running text, a caption row) are not table rows:
    they split the table into blocks and their text belongs to the page text. Each block has the
    columns of its own cells (two tables joined by a caption row keep their own columns). A box
    around other boxes is a frame (a page background, a merged cell that a page break left
    without its top and bottom lines), not a cell: its positions stay empty.
    """
    cells = [(c[0], c[1], c[2] if len(c) > 2 else None) for c in cells]
    cells = [c for c in cells if not any(_contains(c[0], o[0], tolerance) for o in cells)]
    if not cells:
        return []
    ys = _positions([c[0][1] for c in cells], tolerance)
    rows_of = [[i for i, y in enumerate(ys) if c[0][1] - tolerance <= y < c[0][3] - tolerance] for c in cells]
    # a row is a table row when more than one cell covers it (checked at full width below)
    spans = [[n for n, rs in enumerate(rows_of) if r in rs] for r in range(len(ys))]
    blocks: list[Block] = []
    group: list[int] = []
    for r in range(len(ys) + 1):
        if r < len(ys) and len(spans[r]) > 1:
            group.append(r)
        elif group:
            members = sorted({n for g in group for n in spans[g]})
            blocks.append(_block([cells[n] for n in members], [ys[g] for g in group], tolerance))
            group = []
    return blocks


def _block(cells: list[tuple[Bbox, str, float | None]], ys: list[float], tolerance: float) -> Block:
    xs = _positions([c[0][0] for c in cells], tolerance)
    grid = [[""] * len(xs) for _ in ys]
    ids = [[-1] * len(xs) for _ in ys]
    scores: list[list[float | None]] = [[None] * len(xs) for _ in ys]
    for n, (box, text, score) in enumerate(cells):
        cols = [i for i, x in enumerate(xs) if box[0] - tolerance <= x < box[2] - tolerance]
        rows = [i for i, y in enumerate(ys) if box[1] - tolerance <= y < box[3] - tolerance]
        for r in rows:
            for c in cols:
                grid[r][c], ids[r][c], scores[r][c] = text, n, score
    boxes = [c[0] for c in cells]
    bbox = (
        min(b[0] for b in boxes),
        max(min(b[1] for b in boxes), ys[0]),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    headers = next((i for i, row in enumerate(grid) if any(is_number(c) for c in row)), len(grid))
    read = any(c[2] is not None for c in cells)
    return Block(grid, ids, bbox, headers, [*xs, bbox[2]], scores if read else None, max(3, tolerance))


def _columns(block: Block, xs: list[float]) -> None:
    """Re-expand the block onto finer column edges ``xs`` (a column split only in another part
    of the table repeats its text in both halves, as a merged cell does)."""
    assert block.xs is not None
    own = block.xs
    keep = [
        max(k for k in range(len(own) - 1) if own[k] <= (a + b) / 2) if (a + b) / 2 >= own[0] else 0
        for a, b in zip(xs, xs[1:], strict=False)
    ]
    block.rows = [[row[k] for k in keep] for row in block.rows]
    block.ids = [[ids[k] for k in keep] for ids in block.ids]
    if block.scores is not None:
        block.scores = [[row[k] for k in keep] for row in block.scores]
    block.xs = list(xs)


def aligned(prev: Block, nxt: Block) -> bool:
    """Put two parts of a table on the same columns, when they have the same outer edges: the
    union of both parts' column edges (a continuation often shows a split the first part does not
    need, or lacks one). Without positions, parts align only with equal widths. A scanned page
    lies a little off its neighbour: the continuation is moved onto the first part's left edge
    when both are equally wide."""
    if prev.xs is None or nxt.xs is None:
        return prev.width == nxt.width
    tolerance = max(prev.tolerance, nxt.tolerance)
    shift = prev.xs[0] - nxt.xs[0]
    if abs(shift) > 3 * tolerance or abs(prev.xs[-1] - nxt.xs[-1] - shift) > tolerance:
        return False
    if abs(shift) > 3:
        nxt.xs = [x + shift for x in nxt.xs]
    union = _positions(prev.xs[:-1] + nxt.xs[:-1], tolerance) + [prev.xs[-1]]
    for part in (prev, nxt):
        if len(union) != len(part.xs):
            _columns(part, union)
    return True


def continues(prev: Block, nxt: Block) -> bool:
    """Is ``nxt`` (first table on a page) the rest of ``prev`` (last table on the previous page)?"""
    prev, nxt = replace(prev), replace(nxt)  # aligning them is join's business, not this check's
    if not aligned(prev, nxt):
        return False
    repeated = prev.headers and nxt.rows[: prev.headers] == prev.rows[: prev.headers]
    return bool(repeated or nxt.headers == 0)


def join(prev: Block, nxt: Block) -> None:
    """Append ``nxt`` to ``prev``. A repeated header is dropped; label cells left empty at the top
    of the continuation (a merged label cut by the page break) take the label from above."""
    aligned(prev, nxt)
    rows, ids, scores = nxt.rows, nxt.ids, nxt.scores or [[None] * len(r) for r in nxt.rows]
    if prev.headers and rows[: prev.headers] == prev.rows[: prev.headers]:
        rows, ids, scores = rows[prev.headers :], ids[prev.headers :], scores[prev.headers :]
    rows = [list(r) for r in rows]
    if rows:
        first_value = next((c for c, t in enumerate(rows[0]) if is_number(t)), len(rows[0]))
        for c in range(first_value):
            above = prev.rows[-1][c]
            if rows[0][c] == "" and above and not is_number(above):
                cell = ids[0][c]
                for r, row_ids in enumerate(ids):
                    for k, i in enumerate(row_ids):
                        if i == cell and rows[r][k] == "":
                            rows[r][k] = above
    if prev.scores is not None or nxt.scores is not None:
        prev.scores = (prev.scores or [[None] * len(r) for r in prev.rows]) + scores
    prev.rows.extend(rows)
    prev.ids.extend(ids)


def cells_from_edges(
    edges: list[dict], tolerance: float = 3, reach: tuple[float, float] | None = None
) -> list[list[Bbox]]:
    """Ruled tables (each a list of cell boxes) from line segments, with pdfplumber's own algorithm.

    ``edges`` are dicts with x0, x1, top, bottom and orientation "h" or "v". ``reach`` is how far
    (x, y) a line may stop short of the line it meets (a scan's rule broken near a corner).
    """
    for e in edges:
        e.setdefault("width", e["x1"] - e["x0"])
        e.setdefault("height", e["bottom"] - e["top"])
    merged = merge_edges(edges, tolerance, tolerance, tolerance, tolerance)
    points = edges_to_intersections(merged, *(reach or (tolerance, tolerance)))
    return cells_to_tables(intersections_to_cells(points))


def missing_frame_lines(edges: list[dict], tolerance: float = 3) -> list[dict]:
    """Outer ruling lines a table was printed without (Word cells whose right border is off):
    where two horizontal lines end at the same x with a ruled row between them (a vertical line
    spans the band between them) but no vertical line closes the band there, the closing line is
    added; and the same with the axes swapped. ``edges`` are merged pdfplumber edges."""
    out = []
    h = ("top", "x0", "x1")  # a horizontal line: where it is, where it starts, where it ends
    v = ("x0", "top", "bottom")
    for across, along, (pos, lo, hi), (apos, astart, aend) in (("h", "v", h, v), ("v", "h", v, h)):
        lines = [e for e in edges if e["orientation"] == across]
        others = [(e[apos], e[astart], e[aend]) for e in edges if e["orientation"] == along]
        for key in (lo, hi):
            ends: dict[float, list[dict]] = {}
            for e in lines:
                at = next((k for k in ends if abs(k - e[key]) <= tolerance), e[key])
                ends.setdefault(at, []).append(e)
            for at, group in ends.items():
                group.sort(key=lambda e: e[pos])
                for a, b in zip(group, group[1:], strict=False):
                    spanning = [
                        o for o in others if o[1] <= a[pos] + tolerance and o[2] >= b[pos] - tolerance
                    ]
                    if any(abs(o[0] - at) <= tolerance for o in spanning):
                        continue
                    inner = (max(a[lo], b[lo]) - tolerance, min(a[hi], b[hi]) + tolerance)
                    if any(inner[0] <= o[0] <= inner[1] for o in spanning):
                        line = {apos: at, astart: a[pos], aend: b[pos], "orientation": along}
                        line[{"x0": "x1", "top": "bottom"}[apos]] = at
                        line.update(object_type="line_edge")
                        line.update(width=line["x1"] - line["x0"], height=line["bottom"] - line["top"])
                        out.append(line)
    return out


@dataclass
class Box:
    """A run of text on one line, with its position (an OCR box, or words of a PDF line)."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    score: float = 1.0  # the recogniser's confidence (1 for a text layer)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Line:
    boxes: list[Box] = field(default_factory=list)

    @property
    def top(self) -> float:
        return min(b.top for b in self.boxes)

    @property
    def bottom(self) -> float:
        return max(b.bottom for b in self.boxes)


def lines_of(boxes: list[Box]) -> list[Line]:
    """Group boxes into text lines: a box belongs to a line when their vertical extents overlap by
    more than half of the smaller height."""
    lines: list[Line] = []
    for box in sorted(boxes, key=lambda b: b.middle):
        for line in reversed(lines[-3:]):
            overlap = min(line.bottom, box.bottom) - max(line.top, box.top)
            if overlap > 0.5 * min(box.height, line.bottom - line.top):
                line.boxes.append(box)
                break
        else:
            lines.append(Line([box]))
    for line in lines:
        line.boxes.sort(key=lambda b: b.x0)
    return sorted(lines, key=lambda ln: ln.top)


def segments(line: Line, gap: float) -> list[Box]:
    """Merge the boxes of a line that are closer than ``gap``: what is left apart are cells."""
    out: list[Box] = []
    for b in line.boxes:
        if out and b.x0 - out[-1].x1 < gap:
            last = out[-1]
            sep = "" if is_cjk(last.text[-1:]) or is_cjk(b.text[:1]) else " "
            out[-1] = Box(
                last.x0, min(last.top, b.top), b.x1, max(last.bottom, b.bottom), last.text + sep + b.text
            )
        else:
            out.append(b)
    return out


def rows_from_lines(lines: list[Line]) -> list[tuple[float, list[str]]]:
    """Unruled tables: each line split into cells at wide gaps, value columns found by clustering
    the numbers' x-extents over the lines that hold several numbers. Returns (top, cells) per line;
    a line with no value columns is one cell."""
    split = []
    for line in lines:
        height = max(b.height for b in line.boxes)
        split.append((line, segments(line, 1.2 * height)))
    bands: list[list[float]] = []
    for _, segs in split:
        numbers = [s for s in segs if is_number(s.text)]
        if len(numbers) < 2:
            continue
        for s in numbers:
            for band in bands:
                if s.x0 < band[1] and s.x1 > band[0]:
                    band[0], band[1] = min(band[0], s.x0), max(band[1], s.x1)
                    break
            else:
                bands.append([s.x0, s.x1])
    bands.sort()
    out = []
    for line, segs in split:
        numbers = [s for s in segs if is_number(s.text)]
        if not bands or not numbers:
            out.append((line.top, [clean_text(" ".join(s.text for s in segs))]))
            continue
        label = [s.text for s in segs if s.x1 <= bands[0][0] + 1]
        values = [""] * len(bands)
        for s in segs:
            if s.x1 <= bands[0][0] + 1:
                continue
            centre = (s.x0 + s.x1) / 2
            k = min(range(len(bands)), key=lambda i, c=centre: abs((bands[i][0] + bands[i][1]) / 2 - c))
            values[k] = (values[k] + " " + s.text).strip()
        out.append((line.top, [clean_text("".join(label)), *values]))
    return out


def to_table(block: Block) -> Table:
    return [list(row) for row in block.rows]


def to_scores(block: Block) -> Scores | None:
    return [list(row) for row in block.scores] if block.scores is not None else None


def inside(box: Box, bbox: Bbox) -> bool:
    x, y = (box.x0 + box.x1) / 2, box.middle
    return bbox[0] <= x < bbox[2] and bbox[1] <= y < bbox[3]


def line_text(line: Line) -> str:
    height = max(b.height for b in line.boxes)
    return clean_text(" ".join(s.text for s in segments(line, 1.2 * height)))


@dataclass
class Page:
    """What one page holds in reading order: text lines and ruled table blocks, each at its top.
    ``grids`` are unruled tables whose rows are already among the text lines (tab-separated)."""

    items: list[tuple[float, str | Block]]
    grids: list[Block] = field(default_factory=list)


def page_from(boxes: list[Box], blocks: list[Block]) -> Page:
    """Assemble a page from its text boxes and the ruled blocks found on it. Boxes inside a block
    are the block's; the rest are text lines. A page with no ruled table is searched for an
    unruled one (rows at wide gaps, value columns from aligned numbers)."""
    rest = [b for b in boxes if not any(inside(b, bl.bbox) for bl in blocks)]
    lines = lines_of(rest)
    if blocks:
        items: list[tuple[float, str | Block]] = [(ln.top, line_text(ln)) for ln in lines]
        items += [(bl.bbox[1], bl) for bl in blocks]
        return Page(sorted(items, key=lambda i: i[0]))
    rows = rows_from_lines(lines)
    multi = [cells for _, cells in rows if len(cells) > 1]
    grids = []
    if len(multi) >= 2:
        grids.append(Block(multi, [list(range(len(r))) for r in multi], (0, 0, 0, 0)))
    return Page([(top, "\t".join(cells)) for top, cells in rows], grids)


def _row_text(row: list[str], ids: list[int]) -> str:
    """A grid row as one tab-separated line, a merged cell written once."""
    cells = [t for k, t in enumerate(row) if k == 0 or ids[k] != ids[k - 1] or ids[k] < 0]
    return "\t".join(cells)


def _content(page: Page) -> list[str | Block]:
    return [
        it for _, it in page.items if not (isinstance(it, str) and (not it.strip() or is_page_number(it)))
    ]


def running_key(text: str) -> str:
    """Running lines differ only in their numbers (a browser's footer: the URL and "2/5")."""
    return _DIGITS.sub("#", text)


def running_lines(pages: list[list[str | Block]]) -> set[str]:
    """Keys of the short lines that open or close more than one page: running headers and footers."""
    ends = Counter(
        key
        for items in pages
        for key in {running_key(it) for it in items[:1] + items[-1:] if isinstance(it, str) and len(it) <= 80}
    )
    return {key for key, n in ends.items() if n > 1}


def assemble(pages: list[Page]) -> tuple[str, list[Table], list[Scores | None]]:
    """Text and tables of a whole document. A table that ends a page and one that starts the next
    page with the same columns and no header (or the same header again) are one table; page
    numbers and running headers and footers between them do not count."""
    contents = [_content(page) for page in pages]
    running = running_lines(contents)
    flow: list[str | Block] = []
    grids: list[Block] = []
    seen: set[str] = set()  # a running header stays the first time (it may be the title); footers go
    for page, items in zip(pages, contents, strict=True):
        kept = []
        for k, it in enumerate(items):
            if isinstance(it, str) and running_key(it) in running and k in (0, len(items) - 1):
                if k > 0 or running_key(it) in seen:
                    continue
                seen.add(running_key(it))
            kept.append(it)
        for n, item in enumerate(kept):
            last = flow[-1] if flow else None
            if n == 0 and isinstance(item, Block) and isinstance(last, Block) and continues(last, item):
                join(last, item)
                continue
            flow.append(item)
        grids += page.grids
    lines: list[str] = []
    blocks: list[Block] = []
    for item in flow:
        if isinstance(item, Block):
            lines += [_row_text(row, ids) for row, ids in zip(item.rows, item.ids, strict=True)]
            blocks.append(item)
        else:
            lines.append(item)
    blocks += grids
    return "\n".join(lines), [to_table(b) for b in blocks], [to_scores(b) for b in blocks]
