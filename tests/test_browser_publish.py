"""A journalist's tasks on the published archive, in real headless Chromium: search an agency by
two characters, read its grid, filter by a facet, list the reports that do not add up, chart a
province's trend, export CSV. Every page is screenshotted to test-output/publish/; no page may
fetch anything but the archive itself, and markup inside a report never runs."""

import csv
import io
import pathlib
import re

import pytest
from playwright.sync_api import expect, sync_playwright
from publish_site import Site, build_archive

from govreports.crawler.settings import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

SCREENSHOTS = pathlib.Path(__file__).resolve().parents[1] / "test-output" / "publish"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db = build_archive(tmp_path_factory.getbasetemp() / "publish" / "reports.db")
    site = Site(db, tmp_path_factory.mktemp("publish-browser") / "datasette.log")
    yield site
    site.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site, request):
    """A fresh page that records every request leaving the archive; screenshotted at the end."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.outside = []
    page.on(
        "request", lambda r: r.url.startswith((site.base, "data:", "blob:")) or page.outside.append(r.url)
    )
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    context.close()
    assert page.outside == [], "pages must not load anything from outside the archive"


def test_find_an_agency_by_two_characters_from_the_home_page(page, site):
    page.goto(site.url("/"))
    page.get_by_role("searchbox").fill("北仑")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/-/search\?q="))
    results = page.locator(".search-results li")
    expect(results).to_have_count(1)
    expect(results.locator("mark").first).to_have_text("北仑")
    results.get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("宁波市北仑区卫生健康局")
    expect(page.locator("#application-grid tbody tr")).to_have_count(25)


def test_read_a_report_grid_with_its_failed_checks(page, site):
    page.goto(site.url("/report/1"))
    grid = page.locator("#application-grid")
    expect(grid.locator("tbody tr")).to_have_count(25)
    expect(grid.locator("thead")).to_contain_text("申请人情况")
    not_held = grid.locator('tr[data-row="unable.not_held"]')
    expect(not_held.locator("th").last).to_have_text("1.本机关不掌握相关政府信息")
    expect(not_held.locator("td")).to_have_text(["1", "0", "0", "0", "0", "0", "0"])
    failed = not_held.locator("td.failed")
    expect(failed).to_have_attribute("title", re.compile("应为 expected 1, 实为 found 0"))
    assert failed.evaluate("td => getComputedStyle(td).backgroundColor") != "rgba(0, 0, 0, 0)"
    expect(page.locator(".failed-checks")).to_contain_text("各类申请人之和等于总计")
    expect(page.locator(".other-years")).to_contain_text("2022")
    expect(page.locator("#review-table tbody td")).to_have_count(15)


def test_filter_reports_by_a_facet(page, site):
    page.goto(site.url("/"))
    page.locator(".start-here").get_by_role("link", name=re.compile("浏览报告")).click()
    expect(page.locator("table.rows-and-columns thead")).to_contain_text("check_failures")
    page.locator("#facet-province").get_by_role("link", name="浙江省").click()
    expect(page).to_have_url(re.compile("province="))
    expect(page.locator("table.rows-and-columns tbody tr")).to_have_count(3)
    expect(page.locator("table.rows-and-columns")).not_to_contain_text("江苏省")


def test_search_the_reports_table_by_two_characters(page, site):
    page.goto(site.url("/reports/reports"))
    page.locator('input[name="_search"]').fill("洪泽")
    page.locator('input[name="_search"]').press("Enter")
    snippets = page.locator("tr.search-snippet")
    expect(snippets).to_have_count(2)
    expect(snippets.locator("mark").first).to_have_text("洪泽")


def test_list_the_reports_that_do_not_add_up(page, site):
    page.goto(site.url("/"))
    page.locator(".start-here").get_by_role("link", name=re.compile("数字对不上的报告")).click()
    expect(page.locator("h1")).to_contain_text("Reports whose numbers do not add up")
    rows = page.locator("table.rows-and-columns tbody tr")
    expect(rows).to_have_count(4)  # 乐清 2021 and 2022, 北仑 2021, 洪泽 2023
    expect(rows.first).to_contain_text("应为")
    rows.first.locator("td.col-report a").click()
    expect(page.locator(".failed-checks")).to_be_visible()


def test_chart_a_provinces_trend(page, site):
    page.goto(site.url("/-/dashboards/trends"))
    page.locator("select#province").select_option("江苏省")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile("province="))
    for chart in ("applications_per_year", "outcomes_mix", "failures_per_province"):
        expect(page.locator(f"#chart-{chart}").locator("canvas, svg").first).to_be_visible()
    # the chart draws the province's years only
    bars = page.locator("#chart-applications_per_year")
    expect(bars).to_have_attribute("class", re.compile("vega-embed"))


def test_export_a_filtered_table_as_csv(page, site):
    page.goto(site.url("/reports/reports?province=江苏省"))
    href = page.get_by_role("link", name="CSV", exact=True).get_attribute("href")
    response = page.request.get(site.url(href) if href.startswith("/") else href)
    assert response.ok
    rows = list(csv.DictReader(io.StringIO(response.text())))
    assert {r["province"] for r in rows} == {"江苏省"} and len(rows) == 3


@pytest.mark.parametrize("path", ["/report/5", "/-/search?q=onerror", "/reports/reports?_search=onerror"])
def test_markup_in_a_report_is_shown_and_never_runs(page, site, path):
    page.goto(site.url(path))
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.xssRan") is None
    if path == "/report/5":
        expect(page.locator("h1")).to_contain_text("<script>window.xssRan=1</script>")
        page.locator(".full-text summary").click()
        expect(page.locator(".report-text")).to_contain_text('<img src=x onerror="window.xssRan=2">')
    else:
        expect(page.locator("mark").first).to_have_text("onerror")
