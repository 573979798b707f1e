"""Reports over time: removal marks (never deletion) and the cross-year check cross_year."""

import json
import re

import pytest
from truth import SHARED

from govreports.archive import lifecycle
from govreports.archive.db import Archive

SEED = (SHARED / "seeds" / "000_a2e4991bb9f5a779.txt").read_text(encoding="utf-8")
SOURCE = {
    "name": "卫东区人民政府",
    "url": "http://127.0.0.1/list.html",
    "province": "河南省",
    "city": "平顶山市",
    "county": "卫东区",
    "level": "county",
}


def report_text(year, carried_over, carried_forward) -> bytes:
    """A real report (卫东区卫健委, 2021 template) moved to another year, with the two carry rows set."""
    text = SEED.replace("2021", str(year))
    row = "\t".join(map(str, carried_over))
    text = re.sub(r"(二、上年结转政府信息公开申请数量)\t.*", lambda m: f"{m.group(1)}\t{row}", text)
    row = "\t".join(map(str, carried_forward))
    text = re.sub(r"(四、结转下年度继续办理)\t+.*", lambda m: f"{m.group(1)}\t\t\t\t{row}\t", text)
    return text.encode()


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "reports.db")
    archive.upsert_source(SOURCE)
    yield archive
    archive.close()


def ingest(archive, url, body, status=200):
    fetch = archive.record_fetch(
        url=url, status=status, content_type="text/plain", body=body, source=SOURCE["name"]
    )
    return archive.ingest_document(fetch.document_id)


def cross_year_rows(archive, report_id):
    return {
        r["applicant"]: (r["expected"], r["found"], r["passed"])
        for r in archive.db["checks"].rows_where("report_id = ? and rule = 'cross_year'", [report_id])
    }


def test_cross_year_compares_carried_forward_of_year_n_with_carried_over_of_year_n_plus_1(archive):
    ingest(archive, "http://127.0.0.1/2021.txt", report_text(2021, [0] * 7, [2, 0, 0, 0, 0, 1, 3]))
    later = ingest(archive, "http://127.0.0.1/2022.txt", report_text(2022, [2, 0, 0, 0, 0, 0, 2], [0] * 7))
    before = archive.db["reports"].get(later.report_id)["check_failures"]

    result = lifecycle.cross_year(archive.db)

    rows = cross_year_rows(archive, later.report_id)
    assert rows["natural_person"] == (2, 2, 1)
    assert rows["other"] == (1, 0, 0), "2021 carried 1 forward, 2022 says 0 carried over"
    assert rows["total"] == (3, 2, 0)
    assert len(rows) == 7 and result["failed"] == 2
    report = archive.db["reports"].get(later.report_id)
    assert report["check_failures"] == before + 2
    assert "cross_year" in json.loads(report["failed_checks"])

    again = lifecycle.cross_year(archive.db)
    assert again["checked"] == 7, "recomputed, not added a second time"
    assert archive.db["reports"].get(later.report_id)["check_failures"] == before + 2


def test_a_corrected_version_is_checked_again_and_the_old_version_keeps_its_result(archive):
    ingest(archive, "http://127.0.0.1/2021.txt", report_text(2021, [0] * 7, [2, 0, 0, 0, 0, 1, 3]))
    first = ingest(archive, "http://127.0.0.1/2022.txt", report_text(2022, [2, 0, 0, 0, 0, 0, 2], [0] * 7))
    lifecycle.cross_year(archive.db)

    fixed = ingest(archive, "http://127.0.0.1/2022.txt", report_text(2022, [2, 0, 0, 0, 0, 1, 3], [0] * 7))
    assert fixed.status == "changed"
    lifecycle.cross_year(archive.db, agencies=[archive.db["reports"].get(fixed.report_id)["agency_id"]])

    rows = cross_year_rows(archive, fixed.report_id)
    assert len(rows) == 7 and all(passed for _, _, passed in rows.values())
    assert cross_year_rows(archive, first.report_id)["total"] == (3, 2, 0)


def test_no_check_without_the_previous_year_or_across_agencies(archive):
    ingest(archive, "http://127.0.0.1/2021.txt", report_text(2021, [0] * 7, [5] * 7))
    later = ingest(archive, "http://127.0.0.1/2023.txt", report_text(2023, [1] * 7, [0] * 7))  # 2022 missing
    other = (
        report_text(2022, [1] * 7, [0] * 7)
        .decode()
        .replace("卫东区卫生健康委员会", "湛河区卫生健康委员会")
        .replace("卫健委2022", "湛河区卫生健康委员会2022")  # 卫健委 alone on 卫东区's portal is 卫东区's
    )
    stranger = ingest(archive, "http://127.0.0.1/other-2022.txt", other.encode())

    assert lifecycle.cross_year(archive.db)["checked"] == 0
    assert cross_year_rows(archive, later.report_id) == {} == cross_year_rows(archive, stranger.report_id)


