"""Counted ahead, never wrong: the reports page's facet counts and the canned queries' summaries
(archive.derived) equal a live count of the reports after ingest, after a recrawl (new versions,
removals) and after reparse; a page whose counts are out of date counts live."""

import json
import sqlite3
import urllib.parse
from collections import Counter

import pytest
from agency_samples import build_agency_archive
from local_portals import report_page
from publish_site import Site

from govreports.archive import agencies, derived, lifecycle
from govreports.archive.db import Archive
from govreports.archive.ingest import ingest_paths
from govreports.archive.reparse import reparse

FILTERS = [
    {},
    {"is_latest": 1},
    {"province": "浙江省"},
    {"year": 2022},
    {"failing": 1},
    {"is_latest": 1, "province": "浙江省", "year": 2021, "failing": 0},
]
# facet kind -> the live SQL of Datasette's own facet of that kind over the filtered reports
LIVE = {
    "column": "select [{f}] as value, count(*) from reports where [{f}] is not null {w} group by 1",
    "flag": "select check_failures > 0, count(*) from reports where check_failures is not null {w} group by 1",
    "array": "select j.value, count(*) from reports, json_each(reports.failed_checks) j where 1 {w} group by 1",
}


def live_counts(db, facet, filters) -> dict:
    where = "".join(
        " and check_failures > 0" if (k, v) == ("failing", 1) else
        " and check_failures = 0" if k == "failing" else f" and [{k}] = ?"
        for k, v in filters.items()
    )  # fmt: skip
    params = [v for k, v in filters.items() if k != "failing"]
    sql = LIVE[derived.FACETS[facet]].format(f=facet, w=where)
    return dict(db.execute(sql, params).fetchall())


def assert_counts_are_live(archive):
    assert derived.is_current(archive.db.conn)
    for facet in derived.FACETS:
        for filters in FILTERS:
            counted = dict(derived.facet_counts(archive.db.conn, facet, filters, 1000))
            assert counted == live_counts(archive.db, facet, filters), (facet, filters)
    totals = archive.db.execute("select sum(reports) from province_year_totals").fetchone()[0]
    assert totals == archive.db.execute("select count(*) from reports where is_latest = 1").fetchone()[0]


def write_reports(folder, agencies):
    """One HTML report per (agency, year), in the folder; returns the files."""
    files = []
    for agency, year in agencies:
        path = folder / f"{agency}-{year}.html"
        path.write_bytes(report_page(agency, year))
        files.append(path)
    return files


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "reports.db")
    yield archive
    archive.close()


ZHEJIANG = {"province": "浙江省", "city": "宁波市", "county": "北仑区"}
AGENCIES = [("北仑区卫生健康局", 2021), ("北仑区卫生健康局", 2022), ("北仑区教育局", 2022)]


def test_facet_counts_equal_live_counts_after_ingest(archive, tmp_path):
    (tmp_path / "in").mkdir()
    ingest_paths(archive, write_reports(tmp_path / "in", AGENCIES), context=ZHEJIANG, echo=lambda _: None)
    assert archive.db.execute("select count(*) from reports").fetchone()[0] == 3
    assert_counts_are_live(archive)
    assert dict(derived.facet_counts(archive.db.conn, "year", {"province": "浙江省"}, 10)) == {
        2022: 2,
        2021: 1,
    }


def test_facet_counts_equal_live_counts_after_a_recrawl_with_new_versions_and_removals(archive):
    def fetch(url, body, status=200):
        result = archive.record_fetch(url=url, status=status, content_type="text/html", body=body)
        return archive.ingest_document(result.document_id, context=ZHEJIANG)

    run = archive.start_run()
    for i, (agency, year) in enumerate(AGENCIES):
        fetch(f"http://127.0.0.1/{i}.html", report_page(agency, year))
    archive.finish_run(run)
    assert_counts_are_live(archive)

    run = archive.start_run()
    changed = fetch("http://127.0.0.1/0.html", report_page("北仑区卫生健康局", 2023))  # a new version
    assert changed.status == "changed"
    archive.record_fetch(url="http://127.0.0.1/2.html", status=404, body=None)  # taken down
    assert not derived.is_current(archive.db.conn)  # the change is noticed at once
    archive.finish_run(run)
    assert archive.db.execute("select count(*) from reports where removed_at is not null").fetchone()[0] == 1
    assert_counts_are_live(archive)
    latest = dict(derived.facet_counts(archive.db.conn, "year", {"is_latest": 1}, 10))
    assert latest == {2023: 1, 2022: 2}


