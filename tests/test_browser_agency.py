"""An agency over the years, in real headless Chromium: its page lists every year's report
(printed two ways), charts and tabulates its key figures, links each report page, and the report
pages and the home page lead to it. Screenshots go to test-output/agencies/."""

import pathlib
import re

import pytest
from agency_samples import build_agency_archive
from playwright.sync_api import expect, sync_playwright
from publish_site import Site

from govreports.archive.db import Archive
from govreports.crawler.settings import CHROMIUM, CHROMIUM_ARGS

SCREENSHOTS = pathlib.Path(__file__).resolve().parents[1] / "test-output" / "agencies"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_agency_archive(tmp_path_factory.mktemp("agency-site") / "reports.db")


@pytest.fixture(scope="module")
def site(db, tmp_path_factory):
    site = Site(db, tmp_path_factory.mktemp("agency-browser") / "datasette.log")
    yield site
    site.stop()


@pytest.fixture(scope="module")
def hongze(db):
    archive = Archive(db)
    row = archive.db.execute("select id from agencies where name = '洪泽区人民政府'").fetchone()
    archive.close()
    return row[0]


@pytest.fixture
def page(site, request):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.set_default_timeout(15000)
        yield page
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        browser.close()


def test_the_agency_page_shows_its_years_figures_and_failed_checks(page, site, hongze):
    page.goto(site.url(f"/agency/{hongze}"))
    expect(page.locator("h1")).to_have_text("洪泽区人民政府")
    reports = page.locator(".agency-reports li")
    expect(reports).to_have_count(2)
    expect(reports.nth(0)).to_contain_text("2023")
    expect(reports.nth(1)).to_contain_text("2024")
    expect(reports.nth(1)).to_contain_text("印作 淮安市洪泽区人民政府")  # printed another way
    rows = page.locator(".agency-figures-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("svg.figure-chart circle")).to_have_count(2)
    # 2023's own numbers fail review_sum; 2024 is compared with 2023 (cross_year) across spellings
    expect(rows.nth(0).locator("td.checks")).to_contain_text("维持+纠正+其他+尚未审结")
    expect(page.locator(".coverage-years li.coverage-missing", has_text="2025")).to_have_count(1)
    expect(page.locator(".agency-facts")).to_contain_text("county")


def test_from_a_report_to_its_agency_and_its_other_spelling(page, site, hongze):
    page.goto(site.url(f"/agency/{hongze}"))
    page.locator(".agency-reports li a", has_text="2024").click()
    expect(page).to_have_url(re.compile(r"/report/\d+$"))
    expect(page.locator(".other-years li")).to_contain_text("2023")  # 洪泽区人民政府, the other spelling
    page.locator("a.agency-page").click()
    expect(page).to_have_url(re.compile(rf"/agency/{hongze}$"))


def test_home_page_counts_who_published_for_the_latest_year_per_province(page, site):
    page.goto(site.url("/"))
    table = page.locator(".coverage-provinces-table")
    expect(page.locator(".coverage-provinces h2")).to_contain_text("2025")
    jiangsu = table.locator("tr", has_text="江苏省")
    expect(jiangsu.locator("td")).to_have_text(
        ["江苏省", "3", "1", "2"]
    )  # 沭阳县 published; 洪泽区, 泗洪县 not
    page.locator(".coverage-provinces a", has_text="published last year, not this year").click()
    expect(page.locator("table.rows-and-columns")).to_contain_text("洪泽区人民政府")


def test_an_unknown_agency_is_a_404(site):
    status, _, _ = site.get("/agency/999999")
    assert status == 404


def test_the_coverage_dashboard_charts_who_published_per_province_and_year(page, site):
    page.goto(site.url("/-/dashboards/coverage"))
    for chart in ("coverage_per_province", "coverage_per_year"):
        expect(page.locator(f"#chart-{chart}").locator("canvas, svg").first).to_be_visible()
    page.locator("select#year").select_option("2024")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile("year=2024"))
    expect(page.locator("#chart-coverage_per_province").locator("canvas, svg").first).to_be_visible()
