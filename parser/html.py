"""Report pages: the body text, every report table as a grid, and the page's own metadata.

The text comes from trafilatura (it finds the article among menus and footers); the tables never
do: each report table is swapped for a placeholder before trafilatura runs and written back as
tab-separated rows, so the text still holds the tables in place for a reader working from text.
Where trafilatura keeps too little (pages built by scripts, odd CMS templates), the text is read
with lxml from the main content block instead.
"""

import copy
import re
from urllib.parse import urljoin

import lxml.etree
import lxml.html
import trafilatura

from .document import Document, Table
from .encoding import decode
from .errors import ParseError
from .labels import ANY_REPORT, is_attachment, simplified
from .limits import MAX_CELLS, MAX_HTML_BYTES, MAX_SPAN
from .meta import PUBLISHED_LABEL, iso_date

_BLOCK = {
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}  # fmt: skip
_SKIP = {"script", "style", "noscript", "template", "head", "title", "select", "option", "iframe", "svg"}
_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3001-\u303f"
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002-\u200a\u202f\u205f]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")

# Containers that hold the article on the CMS families of government portals (see
# tests/fixtures/shared/portals/cms/README.md): TRS, Hanweb, UCAP, Epoint, VSB, chinatax.
_MAIN = [
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[contains(@class, 'trs_editor_view')]",
    "//*[@id='UCAP-CONTENT']",
    "//*[@id='zoom']",
    "//*[@id='zoomcon']",
    "//*[@id='ivs_content']",
    "//*[starts-with(@id, 'vsb_content')]",
    "//*[contains(@class, 'v_news_content')]",
    "//*[contains(@class, 'article_zoom')]",
    "//*[contains(@class, 'article-content')]",
    "//article",
]
_BOILERPLATE = "//nav | //header | //footer | //*[@id='header' or @id='footer' or @id='nav']"

_PUBLISHED_META = ("pubdate", "firstpublishedtime", "publishdate", "article:published_time", "published_time")
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜| - | — |－|--|-)\s*")


def clean_line(text: str) -> str:
    """One line of page text: odd spaces folded, spaces next to Chinese characters dropped."""
    text = _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()
    return _CJK_SPACE.sub("", text)


def clean_cell(text: str) -> str:
    """A table cell as one line: its lines joined without a space ("商业<br>企业" is 商业企业),
    except between two Latin words or numbers, which keep one space."""
    out = ""
    for line in filter(None, (clean_line(x) for x in text.split("\n"))):
        if out and out[-1].isascii() and out[-1].isalnum() and line[0].isascii() and line[0].isalnum():
            out += " "
        out += line
    return out


def text_of(el: lxml.html.HtmlElement, skip=(), replace: dict | None = None) -> str:
    """The element's text with a line break at every <br> and around every block element;
    elements in ``skip`` left out, those in ``replace`` written as a line of the given text."""
    parts: list[str] = []
    replace = replace or {}

    def walk(e):
        tag = e.tag.lower() if isinstance(e.tag, str) else None
        if tag in _SKIP or e in skip:
            return
        if e in replace:
            parts.append(f"\n{replace[e]}\n")
            return
        if tag in _BLOCK:
            parts.append("\n")
        if tag is not None and e.text:
            parts.append(e.text)
        for child in e:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK:
            parts.append("\n")

    walk(el)
    return "".join(parts)


def _own_rows(table) -> list:
    return [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]


_SPAN = re.compile(r"\s*(\d+)")


def _span(value: str | None) -> int:
    m = _SPAN.match(value or "")
    return int(m.group(1)) if m else 1


def read_grid(table) -> tuple[Table, list[list[int]], bool]:
    """Expand one <table> into a grid: (rows of cell texts, rows of cell ids, truncated?).

    A merged cell's text is repeated in every position it covers; its id too, so a writer can
    tell one merged cell from equal neighbours."""
    rows = _own_rows(table)
    taken: dict[tuple[int, int], tuple[str, int]] = {}
    cell_id = 0
    truncated = False
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            rowspan = _span(cell.get("rowspan"))
            rowspan = len(rows) - r if rowspan == 0 else min(rowspan, len(rows) - r, MAX_SPAN)
            colspan = min(max(_span(cell.get("colspan")), 1), MAX_SPAN)
            if len(taken) + rowspan * colspan > MAX_CELLS:
                truncated = True
                break
            text = clean_cell(text_of(cell))
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.setdefault((r + dr, c + dc), (text, cell_id))
            cell_id += 1
            c += colspan
        if truncated:
            break
    width = 1 + max((c for _, c in taken), default=-1)
    height = 1 + max((r for r, _ in taken), default=-1)
    grid = [[taken.get((r, c), ("", -1))[0] for c in range(width)] for r in range(height)]
    ids = [[taken.get((r, c), ("", -1))[1] for c in range(width)] for r in range(height)]
    return grid, ids, truncated