def test_facet_counts_equal_live_counts_after_reparse(archive, tmp_path):
    (tmp_path / "in").mkdir()
    ingest_paths(archive, write_reports(tmp_path / "in", AGENCIES), context=ZHEJIANG, echo=lambda _: None)
    # what an older parser had stored: another year and a failed check on one report
    archive.db.execute(
        "update reports set year = 2019, check_failures = 3, failed_checks = '[\"balance\"]' where id = 1"
    )
    archive.db.conn.commit()
    assert not derived.is_current(archive.db.conn)
    reparse(archive, echo=lambda _: None)
    assert_counts_are_live(archive)
    assert 2019 not in dict(derived.facet_counts(archive.db.conn, "year", {}, 10))


def test_an_archive_closed_after_filing_reports_one_by_one_is_current(tmp_path):
    archive = Archive(tmp_path / "reports.db")
    fetch = archive.record_fetch(
        url="http://127.0.0.1/a.html", content_type="text/html", body=report_page("某局", 2021)
    )
    archive.ingest_document(fetch.document_id)
    assert not derived.is_current(archive.db.conn)
    archive.close()
    archive = Archive(tmp_path / "reports.db")
    assert_counts_are_live(archive)
    archive.close()


def served_with(tmp_path, sql) -> Site:
    """The small archive of AGENCIES, its counts checked against live counts, then changed by
    ``sql``, served by ``govreports serve``."""
    archive = Archive(tmp_path / "reports.db")
    (tmp_path / "in").mkdir()
    ingest_paths(archive, write_reports(tmp_path / "in", AGENCIES), context=ZHEJIANG, echo=lambda _: None)
    assert_counts_are_live(archive)
    assert_coverage_counts_are_live(archive)
    archive.db.conn.executescript(sql)
    archive.db.close()
    return Site(tmp_path / "reports.db", tmp_path / "datasette.log")


def served_facet(site, table, facet, params) -> dict:
    """{value: count} of one facet of a table's page as the served archive shows it."""
    query = urllib.parse.urlencode({**params, "_shape": "objects"})
    status, _, body = site.get(f"/reports/{table}.json?{query}")
    assert status == 200, body[:300]
    return {v["value"]: v["count"] for v in json.loads(body)["facet_results"][facet]["results"]}


def test_the_served_reports_page_shows_the_counted_facets_and_counts_live_when_they_are_stale(tmp_path):
    # a count in the derived table that no live count gives: the page must show it when current
    site = served_with(
        tmp_path, "update facet_counts set reports = 1000 where facet = 'year' and value = 2022"
    )
    try:

        def years(**params):
            return served_facet(site, "reports", "year", params)

        assert years()[2022] == 1000  # read from facet_counts
        assert years(province="浙江省")[2022] == 1000
        assert years(agency="北仑区教育局") == {2022: 1}  # a filter the counts are not split by: live
    finally:
        site.stop()
    # the triggers see any change to reports: the page counts live again
    with sqlite3.connect(tmp_path / "reports.db") as conn:
        conn.execute("update reports set year = 2020 where id = 3")
    site = Site(tmp_path / "reports.db", tmp_path / "datasette-2.log")
    try:
        status, _, body = site.get("/reports/reports.json?_shape=objects")
        counts = {v["value"]: v["count"] for v in json.loads(body)["facet_results"]["year"]["results"]}
        assert counts == {2021: 1, 2022: 1, 2020: 1}
    finally:
        site.stop()


@pytest.mark.parametrize(
    "params", [{"_search": "局"}, {"_search": "教育局"}, {"_search_agency": "卫生", "year": "2022"}]
)
def test_a_searched_reports_page_counts_its_facets_over_the_matches(tmp_path, params):
    site = served_with(tmp_path, "")
    try:
        query = urllib.parse.urlencode({**params, "_shape": "objects", "_size": "max"})
        status, _, body = site.get(f"/reports/reports.json?{query}")
        rows = json.loads(body)["rows"]
        assert status == 200 and rows
        for facet in ("province", "city", "level", "year", "template"):
            expected = Counter(row[facet] for row in rows if row[facet] is not None)
            assert served_facet(site, "reports", facet, params) == expected
        failed = Counter(check for row in rows for check in json.loads(row["failed_checks"] or "[]"))
        assert served_facet(site, "reports", "failed_checks", params) == failed
        failing = Counter(int(row["check_failures"] > 0) for row in rows)
        assert served_facet(site, "reports", "有未通过的校验", params) == failing
    finally:
        site.stop()


# -- an incremental refresh against a full rebuild, on the shared real reports --------------------

