"""Tables derived from the reports, computed ahead so that the public pages never count a million
rows on page load.

:func:`refresh_derived` brings them all up to date: ingest, reparse, every crawl run
(``Archive.finish_run``) and ``Archive.close`` call it once at their end, and ``govreports
refresh`` runs it by hand. It is the one hook for derived tables: a module that adds one (a
summary, the agencies and coverage tables of archive.agencies) is refreshed from here.

Incremental. Triggers on ``reports`` write every change that can move a count or a summary into
``derived_changes``: the row as it was (``sign`` -1) and as it is (+1), for the columns the
derived tables read (``IMAGE``); ``Archive.write_cells`` and the cross-year check add a row with
``sign`` 0 for a report whose cells or checks changed (``mark``). A refresh redoes only what those
rows touch: the facet counts move by the changes' own counts, the summaries' rows of the reports,
the agencies (printed name, province, city) and the province-years concerned are recomputed, and
archive.agencies redoes the agencies of the reports concerned; then the log is emptied. A
refresh of everything (``full``) recomputes each table from the reports as they are: reparse runs
it, so does a refresh that finds more changes than a quarter of the archive, an archive never
refreshed, and ``govreports refresh --full``.

``facet_counts``: how many reports have each value of each default facet of the reports page,
split by the filters a reader sets most (``is_latest``, ``province``, ``year``, and whether the
report fails a check), so that the page with any of those filters sums a few thousand rows
instead of grouping the reports. A page reads the counts only while they are current (no change
waits in ``derived_changes``) and counts live otherwise (an archive filled by
``Archive.ingest_document`` alone, between refreshes, stays correct, only slower). The coverage
table's facets are counted the same way (``coverage_facet_counts``, archive.agencies), and
:data:`COUNTED` says which page reads which counts.

:data:`SUMMARIES`: the canned queries' answers over every report (figures per report, totals per
province and year, per agency, year over year, missing years) and the home page's totals, as
tables the queries select from. They are views (answered live) in an archive never refreshed,
tables as of the last refresh (``derived_state.refreshed_at``) after that.
"""

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from . import agencies, counts

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
# The pages whose facets are counted ahead: table -> (counts table, its count column, facets,
# dimensions); the reports page's counts are read only while current (is_current), the coverage
# table's always (archive.agencies writes them with the coverage rows).
COUNTED = {
    "reports": ("facet_counts", "reports", FACETS, DIMENSIONS),
    "coverage": ("coverage_facet_counts", "agencies", agencies.COVERAGE_FACETS, agencies.COVERAGE_DIMENSIONS),
}
# The columns of reports whose change can move a count or a summary (the triggers watch them).
WATCHED = (
    "is_latest", "agency", "agency_id", "province", "city", "county", "level", "sector", "year",
    "template", "check_failures", "failed_checks", "removed_at",
)  # fmt: skip
# What derived_changes keeps of a report row as it was and as it is: column -> SQL over the
# trigger's row ({row}: old or new); the facet columns, the dimensions, and the agency.
IMAGE = {
    "failing": "{row}.check_failures > 0",
    **{
        column: "{row}." + column
        for column in (
            "is_latest",
            "province",
            "year",
            "city",
            "level",
            "sector",
            "template",
            "failed_checks",
        )
    },
    "agency": "{row}.agency",
    "agency_id": "{row}.agency_id",
}
STATE = "derived_state"
CHANGES = "derived_changes"
FULL_SHARE = 4  # a refresh that finds more changed reports than 1/4 of the archive redoes all
FULL_AT_LEAST = 1000  # ... and more than this many


@dataclass(frozen=True)
class Summary:
    """A summary table: ``sql`` (its ``{scope}`` limits the rows it reads, ``1`` for all),
    ``indexes``, and for an incremental refresh the ``scope`` that selects what the changes
    touch and ``rows``, the condition on the table's own rows that the scope recomputes; without
    them the table is recomputed whole each time (it reads only other derived tables)."""

    sql: str
    indexes: list
    scope: str | None = None
    rows: str | None = None
    # statements run when the current reports' newest year moves from :was to :newest, before
    # the scope's rows are inserted again (missing_years runs up to the newest year)
    on_new_year: tuple = ()