def row_line(row: list[str], ids: list[int]) -> str:
    """A grid row as a tab-separated line, a cell merged across columns written once."""
    return "\t".join(t for k, t in enumerate(row) if k == 0 or ids[k] < 0 or ids[k] != ids[k - 1])


def _width(table) -> int:
    return max((sum(1 for c in tr if c.tag in ("td", "th")) for tr in _own_rows(table)), default=0)


def report_tables(root) -> list:
    """Tables that hold data: the innermost tables with more than one row and column. A table
    wrapping another such table is page layout, and so is a single column (a menu)."""
    multi = [t for t in root.iter("table") if len(_own_rows(t)) > 1 and _width(t) > 1]
    wrappers = {outer for t in multi for outer in t.iterancestors("table")}
    return [t for t in multi if t not in wrappers]


def _parse(html: str) -> lxml.html.HtmlElement:
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    # A stray </html> or </body> before the article (seen on www.gov.cn) makes libxml2 drop the rest.
    html = re.sub(r"</(?:html|body)\s*>", "", html, flags=re.I)
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as e:
        raise ParseError(f"unreadable HTML: {e}") from e


def _first(root, xpath: str):
    found = root.xpath(xpath)
    return found[0] if found else None


def _meta(root, *names: str) -> str | None:
    for name in names:
        for el in root.iter("meta"):
            key = (el.get("name") or el.get("property") or el.get("itemprop") or "").strip().lower()
            if key == name.lower() and (el.get("content") or "").strip():
                return el.get("content").strip()
    return None


def _headings(root) -> list:
    return root.xpath(
        "//h1 | //h2 | //*[contains(concat(' ', normalize-space(@class), ' '), ' title ')]"
        " | //*[contains(@class, 'article-title') or contains(@class, 'article_title')]"
    )


def _names_report(text: str) -> bool:
    return bool(ANY_REPORT.search(simplified(text)))


def page_title(root) -> tuple[str | None, object]:
    """(title, heading element to keep in the text, if any)."""
    meta = _meta(root, "ArticleTitle", "og:title")
    headings = [(h, clean_cell(text_of(h))) for h in _headings(root)]
    headings = [(h, t) for h, t in headings if 4 <= len(t) <= 120]
    report = next(((h, t) for h, t in headings if _names_report(t)), None)
    if meta:
        return clean_line(meta), report[0] if report else None
    if report:
        return report[1], report[0]
    title_el = _first(root, "//title")
    parts = (
        [p for p in _TITLE_SEPARATORS.split(clean_line(title_el.text_content())) if p]
        if title_el is not None
        else []
    )
    named = next((p for p in parts if _names_report(p)), None)
    if named:
        return named, None
    h1 = next(((h, t) for h, t in headings if h.tag == "h1"), None)
    if h1:
        return h1[1], h1[0]
    return (parts[0] if parts else None), None


def published_date(root, main=None) -> str | None:
    """From the page's metadata, else a 发布日期 label around the article (not in it: a report or
    notice may quote other documents' dates)."""
    value = _meta(root, *_PUBLISHED_META)
    date = iso_date(value) if value else None
    if date:
        return date
    body = root.find("body")
    around = text_of(body if body is not None else root, skip={main} if main is not None else ())
    m = PUBLISHED_LABEL.search(clean_line(around.replace("\n", " ")))
    return iso_date(m.group(1)) if m else None


def attachment_links(root, url: str | None) -> list[tuple[str, str]]:
    base = _first(root, "//base[@href]")
    base_url = urljoin(url or "", base.get("href").strip()) if base is not None else url or ""
    links: list[tuple[str, str]] = []
    seen = set()
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        text = clean_cell(text_of(a)) or (a.get("title") or "").strip()
        absolute = urljoin(base_url, href) if base_url else href
        if is_attachment(absolute, text) and absolute not in seen:
            seen.add(absolute)
            links.append((text, absolute))
    return links


def _table_lines(grid: Table, ids: list[list[int]]) -> list[str]:
    return [row_line(row, row_ids) for row, row_ids in zip(grid, ids, strict=True)]


_PLACEHOLDER = re.compile(r"govreportstable(\d+)placeholder")


def _placeholder(n: int) -> str:
    return f"govreportstable{n}placeholder"


