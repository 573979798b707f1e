"""Is an archive whole? What a crash or a kill -9 could have broken, checked.

    from govreports.archive.check import check
    check("reports.db")
    # -> {"integrity": "ok", "missing_bodies": [], "duplicate_versions": 0, "latest_per_url": 0,
    #     "reports_without_cells": 0, "unparsed": 0, "orphan_bodies": 0}

``missing_bodies``: documents whose sha256 is not in the raw store (must be empty: a body is
stored, by rename, before its row is written). ``duplicate_versions``: (url, version) pairs filed
twice; ``latest_per_url``: URLs with other than one latest version (both must be 0).
``reports_without_cells``: reports whose cells never got written (a report and its cells commit
together: must be 0 unless the parser found no table). ``unparsed``: report bodies stored but not
filed yet (the next crawl files them first). ``orphan_bodies``: raw-store files no row points at
(a kill between storing a body and writing its row; harmless, kept as evidence).
"""

import os

import sqlite_utils

from .store import RawStore


def check(db_path) -> dict:
    db = sqlite_utils.Database(db_path)
    store = RawStore.beside(db_path)
    try:
        integrity = db.execute("pragma integrity_check").fetchone()[0]
        digests = {
            row[0] for row in db.execute("select distinct sha256 from documents where sha256 is not null")
        }
        missing = sorted(d for d in digests if d not in store)
        stored = set()
        if store.root.is_dir():
            for _, _, files in os.walk(store.root):
                stored.update(f for f in files if not f.startswith(".tmp-"))
        one = db.execute
        return {
            "integrity": integrity,
            "missing_bodies": missing,
            "duplicate_versions": one(
                "select count(*) from (select 1 from reports group by url, version having count(*) > 1)"
            ).fetchone()[0],
            "latest_per_url": one(
                "select count(*) from (select url from reports group by url having sum(is_latest) != 1)"
            ).fetchone()[0],
            "reports_without_cells": one(
                """select count(*) from reports r where r.template is not null and not exists
                (select 1 from applications a where a.report_id = r.id)
                and not exists (select 1 from active_disclosure a where a.report_id = r.id)"""
            ).fetchone()[0],
            "unparsed": one(
                """select count(*) from documents d where kind in ('report', 'attachment')
                and sha256 is not null and error is null and parse_status is null
                and not exists (select 1 from reports r where r.document_id = d.id)"""
            ).fetchone()[0],
            "orphan_bodies": len(stored - digests),
        }
    finally:
        db.close()


def whole(report: dict) -> bool:
    """True when nothing in a check() report says the archive is broken."""
    return (
        report["integrity"] == "ok"
        and not report["missing_bodies"]
        and not report["duplicate_versions"]
        and not report["latest_per_url"]
    )
