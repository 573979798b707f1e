"""Read the report's three tables into coded cells, from grids or from flattened text.

Every layout is first turned into the same stream of *lines of cells*: a grid row, a tab- or
pipe-separated text line, or a PDF/plain text line split on spaces. A line whose last cells are
numbers is a *value row*: its text cells are its own label, and the text lines since the previous
value row are floating labels (labels split over lines, or set apart from their numbers by a
converter). Runs of lines holding one number each (one cell per line) make one value row. A grid's
merged cell is read once (a merged value cell is told from equal neighbours by the merged column
name above it), a dash between numbers keeps its blank cell even where cells are split on spaces,
and a row is named by its label cell nearest the numbers.

The application table is then aligned to the template's 25 (2021) or 23 (2019) rows with a small
dynamic program: a row whose own label names a template row must go there, unlabeled rows fill the
template in order, floating labels break ties, and junk rows are skipped. That survives labels
lost, split, displaced or repeated, and rows missing from the report.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from . import labels as L
from .document import LOW_CONFIDENCE, Document, Scores, Table

NULL_MARKS = {"", "—", "——", "-", "--", "–", "/", "／", "\\", "无", "空", "…", "...", "——/"}
# Marks that stand for a blank cell even where the cells are only split on spaces: nobody writes
# "—" between two numbers of a table row for anything else.
DASHES = {"—", "——", "-", "--", "–", "―", "/", "／"}
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_SIGNED = re.compile(r"^(减少|增加|减|增)\s*(\d[\d,]*(?:\.\d+)?)$")
# A unit after the number inside a table cell ("0件", "251000元"): the cell still holds that number.
_UNIT = re.compile(r"(?<=\d)\s*(?:万元|元|件|个|项|次|人次|条|份|宗|家)$")
_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_PLAIN_SPLIT = re.compile(r"[ \t\u3000]+")


@lru_cache(maxsize=65536)  # cells are mostly the same few numbers and marks
def cell_value(text: str, structured: bool) -> tuple[bool, int | float | None]:
    """(is a value cell, its value). Blank and dash cells are values only inside real cells, and so
    are numbers followed by a unit: in running text "13件" is prose, not a cell."""
    t = unicodedata.normalize("NFKC", text).strip().replace(" ", "").replace("\u2212", "-")
    if structured:
        t = _UNIT.sub("", t)
    if _NUMBER.match(t):
        number = float(t.replace(",", "")) if "." in t else int(t.replace(",", ""))
        return True, number
    m = _SIGNED.match(t)
    if m:
        digits = m.group(2).replace(",", "")
        number = float(digits) if "." in digits else int(digits)
        return True, -number if m.group(1).startswith("减") else number
    if structured and t in NULL_MARKS:
        return True, None
    return False, None


@dataclass
class Value:
    raw: str
    value: int | float | None
    confidence: float | None = None  # the OCR reading's, for a cell read from a scan

    @property
    def blank(self) -> bool:
        return self.value is None


@dataclass
class Line:
    """One line of cells in reading order, and what it says once classified."""

    cells: list[str]
    structured: bool  # cells come from a grid or tab/pipe separators: blank cells keep positions
    label: str = ""
    values: list[Value] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # the label's cells
    scores: list[float | None] | None = None  # OCR confidence beside each cell, from a scan

    def __post_init__(self):
        kinds = [cell_value(c, self.structured) for c in self.cells]
        if not self.structured:
            kinds = [
                (True, None) if c.strip() in DASHES else k for c, k in zip(self.cells, kinds, strict=True)
            ]
        start = len(self.cells)
        while start > 0 and kinds[start - 1][0]:
            start -= 1
        texts = [
            c.strip()
            for c, (is_value, _) in zip(self.cells[:start], kinds[:start], strict=True)
            if not is_value
        ]
        self.texts = texts
        self.label = "".join(texts)
        scores = self.scores or [None] * len(self.cells)
        run = [Value(c.strip(), kinds[k][1], scores[k]) for k, c in enumerate(self.cells) if k >= start]
        while run and run[0].blank and not run[0].raw.strip():
            run.pop(0)  # blank cells between a label and its numbers are layout, not data
        marks = [v for v in run if v.raw]
        if any(not v.blank for v in run):
            self.values = run
        elif not self.label and len(marks) == 1 and marks[0].raw in DASHES:
            self.values = marks  # one blank cell on a line of its own (one cell per line)
        else:
            self.values = []

    @property
    def numbers(self) -> list[Value]:
        return [v for v in self.values if not v.blank]

    def name(self, namer) -> str | None:
        return own_name(self.texts, self.label, namer)


def own_name(texts: list[str], label: str, namer) -> str | None:
    """What a row's label names. The cell nearest the numbers says most (1.属于国家秘密 after
    （三）不予公开 after 三、本年度办理结果), and a cell that swallowed its neighbours' text (a
    PDF reader's merged cell) must not speak for the row; the joined label is the last resort,
    for a name split over cells."""
    for text in reversed(texts):
        if found := namer(text):
            return found
    return namer(label) if label else None


@dataclass
class ValueRow:
    label: str  # the row's own text cells
    floating: list[str]  # text lines since the previous value row, nearest last
    values: list[Value]
    structured: bool
    position: int  # index in the line stream
    texts: list[str] = field(default_factory=list)

    @property
    def numbers(self) -> list[Value]:
        return [v for v in self.values if not v.blank]

    def name(self, namer) -> str | None:
        return own_name(self.texts, self.label, namer)


def lines_from_text(text: str) -> list[Line]:
    lines = []
    for raw in text.splitlines():
        s = raw.strip()
        if not s:
            continue
        if s.startswith("|"):
            if _MD_SEPARATOR.match(s):
                continue
            cells = s.strip("|").split("|")
            lines.append(Line(cells, structured=True))
        elif "\t" in raw.strip("\n") and raw.strip(" \n"):
            lines.append(Line(raw.rstrip("\n").split("\t"), structured=True))
        else:
            lines.append(Line(_PLAIN_SPLIT.split(s), structured=False))
    return lines


def lines_from_tables(tables: list[Table], scores: list[Scores | None] | None = None) -> list[Line]:
    lines = []
    for table, grid in zip(tables, scores or [None] * len(tables), strict=True):
        header: list[str] = []  # the last row of column names seen in this table
        for r, row in enumerate(table):
            kept = unmerge(row, header)
            line = Line([row[k] for k in kept], structured=True, scores=grid and [grid[r][k] for k in kept])
            if not line.values and len(set(filter(None, row))) >= 2:
                header = row
            lines.append(line)
    return lines


def unmerge(row: list[str], header: list[str]) -> list[int]:
    """Positions of the row's cells, one copy of each merged cell. A merged label is repeated across the grid: keep one copy of
    each run. A merged value cell is repeated too, and is told from equal numbers side by side by
    the column name above it: the whole run stands under one merged header of two or three grid
    columns ("本年增/减" spanning two in the 2019 template). Wider headers (法人或其他组织,
    未经复议直接起诉) sit over real columns whenever a row of sub-headers is missing."""
    cells = []
    for i, c in enumerate(row):
        if i and c == row[i - 1]:
            if not cell_value(c, True)[0]:
                continue
            if len(header) == len(row) and header[i] and header[i] == header[i - 1]:
                a, b = i, i
                while a > 0 and header[a - 1] == header[i]:
                    a -= 1
                while b + 1 < len(header) and header[b + 1] == header[i]:
                    b += 1
                if b - a + 1 <= 3 and len(set(row[a : b + 1])) == 1:
                    continue
        cells.append(i)
    return cells


def value_rows(lines: list[Line]) -> list[ValueRow]:
    """Classify lines into value rows, merging runs of one-number lines (one cell per line)."""
    rows: list[ValueRow] = []
    floating: list[str] = []
    run: ValueRow | None = None
    for i, line in enumerate(lines):
        single = not line.label and len(line.values) == 1
        if single and run is not None:
            run.values.extend(line.values)
            continue
        run = None
        if line.values:
            row = ValueRow(line.label, floating, list(line.values), line.structured, i, line.texts)
            rows.append(row)
            floating = []
            if single:
                run = row
        elif line.label:
            floating.append(line.label)
    return rows


def text_lines_between(lines: list[Line], start: int, end: int) -> list[str]:
    return [ln.label for ln in lines[start:end] if ln.label and not ln.values]


@dataclass
class Tables:
    template: str | None = None
    active_disclosure: list[dict] = field(default_factory=list)
    applications: list[dict] = field(default_factory=list)
    review_litigation: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_tables(doc: Document) -> Tables:
    """The report's cells. Grids and text are both read; each table is taken from the better one."""
    candidates = []
    if doc.tables:
        candidates.append(read_lines(lines_from_tables(doc.tables, doc.scores or None)))
    if doc.text:
        candidates.append(read_lines(lines_from_text(doc.text)))
    if not candidates:
        return Tables()
    result = Tables(warnings=[w for c in candidates[:1] for w in c.warnings])
    for part in ("active_disclosure", "applications", "review_litigation"):
        best = max(
            candidates, key=lambda c, p=part: sum(1 for cell in getattr(c, p) if cell["value"] is not None)
        )
        setattr(result, part, getattr(best, part))
    templates = [c.template for c in candidates if c.template]
    result.template = templates[0] if templates else None
    result.warnings += doubtful(result)
    return result


