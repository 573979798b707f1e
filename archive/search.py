"""Full-text search over reports that finds Chinese words of any length: 1, 2 or more characters.

SQLite's default tokenizer keeps a whole run of Chinese characters as one token, and its trigram
tokenizer finds nothing shorter than three characters (复议, 北仑). So the index is an ordinary
FTS5 table (unicode61 tokenizer) over text that we segment ourselves: every run of CJK characters
becomes its overlapping bigrams plus the run's last character alone::

    卫生健康局 -> 卫生 生健 健康 康局 局

A query is segmented the same way into a phrase (tokens that must follow each other): a query of
two or more characters becomes its bigrams (卫生健康 -> "卫生 生健 健康"), a single character a
prefix token (局 -> "局"*, which matches 局 alone and every bigram starting with it). Any
substring of the text is therefore found, across word boundaries too, and nothing else is.
Non-CJK words (2021, PDF) pass through to unicode61 as they are.

The same function, :func:`fts_query`, is registered as the SQL function ``escape_fts`` in Datasette
(this module is a Datasette plugin, see pyproject.toml), so the search box of the reports table
and canned queries written as ``reports_fts match escape_fts(:q)`` work for Chinese. For queries
without Chinese characters it returns exactly what Datasette's own ``escape_fts`` returns.

Only the latest version of each report is indexed: search answers "which reports say this now".

The index is contentless (``content=''``): the text lives once, in ``reports.text``, and the index
keeps only the tokens and their positions. Taking a report out of it therefore needs the values it
was indexed with (FTS5's 'delete' command); :func:`unindex_report` reads them from the reports row,
which is why a row leaves the index before its text changes.

One character. A one-character query is a prefix query ("局"*): FTS5 merges the doclists of
every bigram that starts with the character, which for a common one is most of the index. So
:data:`SEARCH_SQL` first reads the text of the newest :data:`SCANNED` reports: a common character
has more than :data:`RANKED` matches among them, and those are the newest matches (every newer
report was read); only a character rarer than that goes to the index, where it is cheap.

Ranking. A word that is in most reports (复议, 不掌握: the forms print them) matches hundreds of
thousands of rows, and ranking all of them by bm25 takes seconds. :data:`SEARCH_SQL` takes the
newest :data:`RANKED` + 1 matches (FTS5 walks its doclists backwards and stops); when there are
no more than :data:`RANKED` it ranks them (title and agency weigh more than the text), otherwise
it lists the newest first (the highest report ids: the last filed). The canned query ``search`` in datasette/metadata.yaml is the same SQL.
"""

import json
import re
import sqlite3
import unicodedata
from typing import NamedTuple

import pluggy
import sqlite_utils

FTS_TABLE = "reports_fts"
# CJK unified ideographs (with extension A, compatibility forms, the supplementary planes) and 〇
_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(f"[{_CJK}]+")
_SPLIT = re.compile(f"([{_CJK}]+)")
_TOKEN_CHAR = re.compile(r"[^\W_]")  # what unicode61 keeps inside tokens: letters and digits
_BITS = re.compile(r'\s+|(".*?")')  # Datasette's split of a query into terms and "quoted phrases"


def _grams(run: str, tail: bool = True) -> list[str]:
    grams = [run[i : i + 2] for i in range(len(run) - 1)]
    if tail or len(run) == 1:
        grams.append(run[-1])
    return grams


def segment(text: str | None) -> str:
    """The text as it goes into the index: each CJK run spelled as bigrams plus its last character."""
    text = unicodedata.normalize("NFKC", text or "")
    return _RUN.sub(lambda m: " " + " ".join(_grams(m.group())) + " ", text)


def _phrase(term: str) -> str | None:
    pieces = _SPLIT.split(unicodedata.normalize("NFKC", term))  # odd positions are CJK runs
    last = max((i for i, p in enumerate(pieces) if _TOKEN_CHAR.search(p)), default=None)
    if last is None:
        return None
    tokens, prefix = [], False
    for i, piece in enumerate(pieces[: last + 1]):
        if i % 2 == 0:
            tokens.append(piece.strip())
        elif i < last:
            tokens.extend(_grams(piece))  # followed by more of the term: same tokens as the text
        else:
            tokens.extend(_grams(piece, tail=False))  # the end of the term may be inside a text run
            prefix = len(piece) == 1
    return '"' + " ".join(filter(None, tokens)).replace('"', '""') + '"' + ("*" if prefix else "")