# The scopes of an incremental refresh: the reports changed (temp.derived_reports), the agencies
# (printed name, province, city: temp.derived_agencies) and the province-years
# (temp.derived_years) they were and are in.
_REPORTS = "(select id from temp.derived_reports)"
_AGENCY_ROWS = """(select s.rowid from temp.derived_agencies k join [{table}] s
    on s.agency = k.agency and s.province is k.province and s.city is k.city)"""
_AGENCY_FIGURES = _AGENCY_ROWS.format(table="report_figures")
_YEAR_ROWS = """(select s.rowid from temp.derived_years k join [{table}] s
    on s.province is k.province and s.year is k.year)"""
# the newest year an agency published for (missing_years runs up to it)
_NEWEST_YEAR = "(select year from report_figures where agency is not null and year is not null order by year desc limit 1)"

# Summaries: the answers of the canned queries that read every report, computed ahead; the
# queries in datasette/metadata.yaml select from them with their parameters. Computed in this
# order (later ones read earlier ones).
SUMMARIES = {
    # one row per current report: the figures the canned queries compare (total column)
    "report_figures": Summary(
        """select r.id as report, r.agency, r.province, r.city, r.county, r.year, r.check_failures, r.removed_at,
          max(case when a.row = 'new' then a.value end) as new_applications,
          max(case when a.row = 'carried_over' then a.value end) as carried_over,
          max(case when a.row = 'handled_total' then a.value end) as handled,
          max(case when a.row = 'unable.not_held' then a.value end) as not_held,
          sum(case when a.row like 'denied.%' then a.value end) as denied,
          (select value from review_litigation v where v.report_id = r.id and v.proceeding = 'review'
            and v.outcome = 'total') as reviews,
          (select sum(value) from review_litigation v where v.report_id = r.id and v.proceeding != 'review'
            and v.outcome = 'total') as lawsuits
        from reports r left join applications a on a.report_id = r.id and a.applicant = 'total'
        where r.is_latest = 1 and {scope}
        group by r.id""",
        [
            ["report"],
            ["province", "city", "agency", "year"],
            ["agency", "province", "city", "year"],
            ["province", "year"],
            ["year"],
            ["new_applications", "year"],  # the canned most_applications, largest first
        ],
        scope=f"r.id in {_REPORTS}",
        rows=f"report in {_REPORTS}",
    ),
    "province_year_totals": Summary(
        """select province, year, count(*) as reports, count(distinct agency) as agencies,
          sum(new_applications) as new_applications, sum(handled) as handled, sum(reviews) as reviews,
          sum(lawsuits) as lawsuits, sum(check_failures > 0) as reports_failing_checks
        from report_figures where {scope} group by province, year""",
        [["province", "year"]],
        scope=f"rowid in {_YEAR_ROWS.format(table='report_figures')}",
        rows=f"rowid in {_YEAR_ROWS.format(table='province_year_totals')}",
    ),
    # per agency, all years together: the share answered not held (不掌握) or denied (不予公开)
    "agency_totals": Summary(
        """select agency, province, city, count(*) as reports, min(year) as first_year, max(year) as last_year,
          sum(handled) as handled, sum(not_held) as not_held, sum(denied) as denied,
          round(100.0 * sum(not_held) / nullif(sum(handled), 0), 1) as not_held_pct,
          round(100.0 * sum(denied) / nullif(sum(handled), 0), 1) as denied_pct,
          round(100.0 * (coalesce(sum(not_held), 0) + coalesce(sum(denied), 0)) / nullif(sum(handled), 0), 1)
            as not_held_or_denied_pct
        from report_figures where agency is not null and {scope} group by agency, province, city""",
        [["not_held_or_denied_pct", "handled"], ["province"], ["agency", "province", "city"]],
        scope=f"rowid in {_AGENCY_FIGURES}",
        rows=f"rowid in {_AGENCY_ROWS.format(table='agency_totals')}",
    ),
    # new applications against the agency's previous report in the archive
    "year_over_year": Summary(
        """select report, agency, province, city, previous_year, year,
          previous_new as previous_new_applications, new_applications,
          new_applications - previous_new as change,
          round(100.0 * (new_applications - previous_new) / nullif(previous_new, 0), 1) as change_pct,
          abs(coalesce(new_applications - previous_new, 0)) as size_of_change
        from (
          select *, lag(year) over w as previous_year, lag(new_applications) over w as previous_new
          from report_figures
          where agency is not null and year is not null and new_applications is not null and {scope}
          window w as (partition by agency, province, city order by year)
        ) where previous_year is not null""",
        [["size_of_change"], ["province", "size_of_change"], ["agency", "province", "city"]],
        scope=f"report_figures.rowid in {_AGENCY_FIGURES}",
        rows=f"rowid in {_AGENCY_ROWS.format(table='year_over_year')}",
    ),
    # one row per agency, its years in order
    "agency_years": Summary(
        """select agency, province, city, count(*) as reports, min(year) as first_year, max(year) as last_year,
          group_concat(year || '：新收 ' || coalesce(new_applications, '—') || '，办理 ' || coalesce(handled, '—')
            || case when check_failures > 0 then '，校验未通过 ' || check_failures else '' end, '； ') as years
        from (
          select agency, province, city, year, check_failures, new_applications, handled from report_figures
          where agency is not null and year is not null and {scope} order by province, city, agency, year
        )
        group by province, city, agency""",
        [["province", "city", "agency"]],
        scope=f"report_figures.rowid in {_AGENCY_FIGURES}",
        rows=f"rowid in {_AGENCY_ROWS.format(table='agency_years')}",
    ),
    # current reports failing a check, each failed check in words: one row per report and rule
    # (rule = '' for all the report's failed checks)
    "failing_reports": Summary(
        """with failed as (
          select c.report_id, c.rule,
            coalesce(cr.label_zh, c.rule)
            || coalesce('［' || nullif(trim(coalesce(ar.label_zh, '') || ' ' || coalesce(ap.label_zh, '') || ' '
               || coalesce(pr.label_zh, '')), '') || '］', '')
            || ' 应为 ' || coalesce(c.expected, '?') || '，实为 ' || coalesce(c.found, '?') as said
          from checks c
          left join codes_rule cr on cr.code = c.rule
          left join codes_application_row ar on ar.code = c.row
          left join codes_applicant ap on ap.code = c.applicant
          left join codes_proceeding pr on pr.code = c.proceeding
          where c.passed = 0 and {scope}
        ),
        grouped as (
          select report_id, rule, group_concat(said, '；') as failed_checks from failed group by report_id, rule
          union all
          select report_id, '', group_concat(said, '；') from failed group by report_id
        )
        select r.id as report, r.agency, r.province, r.city, r.year, r.check_failures, g.rule, g.failed_checks, r.url
        from grouped g join reports r on r.id = g.report_id
        where r.is_latest = 1""",
        [["rule", "check_failures", "year", "report"], ["report"]],
        scope=f"c.report_id in {_REPORTS}",
        rows=f"report in {_REPORTS}",
    ),
    # an agency's years with no report after a year it published, up to the archive's newest year,
    # and the reports found removed from their portal
    "missing_years": Summary(
        f"""with recursive published as materialized (
          select agency, coalesce(province, '') as province, coalesce(city, '') as city, year,
            max(report) as id, max(removed_at) as removed_at
          from report_figures where agency is not null and year is not null and {{scope}}
          group by 1, 2, 3, 4
        ),
        spans as (
          select agency, province, city, year as before_year, id as before_id,
            coalesce(lead(year) over (partition by agency, province, city order by year),
              {_NEWEST_YEAR} + 1) as until
          from published
        ),
        missing(agency, province, city, year, before_year, before_id, until) as (
          select agency, province, city, before_year + 1, before_year, before_id, until
          from spans where before_year + 1 < until
          union all
          select agency, province, city, year + 1, before_year, before_id, until
          from missing where year + 1 < until
        )
        select agency, province, city, year, 'missing 缺' as status, before_id as report,
          before_year as last_year_published_before, null as removed_at
        from missing
        union all
        select agency, province, city, year, 'removed 撤下', id, null, removed_at
        from published where removed_at is not null""",
        [["province", "city", "agency", "year"], ["agency", "province", "city"]],
        scope=f"report_figures.rowid in {_AGENCY_FIGURES}",
        rows="""rowid in (select s.rowid from temp.derived_agencies k join missing_years s
            on s.agency = k.agency and s.province = coalesce(k.province, '') and s.city = coalesce(k.city, ''))""",
        on_new_year=(
            # the years after the new newest one are no agency's any more
            "delete from missing_years where year > :newest and status = 'missing 缺'",
            # the other agencies' last span runs to the new newest year: the years it gains
            """insert into missing_years
            with recursive years(year) as (
              select :was + 1 where :was < :newest union all select year + 1 from years where year < :newest)
            select t.agency, coalesce(t.province, ''), coalesce(t.city, ''), y.year, 'missing 缺',
              (select max(f.report) from report_figures f where f.agency = t.agency and f.province is t.province
                and f.city is t.city and f.year = t.last_year),
              t.last_year, null
            from agency_years t join years y on y.year > t.last_year
            where not exists (select 1 from temp.derived_agencies k
              where k.agency = t.agency and k.province is t.province and k.city is t.city)""",
        ),
    ),
    # the home page's totals, from the tables above and the agencies (one row)
    "archive_summary": Summary(
        """select (select coalesce(sum(reports), 0) from province_year_totals) as reports,
          (select count(*) from agencies where reports > 0) as agencies,
          (select count(distinct province) from province_year_totals) as provinces,
          (select min(year) from province_year_totals) as first_year,
          (select max(year) from province_year_totals) as last_year,
          (select coalesce(sum(reports_failing_checks), 0) from province_year_totals) as failing""",
        [],
    ),
}
# The home page's totals counted live, while the derived tables are not current
LIVE_SUMMARY = """select (select count(*) from reports where is_latest = 1) as reports,
  (select count(distinct agency_id) from reports where is_latest = 1) as agencies,
  (select count(distinct province) from reports where is_latest = 1) as provinces,
  (select min(year) from reports where is_latest = 1) as first_year,
  (select max(year) from reports where is_latest = 1) as last_year,
  (select count(*) from reports where check_failures > 0 and is_latest = 1) as failing"""


