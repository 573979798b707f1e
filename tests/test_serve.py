"""`govreports serve`: the real command, Datasette on 127.0.0.1, over an archive of the sample
reports."""

import json
import urllib.parse
import urllib.request

import pytest
from archive_samples import copy_samples
from publish_site import Site

from govreports.archive import Archive
from govreports.archive.ingest import ingest_paths
from govreports.datasette.serve import SETTINGS, datasette_args, metadata


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    db = folder / "reports.db"
    archive = Archive(db)
    ingest_paths(archive, copy_samples(folder / "reports"), echo=lambda line: None)
    archive.close()
    server = Site(db, folder / "datasette.log")
    try:
        yield server.base
    finally:
        server.stop()


def get_json(base: str, path: str, **params):
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def test_reports_table_has_the_facets_of_the_metadata(site):
    data = get_json(site, "/reports/reports.json", _shape="objects")
    assert {"province", "city", "year", "template", "failed_checks"} <= set(data["facet_results"])
    years = {f["value"]: f["count"] for f in data["facet_results"]["year"]["results"]}
    assert years == {2021: 3, 2020: 1}
    failed = {f["value"]: f["count"] for f in data["facet_results"]["failed_checks"]["results"]}
    assert failed["row_total"] == 2  # 乐清 and its 北仑 retelling both fail it, as published


def test_a_facet_value_filters_the_reports(site):
    data = get_json(site, "/reports/reports.json", _shape="objects", template="2019", _col="agency")
    assert [row["agency"] for row in data["rows"]] == ["沙河市卫生健康局"]


def test_the_search_box_finds_two_character_words(site):
    def titles(query):
        rows = get_json(site, "/reports/reports.json", _search=query, _col="agency", _shape="array")
        return sorted(row["agency"] for row in rows)

    assert titles("北仑") == ["宁波市北仑区卫生健康局"]
    assert len(titles("复议")) == 4
    # longer and 1-character queries need the plugin's escape_fts (archive.search) in Datasette
    assert titles("沙河市卫生健康局") == ["沙河市卫生健康局"]
    assert len(titles("局")) >= 3


def test_cells_show_their_chinese_labels(site):
    # the compact table of the cells (archive.cells) shows each code id with its label
    data = get_json(site, "/reports/application_cells.json", _shape="objects", _labels="on", _size=500)
    labels = {(r["row_id"]["label"], r["applicant_id"]["label"]) for r in data["rows"]}
    assert ("本年新收政府信息公开申请数量", "总计") in labels
    # and the public view the same cells with their codes
    cells = get_json(site, "/reports/applications.json", _shape="objects", row="new", applicant="total")
    assert cells["rows"] and {(r["row"], r["applicant"]) for r in cells["rows"]} == {("new", "total")}


def test_canned_search_query_returns_snippets(site):
    rows = get_json(site, "/reports/search.json", q="北仑区卫生", _shape="array")
    assert [row["agency"] for row in rows] == ["宁波市北仑区卫生健康局"]
    assert "【北仑区卫生】" in rows[0]["snippet"]


def test_served_read_only_with_limits_and_metadata(site):
    databases = get_json(site, "/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("reports", False)]
    settings = get_json(site, "/-/settings.json")
    assert {k: settings[k] for k in SETTINGS} == SETTINGS
    with urllib.request.urlopen(site + "/", timeout=30) as response:
        assert "政府信息公开工作年度报告档案" in response.read().decode("utf-8")


def test_the_home_page_shows_the_totals_and_the_largest_tables(site):
    with urllib.request.urlopen(site + "/", timeout=30) as response:
        page = response.read().decode("utf-8")
    assert "<strong>4</strong> 份报告 reports" in page
    listed = page[page.index('<a href="/reports">reports</a>') :]
    # the five largest tables of the archive, by the counts the served file carries
    assert '<a href="/reports/coverage" title=' in listed
    assert '<a href="/reports/reports" title="4 rows">reports</a>' in listed
    assert listed.count('<a href="/reports/') == 5
    # the JSON of the index is still Datasette's own
    assert "tables_and_views_truncated" in get_json(site, "/.json")["reports"]


def test_datasette_args_name_the_metadata_for_the_served_file(tmp_path):
    args = datasette_args(tmp_path / "demo.db", port=0, workdir=tmp_path)
    assert args[:3] == ["serve", "--immutable", str(tmp_path / "demo.db")]
    written = json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8"))
    assert written == metadata("demo")
    assert written["databases"]["demo"]["tables"]["reports"]["sort_desc"] == "year"
    assert args[args.index("--setting") + 1 : args.index("--setting") + 3] == ["sql_time_limit_ms", "5000"]