def fts_query(query: str | None) -> str:
    """The FTS5 MATCH expression for a search-box query: every term must occur (AND), each as
    a phrase; "quoted words" stay one phrase. ``""`` (matches nothing) when nothing is searchable."""
    query = query or ""
    if query.count('"') % 2:
        query += '"'
    phrases = (_phrase(bit.strip('"')) for bit in _BITS.split(query) if bit and bit != '""')
    return " ".join(p for p in phrases if p) or '""'


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def terms(query: str | None) -> list[str]:
    """The words and "quoted phrases" of a search-box query, as the index reads them (NFKC)."""
    bits = (unicodedata.normalize("NFKC", bit.strip('"')).strip() for bit in _BITS.split(query or "") if bit)
    return [bit for bit in bits if bit]


def _as_printed(term: str) -> str:
    """A pattern for ``term`` as a text may print it: ASCII letters, digits and signs also in their
    full-width forms (２０２１ for 2021), which the index reads as ASCII (NFKC)."""
    return "".join(
        f"[{re.escape(c)}{chr(ord(c) + 0xFEE0)}]" if "!" <= c <= "~" else re.escape(c) for c in term
    )


def passage(text: str | None, query: str, width: int = 40) -> list[tuple[str, bool]]:
    """The piece of ``text`` around the first term of ``query`` found in it, ``width`` characters
    either side, as (part, whether it is a term) pairs: every term in it stands apart, and "…"
    stands where the text was cut. The start of the text when no term is in it.

    Only the piece is cleaned up (whitespace runs become one space): reports are long, and this
    runs for every row of a result page."""
    text = text or ""
    words = sorted(terms(query), key=len, reverse=True)  # longest first: a term inside another is not split
    pattern = re.compile("(" + "|".join(map(_as_printed, words)) + ")", re.I) if words else None
    found = pattern.search(text) if pattern else None
    if found:
        at, end = found.span()
        before = _squash(text[max(0, at - 3 * width) : at])[-width:].lstrip()
        after = _squash(text[end : end + 3 * width])[:width].rstrip()
        piece, cut_before, cut_after = before + found.group() + after, at > width, end + width < len(text)
    else:
        piece, cut_before, cut_after = (
            _squash(text[: 4 * width]).strip()[: 2 * width],
            False,
            len(text) > 2 * width,
        )
    parts = [("…", False)] if cut_before else []
    for i, part in enumerate(pattern.split(piece) if pattern else [piece]):
        parts.append((part, i % 2 == 1))
    return parts + ([("…", False)] if cut_after else [])


def snippet(text: str | None, query: str, width: int = 40) -> str:
    """A piece of ``text`` around the first term of ``query`` found in it, the terms in 【】."""
    return "".join(f"【{part}】" if term else part for part, term in passage(text, query, width))


FTS_SQL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, agency, text, content='', tokenize = 'unicode61')"
)
INSERT_SQL = f"INSERT INTO {FTS_TABLE}(rowid, title, agency, text) VALUES (?, ?, ?, ?)"
RANKED = 2000  # up to this many matches are ranked by bm25; more are listed newest first
# The newest RANKED + 1 matches; ranked when they are all there are (bm25 counts every match of
# each term, so it runs only then), newest first otherwise. A guard is written into the MATCH
# expression ('""' matches nothing at once): a WHERE term beside MATCH is only tested after FTS5
# has started its query.
SCANNED = 3000  # one-character queries: how many of the newest reports are read before the index
# a one-character :match: the newest SCANNED reports whose text has the character, up to RANKED + 1
SCAN_SQL = f"""select id from reports
  where :match like '"_"*' and is_latest = 1 and id > (select max(id) from reports) - {SCANNED}
    and instr(text, substr(:match, 2, 1)) > 0
  order by id desc limit {RANKED + 1}"""
