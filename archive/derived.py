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

:data:`SUMMARIES`: the canned queries' answers over every report (figures per report, totals per
province and year, per agency, year over year, missing years), as tables the queries select from.
They are views (answered live) in an archive never refreshed, tables as of the last refresh
(``derived_state.refreshed_at``) after that. ``Archive.close`` refreshes an archive it changed,
so a program filing reports one by one leaves them current too.
"""

import sqlite3
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
# The columns of reports whose change can move a count or a summary (the triggers watch them).
# Cells change only with their report's row (Archive.ingest_document inserts one, update_report
# sets every parsed column), so watching reports is enough.
WATCHED = (
    "is_latest", "agency", "province", "city", "county", "level", "sector", "year", "template",
    "check_failures", "failed_checks", "removed_at",
)  # fmt: skip
STATE = "derived_state"

# Summaries: the answers of the canned queries that read every report, computed ahead; the
# queries in datasette/metadata.yaml select from them with their parameters. Computed in this
# order (later ones read earlier ones): name -> (SQL over the archive, indexes).
SUMMARIES = {
    # the home page's totals (one small query each, so that each can use an index)
    "archive_summary": (
        """select (select count(*) from reports where is_latest = 1) as reports,
          (select count(distinct agency) from reports) as agencies,
          (select count(distinct province) from reports) as provinces,
          (select min(year) from reports) as first_year, (select max(year) from reports) as last_year,
          (select count(*) from reports where check_failures > 0 and is_latest = 1) as failing""",
        [],
    ),
    # one row per current report: the figures the canned queries compare (total column)
    "report_figures": (
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
        where r.is_latest = 1
        group by r.id""",
        [["report"], ["province", "city", "agency", "year"], ["agency", "province", "city", "year"]],
    ),
    "province_year_totals": (
        """select province, year, count(*) as reports, count(distinct agency) as agencies,
          sum(new_applications) as new_applications, sum(handled) as handled, sum(reviews) as reviews,
          sum(lawsuits) as lawsuits, sum(check_failures > 0) as reports_failing_checks
        from report_figures group by province, year""",
        [],
    ),
    # per agency, all years together: the share answered not held (不掌握) or denied (不予公开)
    "agency_totals": (
        """select agency, province, city, count(*) as reports, min(year) as first_year, max(year) as last_year,
          sum(handled) as handled, sum(not_held) as not_held, sum(denied) as denied,
          round(100.0 * sum(not_held) / nullif(sum(handled), 0), 1) as not_held_pct,
          round(100.0 * sum(denied) / nullif(sum(handled), 0), 1) as denied_pct,
          round(100.0 * (coalesce(sum(not_held), 0) + coalesce(sum(denied), 0)) / nullif(sum(handled), 0), 1)
            as not_held_or_denied_pct
        from report_figures where agency is not null group by agency, province, city""",
        [["not_held_or_denied_pct", "handled"], ["province"]],
    ),
    # new applications against the agency's previous report in the archive
    "year_over_year": (
        """select report, agency, province, city, previous_year, year,
          previous_new as previous_new_applications, new_applications,
          new_applications - previous_new as change,
          round(100.0 * (new_applications - previous_new) / nullif(previous_new, 0), 1) as change_pct,
          abs(coalesce(new_applications - previous_new, 0)) as size_of_change
        from (
          select *, lag(year) over w as previous_year, lag(new_applications) over w as previous_new
          from report_figures where agency is not null and year is not null and new_applications is not null
          window w as (partition by agency, province, city order by year)
        ) where previous_year is not null""",
        [["size_of_change"], ["province", "size_of_change"]],
    ),
    # one row per agency, its years in order
    "agency_years": (
        """select agency, province, city, count(*) as reports, min(year) as first_year, max(year) as last_year,
          group_concat(year || '：新收 ' || coalesce(new_applications, '—') || '，办理 ' || coalesce(handled, '—')
            || case when check_failures > 0 then '，校验未通过 ' || check_failures else '' end, '； ') as years
        from (
          select agency, province, city, year, check_failures, new_applications, handled from report_figures
          where agency is not null and year is not null order by province, city, agency, year
        )
        group by province, city, agency""",
        [["province", "city", "agency"]],
    ),
    # current reports failing a check, each failed check in words: one row per report and rule
    # (rule = '' for all the report's failed checks)
    "failing_reports": (
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
          where c.passed = 0
        ),
        grouped as (
          select report_id, rule, group_concat(said, '；') as failed_checks from failed group by report_id, rule
          union all
          select report_id, '', group_concat(said, '；') from failed group by report_id
        )
        select r.id as report, r.agency, r.province, r.city, r.year, r.check_failures, g.rule, g.failed_checks, r.url
        from grouped g join reports r on r.id = g.report_id
        where r.is_latest = 1""",
        [["rule", "check_failures", "year", "report"]],
    ),
    # an agency's years with no report after a year it published, up to the archive's newest year,
    # and the reports found removed from their portal
    "missing_years": (
        """with recursive published as materialized (
          select agency, coalesce(province, '') as province, coalesce(city, '') as city, year,
            max(report) as id, max(removed_at) as removed_at
          from report_figures where agency is not null and year is not null
          group by 1, 2, 3, 4
        ),
        spans as (
          select agency, province, city, year as before_year, id as before_id,
            coalesce(lead(year) over (partition by agency, province, city order by year),
              (select max(year) from published) + 1) as until
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
        [["province", "city", "agency", "year"]],
    ),
}


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
    for name, (sql, _) in SUMMARIES.items():  # live views until the first refresh makes them tables
        db.execute(f"create view if not exists [{name}] as {sql}")
    bump = f"begin update {STATE} set changes = changes + 1 where id = 1; end"
    changed = " or ".join(f"old.[{column}] is not new.[{column}]" for column in WATCHED)  # a real change
    triggers = {
        "reports_derived_insert": f"after insert on reports {bump}",
        "reports_derived_delete": f"after delete on reports {bump}",
        "reports_derived_update": f"after update of {', '.join(WATCHED)} on reports when {changed} {bump}",
    }
    for name, body in triggers.items():  # created anew: an archive keeps no older list of WATCHED
        db.execute(f"drop trigger if exists {name}")
        db.execute(f"create trigger {name} {body}")


def _drop(db, name: str) -> None:
    found = db.execute("select type from sqlite_master where name = ?", [name]).fetchone()
    if found:
        db.execute(f"drop {found[0]} [{name}]")


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
        for name, (sql, indexes) in SUMMARIES.items():
            _drop(db, name)
            db.execute(f"create table [{name}] as {sql}")
            for columns in indexes:
                db.execute(f"create index [{name}_{'_'.join(columns)}] on [{name}]({', '.join(columns)})")
        db.execute(
            f"update {STATE} set refreshed_changes = changes, refreshed_at = ?, reports = ? where id = 1",
            [datetime.now(UTC).isoformat(timespec="seconds"), total],
        )
    return True


def current_report_count(path) -> int | None:
    """The number of reports in the archive file at ``path`` as of its last refresh, read
    read-only, while that count is current; None otherwise (or when it is not an archive)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if not is_current(conn):
            return None
        return conn.execute(f"select reports from {STATE} where id = 1").fetchone()[0]
    except sqlite3.OperationalError:  # not an archive, or one from before archive.derived
        return None
    finally:
        conn.close()


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