def ensure_derived(db: sqlite_utils.Database) -> None:
    """The derived tables, the change log and the triggers that fill it (idempotent)."""
    counts.create(db, "facet_counts", DIMENSIONS, "reports")
    db.execute(
        f"""create table if not exists {STATE} (
            id integer primary key check (id = 1), changes integer not null default 0,
            refreshed_changes integer, refreshed_at text, reports integer)"""
    )
    db.execute(f"insert or ignore into {STATE}(id, changes) values (1, 0)")
    columns = ", ".join(f"[{column}]" for column in IMAGE)
    db.execute(
        f"create table if not exists {CHANGES} (report_id integer not null, sign integer not null, {columns})"
    )
    for name, summary in SUMMARIES.items():  # live views until the first refresh makes them tables
        db.execute(f"create view if not exists [{name}] as {summary.sql.format(scope='1')}")

    def log(row: str, sign: int) -> str:
        values = ", ".join(sql.replace("{row}", row) for sql in IMAGE.values())
        return f"insert into {CHANGES} (report_id, sign, {columns}) values ({row}.id, {sign}, {values});"

    changed = " or ".join(f"old.[{column}] is not new.[{column}]" for column in WATCHED)  # a real change
    triggers = {
        "reports_derived_insert": f"after insert on reports begin {log('new', 1)} end",
        "reports_derived_delete": f"after delete on reports begin {log('old', -1)} end",
        "reports_derived_update": f"after update of {', '.join(WATCHED)} on reports when {changed} "
        f"begin {log('old', -1)} {log('new', 1)} end",
    }
    for name, body in triggers.items():  # created anew: an archive keeps no older list of WATCHED
        db.execute(f"drop trigger if exists {name}")
        db.execute(f"create trigger {name} {body}")


