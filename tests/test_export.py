"""A researcher who wants everything: a whole table streams as CSV (Datasette's ``_stream``) and
as JSON lines (``/-/export/<table>.jsonl``), past the 2,000 rows a page may return."""

import csv
import io
import json

import pytest
from local_portals import report_page
from publish_site import Site

from govreports.archive.db import Archive
from govreports.datasette.serve import SETTINGS

REPORTS = 13  # 175 application cells each: more rows than one page may return


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    archive = Archive(folder / "reports.db")
    for i in range(REPORTS):
        fetch = archive.record_fetch(
            url=f"http://127.0.0.1/{i}.html",
            content_type="text/html",
            body=report_page(f"某市第{i + 1}局", 2022),
        )
        archive.ingest_document(fetch.document_id)
    cells = archive.db["applications"].count
    archive.close()
    assert cells > SETTINGS["max_returned_rows"]
    site = Site(folder / "reports.db", folder / "datasette.log")
    site.cells = cells
    yield site
    site.stop()


def test_a_whole_table_streams_as_csv(site):
    status, _, body = site.get("/reports/applications.csv?_stream=on&_size=max")
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert len(rows) == site.cells
    assert {r["report_id"] for r in rows} == {str(i) for i in range(1, REPORTS + 1)}


def test_a_whole_table_streams_as_json_lines(site):
    status, headers, body = site.get("/-/export/applications.jsonl")
    assert status == 200
    rows = [json.loads(line) for line in body.decode("utf-8").splitlines()]
    assert len(rows) == site.cells
    # report by report, the public columns of the view (archive.cells), every cell once
    assert [r["report_id"] for r in rows] == sorted(r["report_id"] for r in rows)
    assert set(rows[0]) == {"report_id", "row", "applicant", "value", "raw"}
    assert len({(r["report_id"], r["row"], r["applicant"]) for r in rows}) == site.cells


def test_the_compact_cell_table_exports_too(site):
    status, _, body = site.get("/-/export/application_cells.jsonl")
    assert status == 200
    rows = [json.loads(line) for line in body.decode("utf-8").splitlines()]
    assert len(rows) == site.cells
    assert set(rows[0]) == {"report_id", "row_id", "applicant_id", "value", "raw"}


def test_only_tables_of_the_archive_export(site):
    assert site.get("/-/export/no_such_table.jsonl")[0] == 404
    assert site.get("/-/export/reports_fts.jsonl")[0] == 404
