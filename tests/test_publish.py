"""Publishing: `govreports serve` over a real archive, checked over HTTP the way a browser or a
script would use it (metadata, facets, Chinese search, report pages, canned queries, exports,
read-only limits). The pages in a real browser are in test_browser_publish.py."""

import csv
import io
import json
import re
import sqlite3
import urllib.parse

import pytest
import yaml
from publish_site import MARKUP_TITLE, Site, build_archive, corpus

from govreports.archive import agencies
from govreports.archive.schema import CODE_TABLES, TABLES
from govreports.datasette.serve import METADATA, SETTINGS

CJK = re.compile("[\u4e00-\u9fff]")
LATIN = re.compile("[A-Za-z]{3}")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_archive(tmp_path_factory.getbasetemp() / "publish" / "reports.db")


@pytest.fixture(scope="module")
def site(db, tmp_path_factory):
    site = Site(db, tmp_path_factory.mktemp("publish-http") / "datasette.log")
    yield site
    site.stop()


def get_json(site, path, **params):
    query = urllib.parse.urlencode({**params, "_shape": "objects"})
    status, _, body = site.get(f"{path}.json?{query}")
    assert status == 200, body[:500]
    return json.loads(body)


def sql(db, query, params=()):
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(query, params)]


def test_every_table_and_column_is_described_in_chinese_and_english():
    tables = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["govreports"]["tables"]
    code_columns = {"code": str, "label_zh": str, "label_en": str, "sort_order": int}
    schema = {name: columns for name, (columns, _, _) in (TABLES | agencies.TABLES).items()}
    schema |= dict.fromkeys(CODE_TABLES, code_columns)
    schema["reports"] = schema["reports"] | agencies.REPORT_COLUMNS
    schema["sources"] = schema["sources"] | agencies.SOURCE_COLUMNS
    for table, columns in schema.items():
        meta = tables[table]
        for text in (meta["title"], meta["description"]):
            assert CJK.search(text) and LATIN.search(text), (table, text)
        for column in columns:
            description = meta["columns"][column]
            assert CJK.search(description) and LATIN.search(description), (table, column, description)


def test_reports_table_opens_with_the_facets_a_journalist_filters_by(site, db):
    data = get_json(site, "/reports/reports")
    facets = data["facet_results"]
    for name in (
        "province",
        "city",
        "level",
        "sector",
        "year",
        "template",
        "有未通过的校验",
        "failed_checks",
    ):
        assert name in facets, name
    provinces = {v["value"]: v["count"] for v in facets["province"]["results"]}
    assert provinces["浙江省"] == 3
    failing = sql(db, "select count(*) as n from reports where check_failures > 0")[0]["n"]
    yes = [v for v in facets["有未通过的校验"]["results"] if v["value"] == 1][0]
    assert yes["count"] == failing and yes["label"] == "是 yes"
    # the facet's link filters the table to exactly those reports
    path = urllib.parse.urlsplit(yes["toggle_url"])
    rows = get_json(site, path.path.removesuffix(".json"), **dict(urllib.parse.parse_qsl(path.query)))["rows"]
    assert len(rows) == failing and all(r["check_failures"] > 0 for r in rows)


def test_code_columns_show_their_chinese_labels(site, db):
    # the public view gives the codes; the compact table it reads (archive.cells) their labels
    rows = get_json(site, "/reports/applications", report_id=1, row="unable.not_held", applicant="total")[
        "rows"
    ]
    assert [(r["row"], r["applicant"]) for r in rows] == [("unable.not_held", "total")]
    ids = sql(
        db,
        """select (select id from codes_application_row where code = 'unable.not_held') as row_id,
          (select id from codes_applicant where code = 'total') as applicant_id""",
    )[0]
    cells = get_json(site, "/reports/application_cells", report_id=1, **ids, _labels="on")["rows"]
    assert cells[0]["row_id"] == {"value": ids["row_id"], "label": "本机关不掌握相关政府信息"}
    assert cells[0]["applicant_id"] == {"value": ids["applicant_id"], "label": "总计"}
    assert cells[0]["value"] == rows[0]["value"]
    status, _, page = site.get("/reports/check_results?report_id=1&passed=0")
    assert status == 200 and "各类申请人之和等于总计" in page.decode()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("仑", {"宁波市北仑区卫生健康局"}),  # one character
        ("北仑", {"宁波市北仑区卫生健康局"}),  # two characters: trigram FTS would find nothing
        ("卫生健康局", {"乐清市卫生健康局", "宁波市北仑区卫生健康局", "沙河市卫生健康局"}),
    ],
)
def test_search_finds_chinese_words_of_any_length(site, query, expected):
    status, _, body = site.get("/-/search?" + urllib.parse.urlencode({"q": query}))
    page = body.decode()
    assert status == 200
    assert f"<mark>{query}</mark>" in page
    for agency in expected:
        assert agency in page
    rows = get_json(site, "/reports/reports", _search=query, is_latest=1)["rows"]
    assert {r["agency"] for r in rows} >= expected
    if query != "卫生健康局":
        assert {r["agency"] for r in rows} == expected


