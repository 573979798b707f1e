"""What every format reader hands to the report builder: text plus tables as grids."""

from dataclasses import dataclass, field

# A table is a list of rows; a row is a list of cell texts, rowspan/colspan already expanded
# (a merged cell's text repeated in every grid position it covers).
Table = list[list[str]]
# The OCR confidence (0-1) of each cell of a table read from a scan, None where nothing was read.
Scores = list[list[float | None]]
LOW_CONFIDENCE = 0.5  # a cell read from a scan with less is flagged in the record's warnings


@dataclass
class Document:
    text: str
    tables: list[Table] = field(default_factory=list)
    kind: str = "text"  # html | text | pdf | docx | doc | wps | xlsx | xls | image | ofd
    title: str | None = None  # from <title>/<h1>/document properties, when the format has one
    published_date: str | None = None  # from page metadata, ISO date, when the format has one
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, href) of attachment links
    warnings: list[str] = field(default_factory=list)
    scores: list[Scores | None] = field(default_factory=list)  # beside tables; empty: no OCR