def doubtful(tables: Tables) -> list[str]:
    """A warning for each cell read from a scan with low confidence: the number may be misread
    (the checks still judge it as printed)."""
    out = []
    for part in ("active_disclosure", "applications", "review_litigation"):
        for c in getattr(tables, part):
            if c.get("confidence") is not None and c["confidence"] < LOW_CONFIDENCE:
                where = "/".join(str(v) for k, v in c.items() if k not in ("value", "raw", "confidence"))
                out.append(
                    f"doubtful OCR reading {c['raw']!r} of {part}/{where} (confidence {c['confidence']:.2f})"
                )
    return out


def read_lines(lines: list[Line]) -> Tables:
    rows = value_rows(lines)
    apps_start = find_applications_start(lines, rows)
    review_start = find_review_start(lines, apps_start)
    active_rows = [r for r in rows if apps_start is None or r.position < apps_start]
    active_text = " ".join(ln.label for ln in lines[: apps_start if apps_start is not None else len(lines)])
    apps_rows = [
        r
        for r in rows
        if apps_start is not None
        and r.position >= apps_start
        and (review_start is None or r.position < review_start)
    ]
    template = detect_template(active_text, active_rows, apps_rows)
    result = Tables(template=template)
    if template is None or not looks_like_report_tables(lines, apps_rows, active_rows):
        return Tables()
    result.active_disclosure = read_active(active_rows, template)
    result.applications = read_applications(apps_rows, template, result.warnings)
    review_rows = [r for r in rows if review_start is not None and r.position >= review_start]
    result.review_litigation = read_review(review_rows, lines, review_start or 0)  # all null without one
    return result