def test_reports_table_searches_one_column_with_search_column(site):
    rows = get_json(site, "/reports/reports", _search_agency="卫生健康局", is_latest=1)["rows"]
    assert {r["agency"] for r in rows} == {"乐清市卫生健康局", "宁波市北仑区卫生健康局", "沙河市卫生健康局"}
    status, _, body = site.get("/reports/reports?" + urllib.parse.urlencode({"_search_agency": "局"}))
    assert status == 200 and "agency search matches &#34;局&#34;" in body.decode()


def test_reports_table_search_shows_the_passage_under_each_row(site):
    status, _, body = site.get("/reports/reports?" + urllib.parse.urlencode({"_search": "复议"}))
    page = body.decode()
    assert status == 200
    assert page.count('class="search-snippet"') == len(
        get_json(site, "/reports/reports", _search="复议")["rows"]
    )
    assert "<mark>复议</mark>" in page


def test_report_page_lays_out_the_application_table_as_printed(site, db):
    status, _, body = site.get("/report/1")
    page = body.decode()
    assert status == 200
    assert "乐清市卫生健康局" in page and "浙江省 温州市 乐清市" in page
    grid = page[
        page.index('id="application-grid"') : page.index("</table>", page.index('id="application-grid"'))
    ]
    assert grid.count("<tr data-row=") == 25  # the 2021 form: 25 rows
    for row in re.findall(r"<tr data-row=.*?</tr>", grid, re.S):
        assert row.count('<td class="num') == 7  # 自然人, five kinds of 法人或其他组织, 总计
    assert "（三）不予公开" in grid and "1.本机关不掌握相关政府信息" in grid
    # the failed check is listed with expected and found, and its cell is marked
    failed = sql(db, "select * from checks where report_id = 1 and passed = 0 and rule = 'row_total'")[0]
    not_held = re.search(r'<tr data-row="unable.not_held">.*?</tr>', grid, re.S).group()
    assert 'class="num failed"' in not_held and f"应为 expected {failed['expected']}" in not_held
    assert "数字对不上" in page and "各类申请人之和等于总计" in page
    # evidence and the agency's other year
    assert 'href="http://www.yueqing.gov.cn/art/2022/1/17/art_1.html"' in page
    assert 'href="/report/2"' in page and "2022" in page


def test_report_page_of_the_2019_form_has_its_23_rows(site):
    status, _, body = site.get("/report/6")
    page = body.decode()
    assert status == 200 and "沙河市卫生健康局" in page
    assert page.count("<tr data-row=") == 23
    assert "上一年项目数量" in page  # the 2019 active-disclosure columns


def test_report_page_keeps_other_handling_as_one_row_when_the_report_prints_it_so(site):
    page = site.get("/report/7")[2].decode()  # 洪泽区 2023: （六）其他处理 is a single row in this PDF
    assert page.count("<tr data-row=") == 23
    assert 'data-row="other"' in page and 'data-row="other.no_fee"' not in page


def test_archived_original_file_downloads_byte_for_byte_and_never_renders(site, db):
    report = sql(db, "select id, sha256 from reports where id = 5")[0]
    status, _, body = site.get(f"/report/{report['id']}")
    assert f"/-/raw/{report['sha256']}" in body.decode()
    status, headers, raw = site.get(f"/-/raw/{report['sha256']}")
    original = [body for _, url, _, body in corpus() if url.endswith("jyj.html")][0]
    assert status == 200 and raw == original
    assert headers["content-disposition"].startswith("attachment")
    assert headers["content-security-policy"] == "sandbox"
    assert site.get("/-/raw/" + "0" * 64)[0] == 404
    assert site.get("/report/9999")[0] == 404


def test_markup_in_a_report_is_shown_as_text(site):
    for path in ("/report/5", "/-/search?q=onerror", "/reports/reports?_search=onerror"):
        page = site.get(path)[2].decode()
        assert "<script>window.xssRan" not in page and "<img src=x" not in page, path
    assert "&lt;script&gt;window.xssRan=1&lt;/script&gt;" in site.get("/report/5")[2].decode()
    assert MARKUP_TITLE in [r["title"] for r in get_json(site, "/reports/reports", id=5)["rows"]]


def test_canned_query_most_applications_received(site, db):
    rows = get_json(site, "/reports/most_applications")["rows"]
    values = [r["new_applications"] for r in rows]
    assert values == sorted(values, reverse=True)
    top = sql(
        db,
        """select r.id from reports r join applications a on a.report_id = r.id
        where a.row = 'new' and a.applicant = 'total' and a.value is not null order by a.value desc limit 1""",
    )[0]["id"]
    assert rows[0]["report"] == top
    assert all(
        r["province"] == "江苏省"
        for r in get_json(site, "/reports/most_applications", province="江苏省")["rows"]
    )


