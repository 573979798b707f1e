"""What happens to reports over time: removal marks and the cross-year check.

Removal. Agencies take reports down. The archive never deletes one: its rows stay, with
``removed_at`` set to when the crawl noticed. A report is removed when its URL answers 404 or 410,
or when a complete crawl of its source no longer finds it on the source's list pages. A report
that comes back (listed or fetched fine again) has ``removed_at`` cleared.

Cross-year check ``cross_year``. The applications table ends with 结转下年度继续办理
(``carried_forward``); next year's report starts with 上年结转 (``carried_over``). For one agency,
year N's carried_forward should equal year N+1's carried_over, column by column. A mismatch is a
failed check like the others: a row in ``checks`` (on the year N+1 report: expected is year N's
carried_forward, found is year N+1's carried_over) counted in ``reports.check_failures`` and
named in ``reports.failed_checks``. Only the latest version of each report takes part; the check
is recomputed from scratch for the agencies concerned, so running it twice changes nothing.
"""

import datetime
import json

from . import derived
from .agencies import refresh as refresh_agencies

RULE = "cross_year"
RULE_LABEL = "上年结转 = 上一年度报告的结转下年度"
GONE_STATUSES = (404, 410)


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


# -- removal -----------------------------------------------------------------------------------


def mark_removed(db, urls, at=None) -> list[int]:
    """Mark the reports at these URLs removed (unless already); return the report ids marked."""
    at = at or now()
    marked = []
    for url in urls:
        rows = db.execute(
            "select id from reports where url = ? and removed_at is null",
            [url],
        ).fetchall()
        ids = [r[0] for r in rows]
        if ids:
            db.execute(
                f"update reports set removed_at = ? where id in ({','.join('?' * len(ids))})",
                [at, *ids],
            )
            marked.extend(ids)
    db.conn.commit()
    return marked


def mark_present(db, urls) -> int:
    """Clear removed_at of reports seen again at these URLs; return how many came back."""
    back = 0
    for url in urls:
        back += db.execute(
            "update reports set removed_at = null where url = ? and removed_at is not null", [url]
        ).rowcount
    db.conn.commit()
    return back


def gone_by_status(db, since: str) -> list[str]:
    """URLs of reports whose last fetch since ``since`` answered 404 or 410."""
    rows = db.execute(
        f"""
        select d.url from documents d
        where d.fetched_at >= ? and d.status in ({",".join(map(str, GONE_STATUSES))})
          and d.id = (select max(id) from documents where url = d.url)
          and exists (select 1 from reports r where r.url = d.url and r.removed_at is null)
        """,
        [since],
    ).fetchall()
    return [r[0] for r in rows]


def gone_from_lists(db, source: str, listed_urls) -> list[str]:
    """URLs of the source's reports that a complete crawl of its list pages did not find.

    A report counts as listed when its own URL was listed, when it is the source's own URL (a
    source whose url is a report page), or when it was read from an attachment of a listed page.
    """
    listed = set(listed_urls) | {
        url for (url,) in db.execute("select url from sources where name = ?", [source])
    }
    rows = db.execute(
        "select distinct url from reports where source = ? and is_latest = 1 and removed_at is null",
        [source],
    ).fetchall()
    return [url for (url,) in rows if url not in listed and not _listed_parent(db, url, listed)]


def _listed_parent(db, url, listed) -> bool:
    # An attachment report (a PDF linked from a report page) is listed through the page that links
    # it: the page's report row names the attachment in its attachments column (JSON list).
    rows = db.execute(
        "select url, attachments from reports where attachments like ?", [f"%{url}%"]
    ).fetchall()
    return any(page in listed and url in json.loads(attachments or "[]") for page, attachments in rows)


def after_crawl(db, started: str, complete_sources: dict | None = None, at=None) -> dict:
    """Apply removals after a crawl run that started at ``started`` (ISO time).

    complete_sources maps the name of each source whose list pages were all crawled in this run
    (no failure, no page limit) to the report URLs found on them; sources crawled partly must be
    left out, or every report not reached would be marked removed.
    Returns {"removed": [urls], "back": n}.
    """
    gone = gone_by_status(db, started)
    listed = set()
    for source, urls in (complete_sources or {}).items():
        gone.extend(gone_from_lists(db, source, urls))
        listed.update(urls)
    mark_removed(db, gone, at=at)
    back = mark_present(db, listed - set(gone))
    return {"removed": sorted(set(gone)), "back": back}


# -- cross-year check ----------------------------------------------------------------------------

# One row per (year N report, year N+1 report of the same agency, applicant column) where both
# cells have a number. An agency is its identity (archive.agencies: region + name in any of its
# spellings), so 洪泽区人民政府 2023 and 淮安市洪泽区人民政府 2024 are compared.
PAIRS_SQL = """
with latest as (
    select id, agency_id, year from reports
    where is_latest = 1 and agency_id is not null and year is not null {where}
)
select nxt.id as report_id, prev.id as prev_id, f.applicant, f.value as expected, o.value as found
from latest prev
join latest nxt on nxt.agency_id = prev.agency_id and nxt.year = prev.year + 1
join applications f on f.report_id = prev.id and f.row = 'carried_forward' and f.value is not null
join applications o on o.report_id = nxt.id and o.row = 'carried_over' and o.applicant = f.applicant
 and o.value is not null
"""