SEARCH_SQL = f"""with scan as materialized ({SCAN_SQL}),
newest as materialized (
  select id from scan where (select count(*) from scan) > {RANKED}
  union all
  select id from (
    select rowid as id from {FTS_TABLE}
    where {FTS_TABLE} match case when (select count(*) from scan) <= {RANKED} then :match else '""' end
    order by rowid desc limit {RANKED + 1}
  )
),
ranked as materialized (
  select rowid as id, bm25({FTS_TABLE}, 10.0, 5.0, 1.0) as score from {FTS_TABLE}
  where {FTS_TABLE} match case when (select count(*) from newest) <= {RANKED} then :match else '""' end
),
page as materialized (
  select newest.id, ranked.score from newest left join ranked on ranked.id = newest.id
  order by ranked.score, newest.id desc limit {{limit}}
)
select {{columns}}
from page join reports r on r.id = page.id
order by page.score, r.id desc"""
PAGE = 20  # results on the first page of a search: the canned query's, and the reports table's search box's
SEARCH_COLUMNS = "r.id, r.url, r.title, r.agency, r.province, r.city, r.county, r.year, r.check_failures"
# The canned query of datasette/metadata.yaml (``govreports serve`` puts this SQL there): the
# first PAGE matches (edit the limit in its SQL for more)
CANNED_SEARCH_SQL = SEARCH_SQL.format(
    columns="r.id, r.title, r.agency, r.province, r.city, r.year, r.check_failures, "
    "fts_snippet(r.text, :q) as snippet, r.url",
    limit=PAGE,
).replace(":match", "escape_fts(:q)")


# The reports table's search box (Datasette's ?_search=, and ?_search_<column>= for one column of
# the index; datasette/plugins/table_search.py): a filter on the table's own rows, read in the
# page's own order. How it is written depends on how common the search is (:func:`table_search`).
INDEXED = ("title", "agency", "text")  # the index's columns, each searchable alone
# in at most RANKED reports: its matches, read from the index once (table_search) and handed to
# the page's queries as a JSON array, so that its rows, count and facets do not each search again
# (a long name is a phrase of a dozen tokens, some in every report: 15 ms a search)
FEW = "id in (select value from json_each(:matches))"
# in more: each row the page reads is tested, so that the first page reads about as many rows as
# it shows instead of every match; a word looked up in the index, one character found in the
# row's columns (a prefix query per row would merge the doclists of every bigram the character starts)
ROW_IN_INDEX = (
    f"exists (select 1 from {FTS_TABLE} where {FTS_TABLE} match :match{{n}} and rowid = reports.id)"
)
ROW_HAS_CHARACTER = "instr({column}, :character{n}) > 0"
_ONE_CHARACTER = re.compile(r'"."\*')
# where datasette/plugins/table_search.py leaves table_search's answer for a request (its ASGI
# scope), so that the page's facets (plugins/govreports_site.py) need not ask again
TABLE_SEARCH_SCOPE = "govreports.table_search"


def searches_in(args) -> dict[str | None, str]:
    """What a reports-table request searches for, as :func:`table_search` takes it, from its
    arguments ``args`` (a mapping of name to value): ``_search`` and ``_search_<column>``."""
    names = {"_search": None, **{f"_search_{column}": column for column in INDEXED}}
    return {column: args[name] for name, column in names.items() if (args.get(name) or "").strip()}


class TableSearch(NamedTuple):
    where: str  # the filter on the reports table
    params: dict
    common: bool  # in more than RANKED reports: the page does not count its rows