DERIVED = [
    "facet_counts",
    *derived.SUMMARIES,
    "agencies",
    "coverage",
    "coverage_provinces",
    "coverage_facet_counts",
]


def snapshot(db) -> dict:
    """Every derived table's rows, sorted (agency_aliases without its row id, which a rebuild renumbers)."""
    tables = {name: db.execute(f"select * from [{name}]").fetchall() for name in DERIVED}
    tables["agency_aliases"] = db.execute(
        "select agency_id, alias, region_code, kind, reports from agency_aliases"
    ).fetchall()
    return {name: sorted(rows, key=repr) for name, rows in tables.items()}


def assert_incremental_is_full(archive):
    """Refresh what changed (it must be incremental), then rebuild everything: the same rows."""
    assert derived.refresh_derived(archive.db) == "incremental"
    assert_counts_are_live(archive)
    assert_coverage_counts_are_live(archive)
    incremental = snapshot(archive.db)
    assert derived.refresh_derived(archive.db, force=True) == "full"
    full = snapshot(archive.db)
    for name in full:
        assert incremental[name] == full[name], name


def assert_coverage_counts_are_live(archive):
    db = archive.db
    years = [y for (y,) in db.execute("select distinct year from coverage")]
    for facet in agencies.COVERAGE_FACETS:
        for filters in [
            {},
            {"year": max(years)},
            {"status": "missing"},
            {"province": "江苏省", "year": min(years)},
        ]:
            where = "".join(f" and [{k}] = ?" for k in filters)
            live = db.execute(
                f"select [{facet}], count(*) from coverage where [{facet}] is not null {where} group by 1",
                list(filters.values()),
            ).fetchall()
            assert dict(derived.facet_counts(db.conn, facet, filters, 1000, "coverage")) == dict(live), (
                facet,
                filters,
            )
    published = db.execute("select count(*) from coverage where status = 'published'").fetchone()[0]
    assert db.execute("select sum(published) from coverage_provinces").fetchone()[0] == published
    # the home page's totals, counted ahead, against the same totals counted live
    assert (
        db.execute("select * from archive_summary").fetchall() == db.execute(derived.LIVE_SUMMARY).fetchall()
    )


@pytest.fixture
def shared_archive(tmp_path):
    archive = Archive(build_agency_archive(tmp_path / "reports.db"))
    yield archive
    archive.close()


def fetch(archive, url, body, status=200):
    result = archive.record_fetch(url=url, status=status, content_type="text/html", body=body)
    return archive.ingest_document(result.document_id, context=ZHEJIANG) if body else None


def test_one_more_report_refreshes_incrementally_to_what_a_full_rebuild_gives(shared_archive):
    assert_counts_are_live(shared_archive)
    assert (
        fetch(shared_archive, "http://127.0.0.1/a.html", report_page("北仑区卫生健康局", 2022)).status
        == "new"
    )
    assert_incremental_is_full(shared_archive)
    # the same agency's next year, and another agency: the agency's years, year over year, missing years
    fetch(shared_archive, "http://127.0.0.1/b.html", report_page("北仑区卫生健康局", 2024))
    fetch(shared_archive, "http://127.0.0.1/c.html", report_page("宁波市北仑区教育局", 2023))
    assert_incremental_is_full(shared_archive)


def test_a_report_for_a_new_year_or_an_earlier_one_refreshes_incrementally(shared_archive):
    newest = shared_archive.db.execute("select max(year) from reports").fetchone()[0]
    # the first report of a new year: every agency gains a coverage row and a missing year
    fetch(shared_archive, "http://127.0.0.1/d.html", report_page("北仑区卫生健康局", newest + 1))
    assert_incremental_is_full(shared_archive)
    assert shared_archive.db.execute("select max(year) from missing_years").fetchone()[0] == newest + 1
    # its new version is for the year before: the current reports' newest year is back (coverage
    # keeps the year: the old version is still archived)
    fetch(shared_archive, "http://127.0.0.1/d.html", report_page("北仑区卫生健康局", newest))
    assert_incremental_is_full(shared_archive)
    assert shared_archive.db.execute("select max(year) from missing_years").fetchone()[0] == newest
    fetch(
        shared_archive, "http://127.0.0.1/e.html", report_page("北仑区教育局", 2017)
    )  # an earlier first year
    assert_incremental_is_full(shared_archive)