def mark(db, report_ids) -> None:
    """Note reports whose cells or checks changed (their reports row may not have), so that the
    next refresh recomputes their summaries."""
    db.conn.executemany(f"insert into {CHANGES} (report_id, sign) values (?, 0)", [(i,) for i in report_ids])


def _drop(db, name: str) -> None:
    found = db.execute("select type from sqlite_master where name = ?", [name]).fetchone()
    if found:
        db.execute(f"drop {found[0]} [{name}]")


def pending(db) -> list[int] | None:
    """The reports changed since the last refresh (the change log), or None when the next refresh
    redoes everything whatever the log holds: the archive was never refreshed, or refreshed by a
    version before the change log."""
    refreshed_at, stale_counter = db.execute(
        f"select refreshed_at, changes is not refreshed_changes from {STATE} where id = 1"
    ).fetchone()
    if refreshed_at is None or stale_counter:
        return None
    return [i for (i,) in db.execute(f"select distinct report_id from {CHANGES}")]


def refresh_derived(db: sqlite_utils.Database, force: bool = False) -> str | None:
    """Bring every derived table (and archive.agencies' tables) up to date, in one transaction:
    from the changes logged since the last refresh, or whole (``force``; also when the archive
    was never refreshed, was refreshed by a version before the change log, or has more changed
    reports than a quarter of it). Returns ``"incremental"``, ``"full"``, or None when nothing
    had changed."""
    report_ids = pending(db)
    reports = db.execute(f"select reports from {STATE} where id = 1").fetchone()[0]
    changed = len(report_ids or ())
    full = force or report_ids is None or changed > max(FULL_AT_LEAST, (reports or 0) // FULL_SHARE)
    if not full and not changed:
        return None
    with agencies.transaction(db, "derived"):
        if full:
            agencies.refresh(db)
            db.execute(f"delete from {CHANGES}")  # what linking every report logged: all redone below
            total = _refresh_whole(db)
        else:
            was = [
                i
                for (i,) in db.execute(
                    f"select distinct agency_id from {CHANGES} where sign = -1 and agency_id is not null"
                )
            ]
            agencies.refresh(db, report_ids=report_ids, agency_ids=was)  # relinking is logged too
            total = (reports or 0) + _refresh_changes(db)
        db.execute(f"delete from {CHANGES}")
        db.execute(
            f"update {STATE} set refreshed_changes = changes, refreshed_at = ?, reports = ? where id = 1",
            [datetime.now(UTC).isoformat(timespec="seconds"), total],
        )
    return "full" if full else "incremental"


def _groups(db, name: str, sql: str) -> None:
    """temp.<name>: the rows of ``sql`` (DIMENSIONS, the facet columns, a count ``n``)."""
    db.execute(f"drop table if exists temp.{name}")
    db.execute(f"create temp table {name} as {sql}")


_GROUP = ", ".join([*(f"[{d}]" for d in DIMENSIONS), "city", "level", "sector", "template", "failed_checks"])
_FACET_SOURCES = {facet: "failing" if kind == "flag" else kind for facet, kind in FACETS.items()}


def _refresh_whole(db) -> int:
    """Every derived table recomputed from the reports; returns the number of reports."""
    dims = ", ".join(f"{sql} as [{name}]" for name, sql in DIMENSIONS.items())
    # one pass over the reports: every combination of facet values and filters, counted
    _groups(
        db,
        "report_groups",
        f"""select {dims}, city, level, sector, template, failed_checks, count(*) as n
        from reports group by {_GROUP}""",
    )
    db.execute("delete from facet_counts")
    counts.insert(db, "temp.report_groups", "facet_counts", _FACET_SOURCES, DIMENSIONS, "reports")
    total = db.execute("select coalesce(sum(n), 0) from temp.report_groups").fetchone()[0]
    db.execute("drop table temp.report_groups")
    for name, summary in SUMMARIES.items():
        _drop(db, name)
        db.execute(f"create table [{name}] as {summary.sql.format(scope='1')}")
        for columns in summary.indexes:
            db.execute(f"create index [{name}_{'_'.join(columns)}] on [{name}]({', '.join(columns)})")
    return total


def _refresh_changes(db) -> int:
    """The derived tables moved by the logged changes; returns the change in the number of reports."""
    _groups(db, "derived_reports", f"select distinct report_id as id from {CHANGES}")
    # the agencies (printed name, province, city) and province-years of the changed reports as
    # they were (the log's old images) and as they are
    _groups(
        db,
        "derived_agencies",
        f"""select agency, province, city from {CHANGES} where sign = -1 and agency is not null
        union select agency, province, city from reports where id in {_REPORTS} and agency is not null""",
    )
    _groups(
        db,
        "derived_years",
        f"""select province, year from {CHANGES} where sign = -1
        union select province, year from reports where id in {_REPORTS}""",
    )
    # facet counts: moved by the changes' own signed counts
    _groups(
        db,
        "report_groups",
        f"select {_GROUP}, sum(sign) as n from {CHANGES} where sign != 0 group by {_GROUP}",
    )
    _groups(db, "facet_delta", "select * from facet_counts where 0")
    counts.insert(db, "temp.report_groups", "temp.facet_delta", _FACET_SOURCES, DIMENSIONS, "reports")
    counts.add(db, "facet_counts", "temp.facet_delta", DIMENSIONS, "reports")
    moved = db.execute("select coalesce(sum(n), 0) from temp.report_groups").fetchone()[0]
    was = db.execute(f"select {_NEWEST_YEAR}").fetchone()[0]
    for name, summary in SUMMARIES.items():
        whole = summary.scope is None
        db.execute(f"delete from [{name}]" + ("" if whole else f" where {summary.rows}"))
        if summary.on_new_year:
            newest = db.execute(f"select {_NEWEST_YEAR}").fetchone()[0]
            if newest != was and None in (newest, was):  # the first or the last year with reports
                whole = True
                db.execute(f"delete from [{name}]")
            elif newest != was:
                for sql in summary.on_new_year:
                    db.execute(sql, {"was": was, "newest": newest})
        db.execute(f"insert into [{name}] {summary.sql.format(scope='1' if whole else summary.scope)}")
    for name in ("derived_reports", "derived_agencies", "derived_years", "report_groups", "facet_delta"):
        db.execute(f"drop table temp.{name}")
    return moved


def current_counts(path) -> dict:
    """The row counts of the big tables of the archive file at ``path`` that the derived tables
    know, read read-only: ``reports`` as of the last refresh while that is current, ``coverage``
    from its facet counts (always written with it); {} when it is not an archive."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    found = {}
    try:
        if is_current(conn):
            found["reports"] = conn.execute(f"select reports from {STATE} where id = 1").fetchone()[0]
        found["coverage"] = conn.execute(
            f"select coalesce(sum(agencies), 0) from {agencies.COVERAGE_COUNTS} where facet = 'status'"
        ).fetchone()[0]
    except sqlite3.OperationalError:  # not an archive, or one from before archive.derived
        pass
    finally:
        conn.close()
    return found


def is_current(conn) -> bool:
    """Whether the derived tables reflect the reports as they are (``conn``: sqlite3 connection):
    refreshed, and no change logged since (False for an archive written before the change log,
    until ``govreports refresh`` brings it up to date)."""
    try:
        row = conn.execute(
            f"""select refreshed_at is not null and changes is refreshed_changes
            and not exists (select 1 from {CHANGES}) from {STATE} where id = 1"""
        ).fetchone()
    except sqlite3.OperationalError:
        return False
    return bool(row and row[0])


def facet_counts(conn, facet: str, filters: dict, limit: int, table: str = "reports") -> list[tuple]:
    """[(value, count)] of a facet of ``table``'s page (COUNTED) under ``filters`` (its
    dimensions -> value), largest first, as Datasette's own facets order them; at most ``limit``."""
    name, count, _, _ = COUNTED[table]
    return counts.read(conn, name, count, facet, filters, limit)
