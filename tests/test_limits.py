"""Big and pathological inputs get an answer, not minutes of work: each is refused by a cap of
parser/limits.py that the error names, or read within it. The inputs are made at run time
(tests/pathological.py); how fast and how small each answer is, benchmarks/limits.py measures."""

import json
import os
import pathlib
import subprocess
import sys

import pytest
from local_portals import Portal, sources_yaml
from local_portals import report_page as portal_report
from pathological import big_sheet, deep_page, long_pdf, page_with_inline_picture, report_page

from govreports.archive import Archive
from govreports.archive.ingest import ingest_paths
from govreports.parser import NotAReport, ParseError, limits, parse

GOVREPORTS = str(pathlib.Path(sys.executable).with_name("govreports"))
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0}


def refusal(data: bytes) -> str:
    with pytest.raises(ParseError) as e:
        parse(data)
    return str(e.value)


def test_a_50_mb_page_is_refused_by_its_size_before_it_is_parsed():
    assert "MAX_HTML_BYTES" in refusal(report_page(filler_bytes=50 * 2**20))


def test_a_page_under_the_size_cap_but_with_too_much_text_is_refused_by_the_text_cap():
    page = report_page(filler_bytes=limits.MAX_HTML_BYTES - 100_000)
    assert "MAX_TEXT_CHARS" in refusal(page)


def test_inline_pictures_do_not_count_against_the_page_size():
    page = page_with_inline_picture(2 * limits.MAX_HTML_BYTES)
    assert len(page) > limits.MAX_HTML_BYTES
    assert parse(page)["title"] == "2021年政府信息公开工作年度报告"


def test_a_200k_deep_tree_is_read_not_recursed_into():
    with pytest.raises(NotAReport):
        parse(deep_page(200_000))


def test_a_pdf_over_the_page_cap_is_refused_by_its_page_count():
    assert f"300 pages (limit MAX_PAGES {limits.MAX_PAGES})" in refusal(long_pdf(300))


def test_a_sheet_of_a_million_cells_is_refused_before_it_is_loaded():
    assert "MAX_SHEET_CELLS" in refusal(big_sheet(100_000, columns=10))


def test_a_sheet_under_the_cell_cap_is_read():
    with pytest.raises(NotAReport):  # numbers only: read, and not a report
        parse(big_sheet(50, columns=5))


def test_ingest_files_a_deep_tree_as_not_a_report_and_the_reports_beside_it(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a-deep.html").write_bytes(deep_page(200_000))
    (folder / "b-report.html").write_bytes(portal_report("卫东区卫生健康委员会", 2022))
    lines = []
    result = ingest_paths(tmp_path / "a.db", [folder], echo=lines.append, jobs=2)
    assert lines[0].startswith("not_report") and "not a 政府信息公开工作年度报告" in lines[0]
    assert lines[1].startswith("new") and result.counts["new"] == 1


@pytest.mark.crawl
def test_a_crawl_records_each_pathological_document_as_its_error_and_files_the_reports(tmp_path):
    """A portal lists two real reports, a 200k-deep page, a 50 MB page and a 300-page PDF: the
    crawl files the reports and records each of the others with the reason (the limit named)."""
    with Portal("测试县", reports=2) as portal:
        title = "测试县某局2022年政府信息公开工作年度报告"
        portal.add("/art/2022/deep.html", deep_page(200_000), title)
        portal.add("/art/2022/huge.html", report_page(filler_bytes=50 * 2**20), title)
        portal.add("/art/2022/long.pdf", long_pdf(300), title)
        sources = sources_yaml(tmp_path / "sources.yaml", [portal])
        env = {**os.environ, "GOVREPORTS_CRAWL_SETTINGS": json.dumps(FAST)}
        cmd = [GOVREPORTS, "crawl", str(tmp_path / "a.db"), "--sources", str(sources), "--no-browser"]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    archive = Archive(tmp_path / "a.db")
    status = {
        d["url"].rsplit("/", 1)[1]: d["parse_status"]
        for d in archive.db["documents"].rows_where("kind = 'report'")
    }
    assert status == {"1.html": "report", "2.html": "report", "deep.html": "not_report", "huge.html": "error",
                      "long.pdf": "error"}  # fmt: skip
    reasons = {e["url"].rsplit("/", 1)[1]: e["reason"] for e in archive.db["ingest_errors"].rows}
    assert "MAX_HTML_BYTES" in reasons["huge.html"] and "MAX_PAGES" in reasons["long.pdf"]
    assert "not a 政府信息公开工作年度报告" in reasons["deep.html"]
