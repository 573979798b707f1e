"""The archive's tables (sqlite-utils), created idempotently, plus the code tables with labels.

Opening an archive runs :func:`ensure_schema`: missing tables are created, columns added to a
table since it was created are added to it, and the code tables are refreshed from the parser's
labels. Nothing else is touched, so running it on every open is safe.

Text is stored once. The six section columns of ``reports`` (overview ... other) are VIRTUAL
generated columns: each reads its span of ``reports.text`` through ``section_spans`` (JSON: name ->
[start, length] in characters, or the section's own text when the parser gave one that is not a
piece of the full text), so they are queried like any column and cost nothing on disk. An
archive created before keeps its stored section columns and stays readable the same way.

Cell values are stored in INTEGER columns: SQLite's integer affinity keeps ``2`` an integer and
``1.5`` a real, where a REAL column would turn every count into ``2.0``.
"""

import sqlite_utils

from govreports.parser import labels as L

from . import agencies, cells, derived
from .search import create_fts

# name -> (columns in display order, primary key, foreign keys as (column, other table, other column))
TABLES = {
    "sources": (
        {
            "name": str,
            "url": str,
            "province": str,
            "city": str,
            "county": str,
            "level": str,
            "sector": str,
            "cms": str,
            "domains": str,
            "extras": str,
        },
        "name",
        [],
    ),
    "documents": (
        {
            "id": int,
            "url": str,
            "final_url": str,
            "status": int,
            "content_type": str,
            "sha256": str,
            "bytes": int,
            "fetched_at": str,
            "last_fetched_at": str,
            "etag": str,
            "last_modified": str,
            "via": str,
            "source": str,
            "kind": str,
            "error": str,
            "parse_status": str,
            "context": str,
            "warc_file": str,
            "warc_offset": int,
        },
        "id",
        [("source", "sources", "name")],
    ),
    "reports": (
        {
            "id": int,
            "url": str,
            "version": int,
            "is_latest": int,
            "title": str,
            "agency": str,
            "province": str,
            "city": str,
            "county": str,
            "region_code": str,
            "level": str,
            "sector": str,
            "year": int,
            "template": str,
            "published_date": str,
            "index_number": str,
            "format": str,
            "check_failures": int,
            "failed_checks": str,
            "first_seen": str,
            "last_seen": str,
            "removed_at": str,
            "source": str,
            "document_id": int,
            "sha256": str,
            "parse_warnings": str,
            "attachments": str,
            "page_url": str,
            "overview": str,
            "active": str,
            "applications": str,
            "review": str,
            "problems": str,
            "other": str,
            "section_spans": str,
            "text": str,
        },
        "id",
        [("document_id", "documents", "id"), ("source", "sources", "name")],
    ),
    "crawl_runs": (
        {"id": int, "started": str, "finished": str, "sources": str, "errors": str, "summary": str},
        "id",
        [],
    ),
    # fetches that failed for a passing reason (5xx, reset, timeout): asked for first next run
    "pending_fetches": (
        {
            "url": str,
            "source": str,
            "kind": str,
            "meta": str,  # JSON: what the spider needs to ask again (depth, page_url ...)
            "error": str,
            "tries": int,
            "first_failed": str,
            "last_failed": str,
        },
        "url",
        [("source", "sources", "name")],
    ),
    "ingest_errors": (
        {
            "id": int,
            "document_id": int,
            "url": str,
            "status": str,
            "reason": str,
            "at": str,
        },
        "id",
        [("document_id", "documents", "id")],
    ),
}

SECTIONS = ("overview", "active", "applications", "review", "problems", "other")


def _section_sql(name: str) -> str:
    at = f"'$.{name}'"
    return (
        f"case json_type(section_spans, {at}) when 'text' then json_extract(section_spans, {at}) "
        f"when 'array' then substr(text, json_extract(section_spans, '$.{name}[0]') + 1, "
        f"json_extract(section_spans, '$.{name}[1]')) end"
    )


# table -> {column: SQL expression}: VIRTUAL generated columns, computed on read, stored nowhere
GENERATED = {"reports": {name: _section_sql(name) for name in SECTIONS}}

INDEXES = {
    "documents": [["url"], ["sha256"], ["source"]],
    "reports": [
        ["url", "is_latest"],
        ["sha256"],
        ["document_id"],
        ["province", "city", "year"],
        ["year"],
        ["agency"],
        ["check_failures"],
        # facets and the canned queries over agencies and years (missing_years, agency_years)
        ["agency", "province", "city", "year", "is_latest", "id", "removed_at"],
        ["level"],
        ["sector"],
        ["template"],
    ],
    "ingest_errors": [["document_id"], ["url"]],
    "pending_fetches": [["source", "last_failed"]],
}
# Indexes of earlier schemas that the ones above replace (dropped on open)
OLD_INDEXES = (
    "idx_applications_row_applicant_report_id_value",
    "idx_checks_rule_passed",
    "idx_active_disclosure_item_metric",
    # the cell tables' own, gone with them into archive.cells
    "applications_new_total",
    "applications_totals",
    "checks_failed",
)
# one row per URL and version, whatever a killed and resumed crawl does
UNIQUE_INDEXES = {"reports": [["url", "version"]]}