def looks_like_report_tables(
    lines: list[Line], apps_rows: list[ValueRow], active_rows: list[ValueRow]
) -> bool:
    """Enough of the template is there: prose that quotes a few labels is no report."""
    data_rows = sum(1 for r in apps_rows if len(r.numbers) >= 5)
    active_items = {L.active_item(r.label) for r in active_rows if r.label} - {None}
    # A blank form has the labels, each alone in its cell, and no numbers.
    label_cells = {L.application_row(ln.label) for ln in lines if len(L.key(ln.label)) <= 40} - {None}
    return data_rows >= 4 or len(active_items) >= 2 or len(label_cells) >= 15


def find_applications_start(lines: list[Line], rows: list[ValueRow]) -> int | None:
    """Index of the line where the application table begins."""
    for r in rows:
        names = [r.name(L.application_row)]
        names += [L.application_row(t) for t in r.floating[-3:]]
        if "new" in names and len(r.numbers) >= 5:
            start = r.position
            # Take in its header lines too, up to the previous value row.
            while start > 0 and not lines[start - 1].values:
                start -= 1
                if "申请人情况" in L.key(lines[start].label) or "勾稽" in lines[start].label:
                    break
            return start
    for marker in ("申请人情况", "勾稽关系"):
        for i, ln in enumerate(lines):
            if marker in L.key(ln.label) and not ln.values:
                return i
    return None