def test_a_recrawl_with_new_versions_and_removals_refreshes_incrementally(shared_archive):
    run = shared_archive.start_run()
    fetch(shared_archive, "http://127.0.0.1/a.html", report_page("北仑区卫生健康局", 2022))
    fetch(shared_archive, "http://127.0.0.1/b.html", report_page("北仑区教育局", 2022))
    shared_archive.finish_run(run)
    run = shared_archive.start_run()
    assert (
        fetch(shared_archive, "http://127.0.0.1/a.html", report_page("北仑区卫生健康局", 2023)).status
        == "changed"
    )
    fetch(shared_archive, "http://127.0.0.1/b.html", None, status=404)  # taken down
    shared_archive.finish_run(run)  # its refresh is incremental too: nothing waits after it
    assert derived.is_current(shared_archive.db.conn)
    assert (
        shared_archive.db.execute("select count(*) from coverage where status = 'removed'").fetchone()[0] == 1
    )
    fetch(shared_archive, "http://127.0.0.1/b.html", report_page("北仑区教育局", 2022))  # back, unchanged
    shared_archive.db.execute("update reports set removed_at = null where url = 'http://127.0.0.1/b.html'")
    assert_incremental_is_full(shared_archive)


def test_cells_changed_without_their_report_row_move_the_summaries(shared_archive):
    report_id = shared_archive.db.execute(
        "select report from report_figures where new_applications > 0 limit 1"
    ).fetchone()[0]
    record = {"applications": [{"row": "new", "applicant": "total", "value": 12345, "raw": "12345"}]}
    shared_archive.write_cells(report_id, record)  # what reparse does when only the cells differ
    assert_incremental_is_full(shared_archive)
    figures = shared_archive.db.execute(
        "select new_applications from report_figures where report = ?", [report_id]
    )
    assert figures.fetchone()[0] == 12345


def test_reparse_rebuilds_everything_and_the_counts_stay_live(shared_archive):
    shared_archive.db.execute("update reports set year = 2019 where id = 1")
    shared_archive.db.conn.commit()
    reparse(shared_archive, echo=lambda _: None)
    assert_counts_are_live(shared_archive)
    assert_coverage_counts_are_live(shared_archive)
    rebuilt = snapshot(shared_archive.db)
    derived.refresh_derived(shared_archive.db, force=True)
    assert snapshot(shared_archive.db) == rebuilt


def test_the_served_coverage_page_reads_its_counted_facets(tmp_path):
    # a count no live count gives: the page must show it
    site = served_with(
        tmp_path,
        f"update {agencies.COVERAGE_COUNTS} set agencies = 500 where facet = 'status' and value = 'missing'",
    )
    try:

        def statuses(**params):
            return served_facet(site, "coverage", "status", params)

        assert statuses()["missing"] == 500  # read from coverage_facet_counts
        assert statuses(year=2021)["missing"] == 500
        assert statuses(level="department") == {"published": 3, "missing": 1}  # not counted ahead: live
    finally:
        site.stop()


def test_govreports_refresh_redoes_what_changed_or_everything(tmp_path):
    from click.testing import CliRunner

    from govreports.crawler.cli import cli

    archive = Archive(tmp_path / "reports.db")
    fetch(archive, "http://127.0.0.1/a.html", report_page("北仑区卫生健康局", 2022))  # no refresh yet
    archive.db.close()
    path = str(tmp_path / "reports.db")
    assert CliRunner().invoke(cli, ["refresh", path]).output == "refresh: full\n"  # never refreshed before
    assert CliRunner().invoke(cli, ["refresh", path]).output == "refresh: nothing had changed\n"
    assert CliRunner().invoke(cli, ["refresh", path, "--full"]).output == "refresh: full\n"
    archive = Archive(path)
    assert_counts_are_live(archive)
    archive.close()


def test_an_archive_from_before_the_change_log_is_served_with_live_counts(tmp_path):
    site = served_with(tmp_path, f"drop table {derived.CHANGES}; drop table {agencies.COVERAGE_COUNTS};")
    try:
        assert served_facet(site, "reports", "year", {}) == {2021: 1, 2022: 2}
        assert served_facet(site, "coverage", "status", {}) == {"published": 3, "missing": 1}
        status, _, body = site.get("/")
        assert status == 200, body[:300]
    finally:
        site.stop()


def test_more_changed_reports_than_sqlite_takes_parameters_are_linked(archive):
    """A crawl run may change 40,000 reports of a national archive, an incremental refresh's
    worth: the agencies of all of them are looked up in one statement."""
    fetch(archive, "http://127.0.0.1/a.html", report_page("北仑区卫生健康局", 2022))
    assert agencies.link(archive.db, range(1, 40_001))  # the one report among them: its agency
    assert lifecycle.agencies_of(archive.db, range(1, 40_001))
