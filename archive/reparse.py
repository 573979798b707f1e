"""``govreports reparse``: run the current parser over every stored report again (no network).

Each report keeps its version and its times; what the parser gives now replaces its columns,
cells and checks, and every change is printed: which columns, which cells (old -> new), which
checks now pass or fail. Documents that failed to parse before are tried again too. Parsing
runs in worker processes (archive.pool); this process compares and writes.
"""

from collections import Counter
from collections.abc import Callable

from . import derived, lifecycle
from .cells import VIEWS
from .db import Archive, IngestResult
from .pool import Job, ParsePool

# (view, code, code) of the three cell tables: their two codes are the record's keys too
CELL_KEYS = [
    (view, *(column for column, _, _ in coded)) for view, (_, seq, coded, _) in VIEWS.items() if not seq
]
SHOWN = 5  # cell changes printed per report; the rest are counted


def _cells(db, report_id: int) -> dict:
    """(table, code, code) -> (value, raw) of a report's cells."""
    cells = {}
    for table, a, b in CELL_KEYS:
        for row in db[table].rows_where("report_id = ?", [report_id]):
            cells[(table, row[a], row[b])] = (row["value"], row["raw"])
    return cells


def _record_cells(record: dict) -> dict:
    cells = {}
    for table, a, b in CELL_KEYS:
        for c in record.get(table) or []:
            cells[(table, c[a], c[b])] = (c.get("value"), c.get("raw"))
    return cells


def _checks(rows) -> dict:
    """(rule, where) -> passed."""
    return {
        (c["rule"], c.get("row") or c.get("applicant") or c.get("column") or c.get("proceeding") or ""): bool(
            c["passed"]
        )
        for c in rows
    }


def describe_changes(archive: Archive, report: dict, record: dict) -> list[str]:
    """What reparsing changed in one report, in words; empty when nothing did."""
    changes = []
    report = lifecycle.without_cross_year(archive.db, report)  # derived across reports, not parsed
    columns = archive.report_columns(record, report["source"])
    changed_columns = [k for k, v in columns.items() if report[k] != v]
    if changed_columns:
        changes.append("columns " + ", ".join(changed_columns))
    old, new = _cells(archive.db, report["id"]), _record_cells(record)
    diffs = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    if diffs:
        shown = [
            f"{t}/{a}/{b} {old.get((t, a, b), (None,))[0]}->{new.get((t, a, b), (None,))[0]}"
            for t, a, b in diffs[:SHOWN]
        ]
        more = f" and {len(diffs) - SHOWN} more" if len(diffs) > SHOWN else ""
        changes.append(f"{len(diffs)} cells changed ({', '.join(shown)}{more})")
    old_checks = _checks(
        archive.db["checks"].rows_where("report_id = ? and rule != ?", [report["id"], lifecycle.RULE])
    )
    new_checks = _checks(record.get("checks") or [])
    for key in sorted(old_checks.keys() | new_checks.keys()):
        before, after = old_checks.get(key), new_checks.get(key)
        if before != after:
            state = {None: "not evaluated", True: "passes", False: "fails"}
            changes.append(f"check {' '.join(filter(None, key))}: {state[before]} -> {state[after]}")
    return changes


def _report_jobs(archive: Archive):
    for report in archive.db["reports"].rows_where(order_by="id"):
        doc = archive.db["documents"].get(report["document_id"])
        job = archive.parse_job(doc)
        yield Job(report, job.sha256, job.content_type, job.url, job.context)


def _retry_jobs(archive: Archive):
    """The documents whose URL's last fetch failed to parse before: tried again."""
    failed_before = archive.db.query(
        """select id, url from documents where parse_status in ('error', 'not_report')
        and id = (select max(d.id) from documents d where d.url = documents.url and d.sha256 is not null)
        order by id"""
    )
    for row in list(failed_before):
        doc = archive.to_parse(row["id"], retry=True)
        if not isinstance(doc, IngestResult):
            job = archive.parse_job(doc)
            yield Job(doc, job.sha256, job.content_type, job.url, job.context)


def reparse(db, echo: Callable[[str], None] = print, jobs: int | None = None) -> Counter:
    """Reparse every stored report (and retry the documents that failed), parsing in ``jobs``
    worker processes (archive.pool; default: one per core) and writing here."""
    archive = db if isinstance(db, Archive) else Archive(db)
    counts = Counter()
    with ParsePool(archive.store.root, jobs) as pool, archive.batched() as done:
        for parsed in pool.imap(_report_jobs(archive)):
            done()
            report = parsed.job.key
            name = f"report {report['id']} {report['url']} v{report['version']}"
            if parsed.error:
                counts["failed"] += 1
                echo(f"failed    {name}: {parsed.error} (kept as it was)")
                continue
            changes = describe_changes(archive, report, parsed.record)
            if not changes:
                counts["unchanged"] += 1
                continue
            archive.update_report(report, parsed.record)
            counts["changed"] += 1
            echo(f"changed   {name}: " + "; ".join(changes))
        for parsed in pool.imap(_retry_jobs(archive)):
            doc = parsed.job.key
            result = archive.file_parsed(doc, parsed)
            if result.report_id:
                counts["now_parsed"] += 1
                echo(f"parsed    {doc['url']}: now report {result.report_id} ({result.status})")
    # everything derived again, every report linked again (agency_aliases.yaml as it is now), then
    # the cross-year check over the agencies so linked and what it changed
    derived.refresh_derived(archive.db, force=True)
    lifecycle.cross_year(archive.db)
    derived.refresh_derived(archive.db)
    echo(
        f"reparse: {counts['changed']} reports changed, {counts['unchanged']} unchanged, "
        f"{counts['failed']} failed to parse (kept), {counts['now_parsed']} documents parsed that failed before"
    )
    return counts