def cross_year(db, agencies=None) -> dict:
    """Recompute the cross_year check for the given agency ids (all agencies when None).

    Returns {"checked": rows written, "failed": failed rows, "reports": ids whose counts changed}.
    """
    where, params = "", []
    if agencies is not None:
        agencies = sorted(set(agencies))
        if not agencies:
            return {"checked": 0, "failed": 0, "reports": []}
        where = f"and agency_id in ({','.join('?' * len(agencies))})"
        params = agencies
    _ensure_rule_code(db)
    scope = f"select id from reports where is_latest = 1 {where}"
    before = db.execute(
        f"select report_id, min(passed) from checks where rule = ? and report_id in ({scope}) group by report_id",
        [RULE, *params],
    ).fetchall()
    touched = {report_id for report_id, _ in before}
    failing = {report_id for report_id, passed in before if not passed}
    db.execute(f"delete from checks where rule = ? and report_id in ({scope})", [RULE, *params])
    rows = [
        {
            "report_id": report_id,
            "rule": RULE,
            "row": "carried_over",
            "applicant": applicant,
            "proceeding": None,
            "passed": int(expected == found),
            "expected": expected,
            "found": found,
        }
        for report_id, _prev, applicant, expected, found in db.execute(PAIRS_SQL.format(where=where), params)
    ]
    if rows:  # into the view (archive.cells): its trigger files each after the report's checks
        db.conn.executemany(
            "insert into checks (report_id, rule, row, applicant, proceeding, passed, expected, found) values "
            "(:report_id, :rule, :row, :applicant, :proceeding, :passed, :expected, :found)",
            rows,
        )
    touched |= {r["report_id"] for r in rows}
    failing |= {r["report_id"] for r in rows if not r["passed"]}
    refresh_failures(db, touched)
    derived.mark(db, failing)  # the failed checks they list, at the next refresh
    db.conn.commit()
    return {
        "checked": len(rows),
        "failed": sum(1 for r in rows if not r["passed"]),
        "reports": sorted(touched),
    }


def _ensure_rule_code(db):
    if "codes_rule" in db.table_names():
        db["codes_rule"].upsert(
            {"code": RULE, "label_zh": RULE_LABEL, "label_en": "cross year", "sort_order": 1000}, pk="code"
        )


def refresh_failures(db, report_ids):
    """Recount reports.check_failures and rebuild reports.failed_checks from the checks table."""
    for report_id in report_ids:
        failed = db.execute(
            "select distinct rule from checks where report_id = ? and passed = 0 order by rule", [report_id]
        ).fetchall()
        count = db.execute(
            "select count(*) from checks where report_id = ? and passed = 0", [report_id]
        ).fetchone()[0]
        db.execute(
            "update reports set check_failures = ?, failed_checks = ? where id = ?",
            [count, json.dumps([r[0] for r in failed], ensure_ascii=False), report_id],
        )


def without_cross_year(db, report: dict) -> dict:
    """The report row as the parser alone would give it: cross_year failures taken out of
    check_failures and failed_checks (reparse compares a stored report with a fresh record)."""
    failed = db.execute(
        "select count(*) from checks where report_id = ? and rule = ? and passed = 0", [report["id"], RULE]
    ).fetchone()[0]
    if not failed:
        return report
    rules = [r for r in json.loads(report["failed_checks"] or "[]") if r != RULE]
    return {**report, "check_failures": report["check_failures"] - failed, "failed_checks": json.dumps(rules)}


def agencies_of(db, report_ids) -> set:
    """The agency ids of these reports (what cross_year takes to limit its work)."""
    ids = json.dumps(list(report_ids))  # one parameter, however many reports
    rows = db.execute(
        "select distinct agency_id from reports where id in (select value from json_each(?))", [ids]
    )
    return {agency for (agency,) in rows if agency}


def changed_agencies(db) -> set | None:
    """The agencies whose reports changed since the derived tables were last refreshed: the
    agency each changed report has now and the one it had before (archive.derived's change log).
    None when the next refresh redoes everything (``derived.pending``): every agency then."""
    report_ids = derived.pending(db)
    if report_ids is None:
        return None
    was = db.execute(
        f"select distinct agency_id from {derived.CHANGES} where sign = -1 and agency_id is not null"
    )
    return agencies_of(db, report_ids) | {agency for (agency,) in was}


def cross_year_changed(db) -> dict:
    """The cross-year check of the agencies whose reports changed since the derived tables were
    last refreshed (``changed_agencies``): what ingest and each crawl run do before that refresh,
    so that a run over a large archive checks the agencies it touched, not every agency."""
    return cross_year(db, agencies=changed_agencies(db))


def after_run(db, run_id, complete, finished=True, resumed=False) -> dict:
    """Everything a crawl run does to the archive once it has fetched: the cross-year check of
    the agencies whose reports it changed, and for a run that finished, the removals.
    ``complete`` maps each source whose list pages were all read to the report URLs found on them
    (``runs.Tally.complete``). A resumed run did not read the list pages of the run it
    continues, so it marks no list removals (404/410 still count). The derived tables are
    refreshed last (archive.derived)."""
    cross_year_changed(db)
    result = {"removed": [], "back": 0}
    if finished:
        started = db.execute("select started from crawl_runs where id = ?", [run_id]).fetchone()[0]
        result = after_crawl(db, started, {} if resumed else complete)
    refresh_agencies(db, report_ids=[])  # the sources listed for the first time
    derived.refresh_derived(db)  # after the removals: coverage says removed
    return result