def _with_tables(raw: str, lines_of: list[list[str]]) -> tuple[str, int]:
    """Clean text lines, each table placeholder line replaced by the table's rows; and how many
    tables were placed."""
    out: list[str] = []
    found = set()
    for line in raw.split("\n"):
        m = _PLACEHOLDER.search(line)
        if m and int(m.group(1)) < len(lines_of):
            found.add(int(m.group(1)))
            out += lines_of[int(m.group(1))]
        elif clean_line(line):
            out.append(clean_line(line))
    return "\n".join(out), len(found)


def _trafilatura_text(root, lines_of: list[list[str]]) -> str | None:
    """Body text from trafilatura, each report table written back where it stood; None when
    trafilatura lost a table or found nothing."""
    work = copy.deepcopy(root)
    for n, t in enumerate(report_tables(work)):
        p = lxml.html.Element("p")
        p.text = _placeholder(n)
        p.tail = t.tail
        t.getparent().replace(t, p)
    for el in work.iter("table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption"):
        el.tag = "div"  # layout tables: their content is text, not a grid
    extracted = trafilatura.extract(
        work, favor_recall=True, include_tables=True, include_comments=False, output_format="txt"
    )
    if not extracted:
        return None
    text, placed = _with_tables(extracted, lines_of)
    return text if placed == len(lines_of) else None


def main_content(root):
    """The article container of a known CMS template, if the page has one."""
    return next((el for xp in _MAIN for el in root.xpath(xp)), None)


def _lxml_text(root, main, tables: list, lines_of: list[list[str]]) -> str:
    """Text of the main content block (or the body without navigation, header and footer)."""
    skip: set = set()
    if main is None:
        main = root.find("body") if root.find("body") is not None else root
        skip = set(root.xpath(_BOILERPLATE))
    placeholders = {t: _placeholder(n) for n, t in enumerate(tables)}
    return _with_tables(text_of(main, skip, placeholders), lines_of)[0]


def _enough(text: str, fallback: str, from_container: bool) -> bool:
    """Did trafilatura keep the article? Against a known CMS container: nearly all its paragraphs.
    Against the whole body (menus and all): at least a third of its text."""
    if from_container:
        paragraphs = [line for line in fallback.split("\n") if len(line) >= 10 and "\t" not in line]
        return sum(1 for p in paragraphs if p in text) >= 0.8 * len(paragraphs)
    prose = [line for line in text.split("\n") if "\t" not in line]
    body = [line for line in fallback.split("\n") if "\t" not in line]
    return sum(map(len, prose)) >= max(200, sum(map(len, body)) / 3)


def _with_heading(text: str, heading: list[str]) -> str:
    """The report's heading on top of the text, once: extractors drop a page's <h1> or keep only
    part of a heading broken by <br> (a title over two lines, which the metadata reader needs whole)."""
    lines = text.split("\n")
    if heading and lines[: len(heading)] == heading:
        return text
    parts = set(heading) | {"".join(heading)}
    head = [line for line in lines[:8] if line not in parts]
    return "\n".join(heading + head + lines[8:])


_INLINE_DATA = re.compile(rb"data:[\w/+.-]{1,100};base64,[A-Za-z0-9+/=\s]{256,}")


def read_html(data: bytes, content_type: str | None = None, url: str | None = None) -> Document:
    data = _INLINE_DATA.sub(b"data:,", data)  # pictures inlined in the page are no text
    if len(data) > MAX_HTML_BYTES:
        raise ParseError(
            f"page too large: {len(data)} bytes of markup without its inline pictures "
            f"(limit MAX_HTML_BYTES {MAX_HTML_BYTES}); a report page has well under 1 MB"
        )
    root = _parse(decode(data, content_type))
    warnings = []
    tables = report_tables(root)
    grids, lines_of = [], []
    for t in tables:
        grid, ids, truncated = read_grid(t)
        if truncated:
            warnings.append(f"a table larger than {MAX_CELLS} cells was cut short")
        grids.append(grid)
        lines_of.append(_table_lines(grid, ids))
    main = main_content(root)
    fallback = _lxml_text(root, main, tables, lines_of)
    text = _trafilatura_text(root, lines_of)
    if text is None or not _enough(text, fallback, main is not None):
        text = fallback
    title, heading = page_title(root)
    if heading is not None:
        text = _with_heading(text, [clean_line(x) for x in text_of(heading).split("\n") if clean_line(x)])
    return Document(
        text=text,
        tables=grids,
        kind="html",
        title=title,
        published_date=published_date(root, main),
        links=attachment_links(root, url),
        warnings=warnings,
    )