# code table -> [(code, Chinese label)] in the order the report forms print them
CODE_TABLES = {
    "codes_applicant": [(a, L.APPLICANT_LABELS[a]) for a in L.APPLICANTS],
    "codes_application_row": [(code, label) for code, label, _ in L.APPLICATION_ROWS],
    "codes_item": [(item, label) for item, (label, _) in L.ACTIVE_ITEMS.items()],
    "codes_metric": list(L.METRIC_LABELS.items()),
    "codes_proceeding": [(p, L.PROCEEDING_LABELS[p]) for p in L.PROCEEDINGS],
    "codes_outcome": [(o, L.OUTCOME_LABELS[o]) for o in L.OUTCOMES],
    "codes_rule": list(L.RULE_LABELS.items()),
}


def label_en(code: str) -> str:
    """ "denied.state_secret" -> "denied: state secret"."""
    return code.replace(".", ": ").replace("_", " ")


# How a new archive's file is laid out (fixed when its first table is made; an older file keeps
# its own). Its text is mostly Chinese: 2 bytes a character in UTF-16 against 3 in UTF-8; and a
# report's row (about 6 KB) packs five to a 32 KB page, where with 4 KB pages each row took a leaf
# page (a quarter of it left empty) and an overflow page. 19.0 KB a report instead of 20.3 in the
# synthetic 10k archive of benchmarks/national.py. Big-endian: SQLite's BINARY collation compares
# the stored bytes, and only UTF-16be (like UTF-8) orders them by code point (order by name gives
# what it gave before: in UTF-16le 乐清市 sorted before 洪泽区, tests/test_agencies.py).
NEW_FILE_PRAGMAS = ("encoding = 'UTF-16be'", "page_size = 32768")


def ensure_schema(db: sqlite_utils.Database) -> None:
    if not db.execute("select count(*) from sqlite_master").fetchone()[0]:
        for pragma in NEW_FILE_PRAGMAS:
            db.execute(f"pragma {pragma}")
    for name in CODE_TABLES:
        _ensure_table(
            db, name, {"code": str, "label_zh": str, "label_en": str, "sort_order": int}, "code", []
        )
    for name, (columns, pk, foreign_keys) in TABLES.items():
        _ensure_table(db, name, columns, pk, foreign_keys)
    cells.ensure(db)  # the cells and checks (compact tables, public views), the code tables' ids
    for name, indexes in INDEXES.items():
        for columns in indexes:
            db[name].create_index(columns, if_not_exists=True)
    for name in OLD_INDEXES:
        db.execute(f"drop index if exists [{name}]")
    for name, indexes in UNIQUE_INDEXES.items():
        for columns in indexes:
            db[name].create_index(columns, unique=True, if_not_exists=True)
    for name, codes in CODE_TABLES.items():
        rows = [
            {"code": code, "label_zh": label, "label_en": label_en(code), "sort_order": i}
            for i, (code, label) in enumerate(codes)
        ]
        db[name].upsert_all(rows, pk="code")
    agencies.ensure(db)
    create_fts(db)
    derived.ensure_derived(db)


def _ensure_table(db, name, columns, pk, foreign_keys) -> None:
    table = db[name]
    generated = GENERATED.get(name, {})
    if not table.exists():
        table.create(
            {c: t for c, t in columns.items() if c not in generated}, pk=pk, foreign_keys=foreign_keys
        )
    present = {row[1] for row in db.execute(f"pragma table_xinfo([{name}])")}
    for column, type_ in columns.items():
        if column in present:
            continue
        if column in generated:
            db.execute(
                f"alter table [{name}] add column [{column}] TEXT generated always as ({generated[column]}) virtual"
            )
        else:
            table.add_column(column, type_)


def stored_columns(db: sqlite_utils.Database, name: str) -> set[str]:
    """The columns of a table that hold data (generated columns left out)."""
    return {row[1] for row in db.execute(f"pragma table_xinfo([{name}])") if row[6] == 0}


def ensure_codes(db: sqlite_utils.Database, record: dict) -> None:
    """Add any code a record uses that the code tables do not know yet (label left empty), so
    every foreign key of the long tables points at a row."""
    used = {
        "codes_item": {c["item"] for c in record.get("active_disclosure") or []},
        "codes_metric": {c["metric"] for c in record.get("active_disclosure") or []},
        "codes_application_row": {c["row"] for c in record.get("applications") or []}
        | {c["row"] for c in record.get("checks") or [] if c.get("row")},
        "codes_applicant": {c["applicant"] for c in record.get("applications") or []}
        | {c["column"] for c in record.get("checks") or [] if c.get("column")},
        "codes_proceeding": {c["proceeding"] for c in record.get("review_litigation") or []}
        | {c["proceeding"] for c in record.get("checks") or [] if c.get("proceeding")},
        "codes_outcome": {c["outcome"] for c in record.get("review_litigation") or []},
        "codes_rule": {c["rule"] for c in record.get("checks") or []},
    }
    for name, codes in used.items():
        known = {row["code"] for row in db[name].rows}
        missing = [{"code": c, "label_en": label_en(c), "sort_order": 1000} for c in sorted(codes - known)]
        if missing:
            db[name].insert_all(missing, pk="code")
