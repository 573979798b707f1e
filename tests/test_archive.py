"""The archive: raw store, idempotent ingest, versions, error rows, sources, runs, reparse."""

import json

import pytest
from archive_samples import LEQING_SEED, copy_samples
from click.testing import CliRunner

from govreports.archive import Archive
from govreports.archive.cells import VIEWS
from govreports.archive.ingest import ingest_paths
from govreports.archive.reparse import reparse
from govreports.crawler.cli import cli

# Times that legitimately move when the same bytes are seen again.
SEEN_COLUMNS = {"last_seen", "last_fetched_at"}


def snapshot(archive: Archive) -> dict:
    """Every row of every table (times of the last sighting left out), and the raw store's files."""
    tables = {
        name: [
            {k: v for k, v in row.items() if k not in SEEN_COLUMNS}
            for row in archive.db.query(
                f"select * from [{name}]"  # a view or WITHOUT ROWID: in primary key order
                if name in VIEWS or "WITHOUT ROWID" in archive.db[name].schema
                else f"select rowid, * from [{name}] order by rowid"
            )
        ]
        for name in archive.db.table_names() + list(VIEWS)  # the cells' public views too
        if not name.startswith("reports_fts_")
    }
    files = sorted(
        str(p.relative_to(archive.store.root)) for p in archive.store.root.rglob("*") if p.is_file()
    )
    return {"tables": tables, "raw": files}


@pytest.fixture
def samples(tmp_path):
    return copy_samples(tmp_path / "reports")


def test_ingesting_the_same_files_twice_changes_nothing(tmp_path, samples):
    archive = Archive(tmp_path / "a.db")
    first = ingest_paths(archive, [tmp_path / "reports"], echo=lambda line: None)
    assert first.counts["new"] == len(samples) and first.counts["error"] == 0
    before = snapshot(archive)
    assert len(before["tables"]["reports"]) == len(samples)
    assert len(before["tables"]["applications"]) > 100 * len(samples)
    assert len(before["raw"]) == len(samples)

    second = ingest_paths(archive, [tmp_path / "reports"], echo=lambda line: None)

    assert second.counts["unchanged"] == len(samples) and second.counts["new"] == 0
    assert snapshot(archive) == before
    assert f"{len(samples)} files: 0 new, {len(samples)} unchanged, 0 changed" in second.summary()


def test_new_bytes_at_the_same_url_are_a_new_version_and_the_old_one_stays(tmp_path):
    report = tmp_path / "report.txt"
    report.write_bytes(LEQING_SEED.read_bytes())
    archive = Archive(tmp_path / "a.db")
    assert ingest_paths(archive, [report], echo=lambda line: None).counts["new"] == 1
    # The agency corrects its report: two new applications from natural persons, not one.
    text = report.read_text(encoding="utf-8")
    corrected = text.replace("本年新收政府信息公开申请数量\n\t1\n", "本年新收政府信息公开申请数量\n\t2\n", 1)
    assert corrected != text
    report.write_text(corrected, encoding="utf-8")

    result = ingest_paths(archive, [report], echo=lambda line: None)

    assert result.counts["changed"] == 1
    versions = list(archive.db.query("select id, version, is_latest, sha256 from reports order by version"))
    assert [(v["version"], v["is_latest"]) for v in versions] == [(1, 0), (2, 1)]
    assert versions[0]["sha256"] != versions[1]["sha256"]
    assert all(v["sha256"] in archive.store for v in versions)
    old_cells = archive.db["applications"].count_where("report_id = ?", [versions[0]["id"]])
    assert old_cells == archive.db["applications"].count_where("report_id = ?", [versions[1]["id"]]) > 0
    natural_persons = """select value from applications
        where report_id = ? and row = 'new' and applicant = 'natural_person'"""
    assert next(archive.db.query(natural_persons, [versions[0]["id"]]))["value"] == 1
    assert next(archive.db.query(natural_persons, [versions[1]["id"]]))["value"] == 2
    assert archive.db["documents"].count == 2


def test_a_bad_file_is_an_error_row_and_the_others_go_in(tmp_path, samples):
    folder = tmp_path / "reports"
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntruncated")
    (folder / "empty.html").write_bytes(b"")
    (folder / "notes.txt").write_text("购物清单：苹果、香蕉。\n", encoding="utf-8")
    lines = []

    result = ingest_paths(tmp_path / "a.db", [folder], echo=lines.append)

    assert result.counts["new"] == len(samples)
    assert result.counts["error"] == 2 and result.counts["not_report"] == 1
    summary = result.summary()
    assert "2 error" in summary
    assert f"error: {folder / 'broken.pdf'}: " in summary
    assert f"error: {folder / 'empty.html'}: empty file" in summary
    assert f"not_report: {folder / 'notes.txt'}: " in summary
    assert len(lines) == len(samples) + 3
    archive = Archive(tmp_path / "a.db")
    errors = {row["url"].rsplit("/", 1)[1]: row for row in archive.db["ingest_errors"].rows}
    assert set(errors) == {"broken.pdf", "empty.html", "notes.txt"}
    assert errors["notes.txt"]["status"] == "not_report"
    assert errors["empty.html"]["reason"] == "empty file"
    assert archive.db["reports"].count == len(samples)
    # the bodies are kept as evidence, and a second run adds no second error row
    assert archive.db["documents"].count == len(samples) + 3
    ingest_paths(archive, [folder], echo=lambda line: None)
    assert archive.db["ingest_errors"].count == 3