def find_review_start(lines: list[Line], apps_start: int | None) -> int | None:
    start = apps_start or 0
    carried_forward_seen = False
    for i in range(start, len(lines)):
        ln = lines[i]
        if ln.values and ln.name(L.application_row) == "carried_forward":
            carried_forward_seen = True
        if not ln.values and "复议" in L.key(ln.label) and (carried_forward_seen or "诉讼" in ln.label):
            return i
        if ln.values and carried_forward_seen and ln.name(L.proceeding):
            return i  # no heading: the table starts with a row labelled by its proceeding
    return None


def detect_template(active_text: str, active_rows: list[ValueRow], apps_rows: list[ValueRow]) -> str | None:
    k = L.key(active_text)
    has_2019 = sum(w in k for w in L.TEMPLATE_2019_WORDS)
    has_2021 = sum(w in k for w in L.TEMPLATE_2021_WORDS)
    if has_2019 > has_2021:
        return "2019"
    if has_2021 > has_2019:
        return "2021"
    sub_rows = {r.name(L.application_row) for r in apps_rows} | {
        L.application_row(t) for r in apps_rows for t in r.floating
    }
    if sub_rows & {"other.no_correction", "other.no_fee"}:
        return "2021"
    if "other" in sub_rows:
        return "2019"
    if apps_rows or any(L.active_item(r.label) for r in active_rows):
        return "2021"
    return None


def fit(values: list[Value], width: int, structured: bool) -> list[Value | None]:
    """Exactly ``width`` cells from a row's value run."""
    if len(values) == width and (structured or any(v.blank for v in values)):
        return list(values)  # every cell in place: a grid's blanks, or dashes between the numbers
    numbers = [v for v in values if not v.blank]
    if len(numbers) >= width:
        return numbers[-width:]
    if width == 3 and len(numbers) == 2:
        return [numbers[0], None, numbers[1]]  # the middle (废止/新公开) column is the one converters drop
    return numbers + [None] * (width - len(numbers))


def cell(value: Value | None) -> dict:
    out = {"value": value.value if value else None, "raw": value.raw if value else None}
    if value and value.confidence is not None:
        out["confidence"] = round(value.confidence, 3)
    return out


def read_active(rows: list[ValueRow], template: str) -> list[dict]:
    metrics = L.ACTIVE_METRICS[template]
    labeled: dict[str, ValueRow] = {}
    floated: dict[str, ValueRow] = {}
    for r in rows:
        if r.label:
            item, into = r.name(L.active_item), labeled
        else:  # a label on the line(s) just above: one cell per line, or a converter's split
            item, into = next((i for i in map(L.active_item, reversed(r.floating[-2:])) if i), None), floated
        if item in metrics and item not in into:
            into[item] = r
    found = {**floated, **labeled}
    cells = []
    for item, names in metrics.items():
        row = found.get(item)
        values = fit(row.values, len(names), row.structured) if row else [None] * len(names)
        cells += [{"item": item, "metric": m, **cell(v)} for m, v in zip(names, values, strict=True)]
    return cells


def floating_names(texts: list[str]) -> set[str]:
    names = {L.application_row(t) for t in texts}
    names |= {L.application_row(a + b) for a, b in zip(texts, texts[1:], strict=False)}
    return names - {None}


def split_runs(rows: list[ValueRow], width: int) -> list[ValueRow]:
    """One-cell-per-line runs that swallowed several rows (a label line lost) are cut per row."""
    out = []
    for r in rows:
        n = len(r.values)
        if not r.structured and n > width and n % width == 0:
            for k in range(0, n, width):
                out.append(
                    ValueRow(
                        r.label if k == 0 else "",
                        r.floating if k == 0 else [],
                        r.values[k : k + width],
                        False,
                        r.position,
                        r.texts if k == 0 else [],
                    )
                )
        else:
            out.append(r)
    return out