def test_canned_query_share_not_held_or_denied(site, db):
    rows = {r["agency"]: r for r in get_json(site, "/reports/not_held_or_denied_share")["rows"]}
    hongze = rows["洪泽区人民政府"]
    cells = {
        r["row"]: r["value"]
        for r in sql(db, "select row, value from applications where report_id = 7 and applicant = 'total'")
    }
    denied = sum(v for k, v in cells.items() if k.startswith("denied.") and v)
    assert hongze["handled"] == cells["handled_total"]
    assert hongze["not_held"] == cells["unable.not_held"] and hongze["denied"] == denied
    assert hongze["not_held_or_denied_pct"] == round(
        100 * (cells["unable.not_held"] + denied) / cells["handled_total"], 1
    )


def test_canned_query_reports_that_do_not_add_up(site, db):
    rows = get_json(site, "/reports/not_adding_up")["rows"]
    failing = {r["id"] for r in sql(db, "select id from reports where is_latest = 1 and check_failures > 0")}
    assert {r["report"] for r in rows} == failing
    leqing = [r for r in rows if r["report"] == 1][0]
    assert "各类申请人之和等于总计［本机关不掌握相关政府信息］ 应为 1，实为 0" in leqing["failed_checks"]
    assert {r["report"] for r in get_json(site, "/reports/not_adding_up", rule="review_sum")["rows"]} == {7}


def test_canned_query_agencies_missing_a_year(site):
    rows = get_json(site, "/reports/missing_years", province="浙江省")["rows"]
    leqing = [(r["year"], r["last_year_published_before"]) for r in rows if r["agency"] == "乐清市卫生健康局"]
    assert leqing == [
        (2023, 2022),
        (2024, 2022),
        (2025, 2022),
    ]  # published 2021 and 2022; archive goes to 2025


def test_canned_query_year_over_year(site):
    rows = get_json(site, "/reports/year_over_year", agency="乐清")["rows"]
    assert [(r["previous_year"], r["year"], r["change"]) for r in rows] == [(2021, 2022, 0)]


def test_canned_query_agencies_side_by_side(site):
    rows = get_json(site, "/reports/agency_years", province="浙江省")["rows"]
    leqing = [r for r in rows if r["agency"] == "乐清市卫生健康局"][0]
    assert leqing["reports"] == 2
    assert leqing["years"] == "2021：新收 1，办理 1，校验未通过 2； 2022：新收 1，办理 1，校验未通过 2"


def test_canned_query_totals_per_province_and_year(site, db):
    rows = {(r["province"], r["year"]): r for r in get_json(site, "/reports/province_year_totals")["rows"]}
    assert rows[("浙江省", 2021)]["reports"] == 2 and rows[("浙江省", 2022)]["reports"] == 1
    expected = sql(
        db,
        """select sum(a.value) as n from reports r join applications a on a.report_id = r.id
        where r.province = '江苏省' and r.year = 2023 and a.row = 'new' and a.applicant = 'total'""",
    )[0]["n"]
    assert rows[("江苏省", 2023)]["new_applications"] == expected


def test_csv_export_of_a_filtered_table(site):
    status, headers, body = site.get("/reports/reports.csv?" + urllib.parse.urlencode({"province": "浙江省"}))
    assert status == 200 and headers["content-type"].startswith("text/plain")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert {r["agency"] for r in rows} == {"乐清市卫生健康局", "宁波市北仑区卫生健康局"} and len(rows) == 3
    status, _, body = site.get("/reports/not_adding_up.csv")
    assert status == 200 and body.decode().startswith("report,agency,province")


def test_the_archive_is_read_only_with_time_and_size_limits(site):
    status, _, body = site.get("/reports.json?" + urllib.parse.urlencode({"sql": "delete from reports"}))
    assert status == 400 and b"Statement must be a SELECT" in body
    settings = json.loads(site.get("/-/settings.json")[2])
    assert settings["sql_time_limit_ms"] == SETTINGS["sql_time_limit_ms"]
    assert settings["max_returned_rows"] == SETTINGS["max_returned_rows"]
    databases = json.loads(site.get("/-/databases.json")[2])
    assert [d["is_mutable"] for d in databases if d["name"] == "reports"] == [False]


def test_dashboard_charts_filter_by_province(site):
    status, _, body = site.get("/-/dashboards/trends?" + urllib.parse.urlencode({"province": "浙江省"}))
    page = body.decode()
    assert status == 200 and '"db": "reports"' in page
    assert "r.province = :province" in page and "[[" not in page  # the filter is applied to every chart
    assert site.get("/-/static-plugins/datasette_dashboards/vega-lite.min.js")[0] == 200  # served locally