def test_data_files_beside_the_reports_in_a_folder_are_left_alone(tmp_path, samples):
    folder = tmp_path / "reports"
    (folder / "report.truth.json").write_text("{}", encoding="utf-8")
    (folder / "sources.yaml").write_text("sources: []\n", encoding="utf-8")

    result = ingest_paths(tmp_path / "a.db", [folder], echo=lambda line: None)

    assert result.counts["new"] == len(samples)
    assert result.counts["not_report"] == result.counts["error"] == 0
    # named on the command line, the same file is tried (and turned down with its reason)
    named = ingest_paths(tmp_path / "a.db", [folder / "sources.yaml"], echo=lambda line: None)
    assert named.counts["not_report"] == 1


def test_govreports_ingest_prints_a_line_per_file_and_a_summary(tmp_path, samples):
    (tmp_path / "reports" / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    db = tmp_path / "out" / "cli.db"  # a folder that does not exist yet

    result = CliRunner().invoke(cli, ["ingest", str(db), str(tmp_path / "reports")])

    assert result.exit_code == 0, result.output
    assert (
        f"{len(samples) + 1} files: {len(samples)} new, 0 unchanged, 0 changed, 0 not report, 1 error"
        in result.output
    )
    assert "broken.docx: " in result.output.splitlines()[-1]
    assert (tmp_path / "out" / "cli.raw").is_dir()


def test_record_fetch_keeps_each_body_once_and_logs_changes(tmp_path):
    archive = Archive(tmp_path / "a.db")
    url = "http://www.bl.gov.cn/art/2022/1/17/art_1.html"
    first = archive.record_fetch(url=url, body=b"<html>v1</html>", etag='"v1"', content_type="text/html")
    assert first.is_new_body and not first.changed
    assert archive.store.get(first.sha256) == b"<html>v1</html>"
    assert archive.store.path(first.sha256).relative_to(tmp_path / "a.raw").parts == (
        first.sha256[:2],
        first.sha256[2:4],
        first.sha256,
    )

    again = archive.record_fetch(url=url, body=b"<html>v1</html>")
    not_modified = archive.record_fetch(url=url, status=304, body=None, etag='"v1b"')
    assert again.document_id == not_modified.document_id == first.document_id
    assert not again.is_new_body and not again.changed
    assert archive.known(url) == {"etag": '"v1b"', "last_modified": None, "sha256": first.sha256}

    failed = archive.record_fetch(url=url, status=503, body=None, error="503 Service Unavailable")
    assert failed.document_id != first.document_id and failed.sha256 is None
    assert archive.ingest_document(failed.document_id).status == "error"
    assert archive.known(url)["sha256"] == first.sha256  # a failed fetch forgets nothing

    second = archive.record_fetch(url=url, body=b"<html>v2</html>")
    assert second.changed and second.is_new_body
    mirror = archive.record_fetch(url=url + "?mirror", body=b"<html>v2</html>")
    assert not mirror.is_new_body and not mirror.changed
    assert archive.db["documents"].count == 4
    assert archive.known("http://never.fetched/") is None


def test_sources_give_reports_their_level_and_runs_their_summary(tmp_path):
    archive = Archive(tmp_path / "a.db")
    archive.upsert_source(
        {
            "name": "乐清市卫生健康局",
            "url": "http://wjj.yueqing.gov.cn/col/col1/index.html",
            "province": "浙江省",
            "city": "温州市",
            "county": "乐清市",
            "level": "department",
            "sector": "卫生健康",
            "domains": ["wjj.yueqing.gov.cn"],
            "list_selector": "ul.list a",
        }
    )
    source = archive.db["sources"].get("乐清市卫生健康局")
    assert json.loads(source["domains"]) == ["wjj.yueqing.gov.cn"]
    assert json.loads(source["extras"]) == {"list_selector": "ul.list a"}
    run = archive.start_run()
    fetch = archive.record_fetch(
        url="http://wjj.yueqing.gov.cn/art/2022/1/17/art_1.html",
        body=LEQING_SEED.read_bytes(),
        content_type="text/plain",
        source="乐清市卫生健康局",
    )
    result = archive.ingest_document(fetch.document_id)
    run.tally.count("乐清市卫生健康局", "reports_found", 2)
    run.tally.count("乐清市卫生健康局", result.status)
    run.tally.fail("乐清市卫生健康局", "http://wjj.yueqing.gov.cn/art/2.html", "timeout")
    archive.finish_run(run)

    assert result.status == "new"
    report = archive.db["reports"].get(result.report_id)
    assert (report["level"], report["sector"], report["source"]) == (
        "department",
        "卫生健康",
        "乐清市卫生健康局",
    )
    assert report["agency"] == "乐清市卫生健康局"
    assert json.loads(report["failed_checks"]) == ["handled_sum", "row_total"]  # as the seed's truth says
    assert report["check_failures"] == archive.db["checks"].count_where(
        "report_id = ? and not passed", [report["id"]]
    )
    crawl = archive.db["crawl_runs"].get(run.id)
    assert crawl["finished"] and crawl["summary"] == (
        "1 sources: pages 0, reports_found 2, new 1, changed 0, unchanged 0, failed 1, browser 0; 1 errors"
    )
    assert json.loads(crawl["errors"]) == [
        {"source": "乐清市卫生健康局", "url": "http://wjj.yueqing.gov.cn/art/2.html", "error": "timeout"}
    ]


def test_code_tables_give_every_code_its_chinese_label(tmp_path):
    archive = Archive(tmp_path / "a.db")
    labels = {row["code"]: row["label_zh"] for row in archive.db["codes_applicant"].rows}
    assert labels["natural_person"] == "自然人" and labels["total"] == "总计"
    assert archive.db["codes_proceeding"].get("review")["label_zh"] == "行政复议"
    assert archive.db["codes_rule"].get("balance")["label_en"] == "balance"
    assert (
        archive.db["codes_application_row"].get("denied.state_secret")["label_en"] == "denied: state secret"
    )
    # the cells are stored with the codes' integer ids, which Datasette shows with their labels
    fks = {
        (fk.column, fk.other_table, fk.other_column) for fk in archive.db["application_cells"].foreign_keys
    }
    assert fks == {
        ("report_id", "reports", "id"),
        ("row_id", "codes_application_row", "id"),
        ("applicant_id", "codes_applicant", "id"),
    }
    # opening the archive again changes nothing
    before = snapshot(archive)
    assert snapshot(Archive(tmp_path / "a.db")) == before


def test_reparse_restores_what_the_parser_reads_and_says_what_changed(tmp_path, samples):
    archive = Archive(tmp_path / "a.db")
    ingest_paths(archive, samples, echo=lambda line: None)
    quiet = []
    assert reparse(archive, echo=quiet.append)["unchanged"] == len(samples)
    assert quiet[-1].startswith("reparse: 0 reports changed")
    # What an older parser might have stored: a wrong cell, a wrong check, a missing title.
    report_id = archive.db["reports"].get(1)["id"]
    archive.db.execute(
        "update applications set value = 99 where report_id = ? and row = 'new' and applicant = 'natural_person'",
        [report_id],
    )
    archive.db.execute(
        "update checks set passed = 1 - passed where report_id = ? and rule = 'balance'", [report_id]
    )
    archive.db["reports"].update(report_id, {"title": None})
    lines = []

    counts = reparse(archive, echo=lines.append)

    assert counts["changed"] == 1 and counts["unchanged"] == len(samples) - 1
    changed = next(line for line in lines if line.startswith("changed"))
    assert "columns title" in changed
    assert "1 cells changed (applications/new/natural_person 99->" in changed
    assert "check balance" in changed
    assert archive.db["reports"].get(report_id)["title"]
    assert reparse(archive, echo=quiet.append)["changed"] == 0


def test_a_turned_down_document_waits_for_reparse(tmp_path):
    """What an older parser turned down stays turned down on re-ingest (no parsing the same bytes
    again on every crawl); reparse tries it again with the current parser."""
    archive = Archive(tmp_path / "a.db")
    url = "http://example.gov.cn/report.txt"
    fetch = archive.record_fetch(url=url, body=LEQING_SEED.read_bytes())
    # as an older parser left it
    archive.db["documents"].update(fetch.document_id, {"parse_status": "error"})
    archive.record_error(url, "no tables found", fetch.document_id)

    refetch = archive.record_fetch(url=url, body=LEQING_SEED.read_bytes())
    again = archive.ingest_document(refetch.document_id)
    assert (again.status, again.error) == ("error", "no tables found")
    assert archive.db["reports"].count == 0
    lines = []

    counts = reparse(archive, echo=lines.append)

    assert counts["now_parsed"] == 1
    assert lines[0].startswith("parsed    http://example.gov.cn/report.txt: now report 1 (new)")
    assert archive.db["documents"].get(fetch.document_id)["parse_status"] == "report"