def read_applications(rows: list[ValueRow], template: str, warnings: list[str]) -> list[dict]:
    width = len(L.APPLICANTS)
    rows = split_runs(rows, width)
    order = [c for c, _, _ in L.APPLICATION_ROWS] if template == "2021" else L.ROWS_2019
    assigned = align(rows, order, template)
    cells = []
    for code in order:
        row = assigned.get(code)
        if row is None and code == "other" and template == "2021":
            continue  # the 2021 template splits (六) into three rows; the one-row form is optional
        values = fit(row.values, width, row.structured) if row else [None] * width
        if row and len(row.numbers) not in (width, width - 1) and len(row.values) != width:
            warnings.append(f"row {code}: {len(row.numbers)} numbers where {width} were expected")
        cells += [{"row": code, "applicant": a, **cell(v)} for a, v in zip(L.APPLICANTS, values, strict=True)]
    return cells


def align(rows: list[ValueRow], order: list[str], template: str) -> dict[str, ValueRow]:
    """Best monotone assignment of value rows to template rows (dynamic programming)."""
    m, n = len(rows), len(order)
    own = [r.name(L.application_row) for r in rows]
    hints = [floating_names(r.floating) for r in rows]
    full = [len(r.numbers) >= 6 or len(r.values) == 7 for r in rows]  # a whole row of values

    def score(i: int, j: int) -> float:
        code = order[j]
        s = 0.0 if full[i] else -10.0
        if own[i]:
            return s + (10 if own[i] == code else -15)
        s += 1 + (3 if code in hints[i] else 0)
        if code == "other" and template == "2021":
            s -= 4  # a bare row under (六) is one of its three sub-rows, unless labeled otherwise
        return s

    def skip_template(j: int) -> float:
        return 0.0 if order[j] == "other" else -1.0

    neg = float("-inf")
    best = [[neg] * (n + 1) for _ in range(m + 1)]
    step = [[None] * (n + 1) for _ in range(m + 1)]
    best[0][0] = 0.0
    for i in range(m + 1):
        for j in range(n + 1):
            here = best[i][j]
            if here == neg:
                continue
            moves = []
            if i < m and j < n:
                moves.append((i + 1, j + 1, here + score(i, j), "match"))
            if i < m:
                moves.append((i + 1, j, here - 2.0, "skip_row"))
            if j < n:
                moves.append((i, j + 1, here + skip_template(j), "skip_template"))
            for a, b, value, kind in moves:
                if value > best[a][b]:
                    best[a][b] = value
                    step[a][b] = kind
    assigned: dict[str, ValueRow] = {}
    i, j = m, n
    while i > 0 or j > 0:
        kind = step[i][j]
        if kind == "match":
            assigned[order[j - 1]] = rows[i - 1]
            i, j = i - 1, j - 1
        elif kind == "skip_row":
            i -= 1
        else:
            j -= 1
    return assigned


def read_review(rows: list[ValueRow], lines: list[Line], start: int) -> list[dict]:
    """The 15 cells in template order. A row labelled with its proceeding goes to that
    proceeding, whatever its place; unlabelled values fill the others in order."""
    width = len(L.PROCEEDINGS) * len(L.OUTCOMES)
    per = len(L.OUTCOMES)
    labelled: dict[str, list[Value | None]] = {}
    collected: list[Value | None] = []
    for r in rows:
        stop_words = text_lines_between(lines, start, r.position)
        if any(w in t for t in stop_words for w in ("存在的主要问题", "其他需要报告", "改进情况")):
            break
        named = r.name(L.proceeding)
        if named and named not in labelled and len(r.numbers) <= per:
            labelled[named] = fit(r.values, per, r.structured)
        else:
            values = r.values if r.structured or any(v.blank for v in r.values) else r.numbers
            if len(collected) + len(values) > width:
                values = r.numbers
            collected.extend(values)
        if len(collected) + per * len(labelled) >= width:
            break
    unlabelled = iter([p for p in L.PROCEEDINGS if p not in labelled])
    for k in range(0, len(collected), per):
        proceeding = next(unlabelled, None)
        if proceeding is None:
            break
        labelled[proceeding] = collected[k : k + per]
    cells = []
    for proceeding in L.PROCEEDINGS:
        values = labelled.get(proceeding, [])
        values = list(values[:per]) + [None] * (per - len(values))
        cells += [
            {"proceeding": proceeding, "outcome": o, **cell(v)}
            for o, v in zip(L.OUTCOMES, values, strict=True)
        ]
    return cells
