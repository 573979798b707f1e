"""Tables derived from the reports, computed ahead so that the public pages never count a million
rows on page load.

:func:`refresh_derived` recomputes them all from the reports as they are; ingest, reparse and
every crawl run (``lifecycle.after_run``) call it once at their end. It is the one hook for
derived tables: a module that adds one (a summary, a coverage table) adds its refresh here.

``facet_counts``: how many reports have each value of each default facet of the reports page,
split by the filters a reader sets most (``is_latest``, ``province``, ``year``, and whether the
report fails a check), so that the page with any of those filters sums a few thousand rows
instead of grouping the reports. ``derived_state`` says whether the counts are current: triggers
on ``reports`` count every change that can move a facet count, and a refresh notes the count it
saw. A page reads the counts only while they are current and counts live otherwise (an archive
filled by ``Archive.ingest_document`` alone, between refreshes, stays correct, only slower).
"""

from datetime import UTC, datetime

import sqlite_utils

# facet name -> its kind: a column of reports, the yes/no "fails a check", or the JSON array
FACETS = {
    "province": "column",
    "city": "column",
    "level": "column",
    "sector": "column",
    "year": "column",
    "template": "column",
    "has_failed_checks": "flag",
    "failed_checks": "array",
}
# The filters the counts are split by: facet_counts column -> SQL over reports
DIMENSIONS = {
    "is_latest": "is_latest",
    "province": "province",
    "year": "year",
    "failing": "check_failures > 0",
}
# The columns of reports whose change can move a count (the triggers watch them)
WATCHED = ("is_latest", "province", "city", "level", "sector", "year", "template", "check_failures", "failed_checks")
STATE = "derived_state"


def ensure_derived(db: sqlite_utils.Database) -> None:
    """The derived tables and the triggers that mark them out of date (idempotent)."""
    dims = ", ".join(f"[{d}]" for d in DIMENSIONS)
    db.execute(
        f"""create table if not exists facet_counts (
            facet text not null, value, {", ".join(f"[{d}]" for d in DIMENSIONS)}, reports integer not null)"""
    )
    db.execute(f"create index if not exists facet_counts_facet on facet_counts(facet, {dims})")
    db.execute(
        f"""create table if not exists {STATE} (
            id integer primary key check (id = 1), changes integer not null default 0,
            refreshed_changes integer, refreshed_at text, reports integer)"""
    )
    db.execute(f"insert or ignore into {STATE}(id, changes) values (1, 0)")
    bump = f"begin update {STATE} set changes = changes + 1 where id = 1; end"
    db.execute(f"create trigger if not exists reports_derived_insert after insert on reports {bump}")
    db.execute(f"create trigger if not exists reports_derived_delete after delete on reports {bump}")
    db.execute(
        f"create trigger if not exists reports_derived_update after update of {', '.join(WATCHED)} "
        f"on reports {bump}"
    )


def refresh_derived(db: sqlite_utils.Database, force: bool = False) -> bool:
    """Recompute every derived table from the reports, in one transaction, unless they are
    current already (``force``: recompute anyway). Returns whether it recomputed."""
    if not force and is_current(db.conn):
        return False
    dims = ", ".join(f"{sql} as [{name}]" for name, sql in DIMENSIONS.items())
    names = ", ".join(f"[{d}]" for d in DIMENSIONS)
    with db.conn:
        db.execute("drop table if exists temp.report_groups")
        # one pass over the reports: every combination of facet values and filters, counted
        db.execute(
            f"""create temp table report_groups as
            select {dims}, city, level, sector, template, failed_checks, count(*) as reports
            from reports group by {names}, city, level, sector, template, failed_checks"""
        )
        db.execute("delete from facet_counts")
        for facet, kind in FACETS.items():
            if kind == "column":
                value, source = f"[{facet}]", "report_groups"
            elif kind == "flag":
                value, source = "failing", "report_groups"
            else:
                value, source = "j.value", f"report_groups, json_each(report_groups.[{facet}]) j"
            db.execute(
                f"""insert into facet_counts (facet, value, {names}, reports)
                select ?, {value}, {names}, sum(reports) from {source}
                where {value} is not null group by {value}, {names}""",
                [facet],
            )
        total = db.execute("select coalesce(sum(reports), 0) from report_groups").fetchone()[0]
        db.execute("drop table temp.report_groups")
        db.execute(
            f"update {STATE} set refreshed_changes = changes, refreshed_at = ?, reports = ? where id = 1",
            [datetime.now(UTC).isoformat(timespec="seconds"), total],
        )
    return True


def is_current(conn) -> bool:
    """Whether the derived tables reflect the reports as they are (``conn``: sqlite3 connection)."""
    row = conn.execute(f"select changes = refreshed_changes from {STATE} where id = 1").fetchone()
    return bool(row and row[0])


def facet_counts(conn, facet: str, filters: dict, limit: int) -> list[tuple]:
    """[(value, count)] of a facet under ``filters`` (DIMENSIONS column -> value), largest first,
    as Datasette's own facets order them; at most ``limit`` rows."""
    where = " and ".join(f"[{column}] = ?" for column in filters)
    sql = f"""select value, sum(reports) as count from facet_counts
        where facet = ? {"and " + where if where else ""}
        group by value order by count desc, value limit ?"""
    return conn.execute(sql, [facet, *filters.values(), limit]).fetchall()