def test_a_run_checks_again_only_the_agencies_whose_reports_it_changed(tmp_path):
    from govreports.archive.ingest import ingest_paths

    def other_agency(body: bytes) -> bytes:
        text = body.decode().replace("卫东区卫生健康委员会", "湛河区卫生健康委员会")
        return re.sub(r"卫健委(20\d\d)", r"湛河区卫生健康委员会\1", text).encode()

    files = {
        "2021.txt": report_text(2021, [0] * 7, [2, 0, 0, 0, 0, 1, 3]),
        "2022.txt": report_text(2022, [2, 0, 0, 0, 0, 0, 2], [0] * 7),
        "other-2021.txt": other_agency(report_text(2021, [0] * 7, [1] * 7)),
        "other-2022.txt": other_agency(report_text(2022, [0] * 7, [0] * 7)),
    }
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
    db = tmp_path / "reports.db"
    ingest_paths(db, [tmp_path / name for name in files], echo=lambda line: None)
    archive = Archive(db)
    other = archive.latest_report((tmp_path / "other-2022.txt").resolve().as_uri())
    assert cross_year_rows(archive, other["id"])["total"] == (1, 0, 0), "both agencies checked by ingest"

    # A crawl files a corrected 2022 of 卫东区卫健委: the run's end checks that agency again.
    url = (tmp_path / "2022.txt").resolve().as_uri()
    fetch = archive.record_fetch(
        url=url, status=200, content_type="text/plain", body=report_text(2022, [2, 0, 0, 0, 0, 1, 3], [0] * 7)
    )
    fixed = archive.ingest_document(fetch.document_id)
    result = lifecycle.cross_year_changed(archive.db)

    assert result["reports"] == [fixed.report_id], "the other agency's reports are not checked again"
    assert all(passed for _, _, passed in cross_year_rows(archive, fixed.report_id).values())
    assert cross_year_rows(archive, other["id"])["total"] == (1, 0, 0), "and keep their result"
    archive.close()


def test_a_report_answering_404_is_marked_removed_and_kept(archive):
    url = "http://127.0.0.1/2021.txt"
    report = ingest(archive, url, report_text(2021, [0] * 7, [0] * 7))
    run_started = lifecycle.now()
    archive.record_fetch(url=url, status=404, body=None, source=SOURCE["name"], error="HTTP 404")

    result = lifecycle.after_crawl(archive.db, run_started, at="2026-11-23T03:00:00+00:00")

    assert result["removed"] == [url]
    row = archive.db["reports"].get(report.report_id)
    assert row["removed_at"] == "2026-11-23T03:00:00+00:00"
    assert archive.db["applications"].count_where("report_id = ?", [report.report_id]) > 0, "cells kept"
    assert lifecycle.after_crawl(archive.db, run_started)["removed"] == [], "marked once"


def test_a_report_gone_from_a_complete_list_is_removed_and_comes_back_when_listed_again(archive):
    kept = "http://127.0.0.1/2021.txt"
    gone = "http://127.0.0.1/2022.txt"
    ingest(archive, kept, report_text(2021, [0] * 7, [0] * 7))
    ingest(archive, gone, report_text(2022, [0] * 7, [0] * 7))
    started = lifecycle.now()

    # A partial crawl of the source (failed list page, page limit) says nothing about removals.
    assert lifecycle.after_crawl(archive.db, started, complete_sources={})["removed"] == []

    result = lifecycle.after_crawl(archive.db, started, complete_sources={SOURCE["name"]: [kept]})
    assert result["removed"] == [gone]
    assert archive.latest_report(gone)["removed_at"] is not None
    assert archive.latest_report(kept)["removed_at"] is None

    result = lifecycle.after_crawl(archive.db, started, complete_sources={SOURCE["name"]: [kept, gone]})
    assert result == {"removed": [], "back": 1}
    assert archive.latest_report(gone)["removed_at"] is None


def test_ingest_runs_the_check_and_reparse_keeps_it_without_calling_it_a_change(tmp_path):
    from govreports.archive.ingest import ingest_paths
    from govreports.archive.reparse import reparse

    (tmp_path / "2021.txt").write_bytes(report_text(2021, [0] * 7, [2, 0, 0, 0, 0, 1, 3]))
    (tmp_path / "2022.txt").write_bytes(report_text(2022, [2, 0, 0, 0, 0, 0, 2], [0] * 7))
    db = tmp_path / "reports.db"
    ingest_paths(db, [tmp_path / "2021.txt", tmp_path / "2022.txt"], echo=lambda line: None)
    archive = Archive(db)
    later = archive.latest_report((tmp_path / "2022.txt").resolve().as_uri())
    assert cross_year_rows(archive, later["id"])["total"] == (3, 2, 0)

    lines = []
    counts = reparse(archive, echo=lines.append)

    assert counts["changed"] == 0, lines
    assert cross_year_rows(archive, later["id"])["total"] == (3, 2, 0)
    assert archive.latest_report(later["url"])["check_failures"] == later["check_failures"]


def test_a_source_whose_url_is_the_report_itself_does_not_lose_it(archive):
    archive.upsert_source({**SOURCE, "name": "某局", "url": "http://127.0.0.1/report.txt"})
    fetch = archive.record_fetch(
        url="http://127.0.0.1/report.txt",
        content_type="text/plain",
        body=report_text(2021, [0] * 7, [0] * 7),
        source="某局",
    )
    archive.ingest_document(fetch.document_id)
    result = lifecycle.after_crawl(archive.db, lifecycle.now(), complete_sources={"某局": set()})
    assert result["removed"] == []
