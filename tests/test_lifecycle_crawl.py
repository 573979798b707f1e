"""A portal crawled twice: a changed report gets a new version, a removed one is marked, never
deleted; every fetch is in the run's WARC files, and each documents row points at its record."""

import json
import os
import subprocess

import pytest
import sqlite_utils
from local_portals import Portal, crawl_command, sources_yaml

from govreports.crawler.warc import read_record, warc_folder

pytestmark = pytest.mark.crawl

FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0}


@pytest.fixture
def portal():
    with Portal("测试丙区人民政府", 6, per_page=4) as portal:
        yield portal


def run(db, sources) -> dict:
    """govreports crawl in its own process (Scrapy's reactor runs once per process): per-source counts."""
    env = {**os.environ, "GOVREPORTS_CRAWL_SETTINGS": json.dumps(FAST)}
    subprocess.run(crawl_command(db, sources, "--no-browser"), env=env, check=True, capture_output=True)
    last = (
        sqlite_utils.Database(db)
        .execute("select sources from crawl_runs order by id desc limit 1")
        .fetchone()
    )
    return json.loads(last[0])


def test_recrawl_keeps_versions_and_marks_removals(tmp_path, portal):
    db = tmp_path / "reports.db"
    sources = sources_yaml(tmp_path / "sources.yaml", [portal])
    assert run(db, sources)[portal.name]["new"] == 6

    changed, removed = portal.report_paths[1], portal.report_paths[4]
    portal.change(changed)
    portal.remove(removed)
    portal.requests.clear()
    counts = run(db, sources)[portal.name]
    assert (counts["changed"], counts["unchanged"]) == (1, 4)
    # Unchanged reports were asked for conditionally and answered 304; the removed one not at all.
    assert all(portal.requests[p] == 1 for p in portal.report_paths)
    assert portal.requests[removed] == 0

    archive = sqlite_utils.Database(db)
    versions = list(archive["reports"].rows_where("url = ?", [portal.url + changed], order_by="version"))
    assert [(v["version"], v["is_latest"]) for v in versions] == [(1, 0), (2, 1)]
    gone = list(archive["reports"].rows_where("url = ?", [portal.url + removed]))
    assert len(gone) == 1 and gone[0]["removed_at"] is not None, "gone from its list: marked, kept"
    assert archive["reports"].count_where("removed_at is not null") == 1
    assert all(r["first_seen"] <= r["last_seen"] for r in archive["reports"].rows)


def test_every_fetched_document_points_at_its_warc_record(tmp_path, portal):
    db = tmp_path / "reports.db"
    run(db, sources_yaml(tmp_path / "sources.yaml", [portal]))

    archive = sqlite_utils.Database(db)
    documents = list(archive["documents"].rows_where("status = 200"))
    assert documents and all(d["warc_file"] for d in documents)
    store = db.with_name("reports.raw")
    for d in documents:
        url, status, _headers, body = read_record(warc_folder(db), (d["warc_file"], d["warc_offset"]))
        assert (url, status) == (d["final_url"], 200)
        assert body == (store / d["sha256"][:2] / d["sha256"][2:4] / d["sha256"]).read_bytes()
    assert len(list(warc_folder(db).glob("govreports-run1-*.warc.gz"))) == 1