def table_search(conn: sqlite3.Connection, searches: dict[str | None, str]) -> TableSearch:
    """How the reports table's search box filters for ``searches``: {None: the query of
    ``?_search=``, column: the query of ``?_search_<column>=``} (every one must match). Reads at
    most RANKED + 1 matches (first the newest SCANNED reports' texts, for one character) to tell."""
    terms = [(column, fts_query(query)) for column, query in searches.items()]
    tests = _row_tests(terms)
    if all(_ONE_CHARACTER.fullmatch(match) for _, match in terms):
        newest = f"""select 1 from reports where {tests.where}
          and id > (select max(id) from reports) - {SCANNED} limit {RANKED + 1}"""
        if conn.execute(f"select count(*) from ({newest})", tests.params).fetchone()[0] > RANKED:
            return tests
    match = " AND ".join(f"({m})" if column is None else f"({column} : ({m}))" for column, m in terms)
    sql = f"select rowid from {FTS_TABLE} where {FTS_TABLE} match ? limit {RANKED + 1}"
    matches = [row[0] for row in conn.execute(sql, [match])]
    if len(matches) > RANKED:
        return tests
    return TableSearch(FEW, {"matches": json.dumps(matches)}, False)


def _row_tests(terms: list[tuple[str | None, str]]) -> TableSearch:
    tests, params = ["is_latest = 1"], {}
    for i, (column, match) in enumerate(terms):
        n = i or ""
        if _ONE_CHARACTER.fullmatch(match):
            found = (ROW_HAS_CHARACTER.format(column=c, n=n) for c in ([column] if column else INDEXED))
            tests.append("(" + " or ".join(found) + ")")
            params[f"character{n}"] = match[1]
        else:
            tests.append(ROW_IN_INDEX.format(n=n))
            params[f"match{n}"] = match if column is None else f"{column} : ({match})"
    return TableSearch(" and ".join(tests), params, True)


def create_fts(db: sqlite_utils.Database) -> None:
    """The index, created if missing; an index of the older kind (with its own copy of the text)
    is replaced by a contentless one filled from the reports."""
    found = db.execute("select sql from sqlite_master where name = ?", [FTS_TABLE]).fetchone()
    if found and "content=''" in found[0]:
        return
    with db.conn:
        if found:
            db.execute(f"DROP TABLE {FTS_TABLE}")
        db.execute(FTS_SQL)
        if db["reports"].exists():
            rows = db.execute("select id, title, agency, text from reports where is_latest = 1")
            db.conn.executemany(INSERT_SQL, (index_values(*row) for row in rows))


def index_values(report_id: int, title, agency, text) -> list:
    """What the index holds for one report: (rowid, title, agency, text), segmented."""
    return [report_id, segment(title), segment(agency), segment(text)]


def index_report(db: sqlite_utils.Database, report_id: int, title, agency, text) -> None:
    """Put one report into the index (a report not in it: see :func:`unindex_report`)."""
    db.execute(INSERT_SQL, index_values(report_id, title, agency, text))


def unindex_report(db: sqlite_utils.Database, report_id: int) -> None:
    """Take a report out of the index, with the values its reports row was indexed with: call it
    while the row still holds them, and only for a report in the index (the latest version)."""
    row = db.execute("select id, title, agency, text from reports where id = ?", [report_id]).fetchone()
    if row:
        db.execute(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, agency, text) VALUES ('delete', ?, ?, ?, ?)",
            index_values(*row),
        )


def search(db, query: str, limit: int = 20) -> list[dict]:
    """Latest reports matching ``query``: best first when there are at most :data:`RANKED`
    matches, newest first when there are more (see the module docstring).

    ``db`` is a path or a ``sqlite_utils.Database``. Each row: id, url, title, agency, province,
    city, county, year, check_failures, snippet."""
    if not isinstance(db, sqlite_utils.Database):
        db = sqlite_utils.Database(db)
    sql = SEARCH_SQL.format(columns=SEARCH_COLUMNS + ", r.text", limit=":limit")
    rows = db.query(sql, {"match": fts_query(query), "limit": limit})
    return [
        {**{k: v for k, v in row.items() if k != "text"}, "snippet": snippet(row["text"], query)}
        for row in rows
    ]


def register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions for canned queries: escape_fts(q) / fts_query(q) build the MATCH expression,
    fts_snippet(text, q) shows where the query occurs."""
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)
    conn.create_function("fts_query", 1, fts_query, deterministic=True)
    conn.create_function("fts_snippet", 2, snippet, deterministic=True)


hookimpl = pluggy.HookimplMarker("datasette")


@hookimpl(trylast=True)  # after Datasette's own escape_fts, so this one replaces it
def prepare_connection(conn):
    register_functions(conn)
