"""Parsing in worker processes (archive.pool): results in order, each document under a time and a
memory limit; a worker over either is replaced and its document becomes an error naming the limit,
and nothing else is lost. `govreports ingest` and `reparse` parse with it (--jobs N)."""

import os
import shutil

import pytest
from archive_samples import LEQING_SEED
from click.testing import CliRunner
from pathological import long_pdf, report_page

from govreports.archive import Archive
from govreports.archive.ingest import ingest_paths
from govreports.archive.pool import Job, ParsePool
from govreports.archive.reparse import reparse
from govreports.archive.store import RawStore
from govreports.crawler.cli import cli

SLOW_PAGE = report_page(filler_bytes=3 * 2**20)  # under the size cap: seconds of real parsing


def jobs_for(store: RawStore, bodies: list[bytes]) -> list[Job]:
    return [
        Job(i, store.put(body)[0], url=f"https://example.gov.cn/{i}.html") for i, body in enumerate(bodies)
    ]


def test_results_come_back_in_order_and_other_items_in_their_place(tmp_path):
    store = RawStore(tmp_path / "raw")
    report = LEQING_SEED.read_bytes()
    jobs = jobs_for(store, [report, b"not a report at all", report])
    with ParsePool(store.root, jobs=2) as pool:
        out = list(pool.imap([jobs[0], "between", jobs[1], jobs[2]]))
    assert [getattr(o, "job", o) for o in out] == [jobs[0], "between", jobs[1], jobs[2]]
    assert out[0].record["agency"] == out[3].record["agency"] == "乐清市卫生健康局"
    assert out[2].not_report and out[2].record is None


def test_a_document_over_the_time_limit_is_an_error_and_its_worker_is_replaced(tmp_path):
    store = RawStore(tmp_path / "raw")
    jobs = jobs_for(store, [SLOW_PAGE, LEQING_SEED.read_bytes()])
    # 0.05 s: well under the slow page's parse on the fastest machine (0.8 s here), over one poll
    with ParsePool(store.root, jobs=1, seconds=0.05) as pool:
        results = pool.imap(jobs)
        slow = next(results)
        assert pool.replaced == 1
        pool.seconds = 600  # the next document has all the time it needs, however busy the machine
        good = next(results)
    assert "limit DOCUMENT_SECONDS" in slow.error and slow.record is None
    assert good.record["agency"] == "乐清市卫生健康局"


def test_a_document_over_the_memory_limit_is_an_error_and_its_worker_is_replaced(tmp_path):
    store = RawStore(tmp_path / "raw")
    jobs = jobs_for(store, [SLOW_PAGE, LEQING_SEED.read_bytes()])
    with ParsePool(store.root, jobs=1, memory=10 * 2**20) as pool:  # below a parser's own size
        big, _ = pool.imap(jobs)
        assert pool.replaced >= 1
    assert "limit DOCUMENT_MEMORY" in big.error


def test_ingest_parses_in_workers_and_pathological_files_cost_only_themselves(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(LEQING_SEED, folder / "a-report.txt")
    (folder / "b-huge.html").write_bytes(report_page(filler_bytes=50 * 2**20))
    (folder / "c-long.pdf").write_bytes(long_pdf(300))
    shutil.copy(LEQING_SEED, folder / "d-report-again.txt")
    lines = []
    result = ingest_paths(tmp_path / "a.db", [folder], echo=lines.append, jobs=2)
    assert [line.split()[0] for line in lines] == ["new", "error", "error", "new"]  # in file order
    assert "MAX_HTML_BYTES" in lines[1] and "MAX_PAGES" in lines[2]
    errors = Archive(tmp_path / "a.db").db["ingest_errors"].rows
    assert sorted(e["url"].rsplit("/", 1)[1] for e in errors) == ["b-huge.html", "c-long.pdf"]
    assert result.counts["new"] == 2


def test_the_same_file_twice_in_one_ingest_is_filed_once(tmp_path):
    lines = []
    ingest_paths(tmp_path / "a.db", [LEQING_SEED, LEQING_SEED], echo=lines.append, jobs=2)
    assert [line.split()[0] for line in lines] == ["new", "unchanged"]


def test_ingest_and_reparse_take_jobs(tmp_path):
    db = str(tmp_path / "a.db")
    ingested = CliRunner().invoke(cli, ["ingest", db, str(LEQING_SEED), "--jobs", "1"])
    assert ingested.exit_code == 0, ingested.output
    assert "1 new" in ingested.output
    again = CliRunner().invoke(cli, ["reparse", db, "-j", "2"])
    assert again.exit_code == 0, again.output
    assert "0 reports changed, 1 unchanged" in again.output
    assert reparse(db, echo=lambda line: None, jobs=1)["unchanged"] == 1


@pytest.mark.ocr
def test_a_scanned_report_is_read_by_ocr_inside_a_worker_on_its_share_of_the_cores(tmp_path):
    from scans import REPORT, Scanner

    store = RawStore(tmp_path / "raw")
    scan = Scanner(dpi=150, angle=1.0, blur=0.6, noise=10, quality=60, seed=11).pdf(REPORT.read_bytes())
    with ParsePool(store.root, jobs=2) as pool:
        assert pool.threads == max(1, len(os.sched_getaffinity(0)) // 2)  # onnxruntime threads per worker
        (parsed,) = list(pool.imap(jobs_for(store, [scan])))
    assert parsed.error is None
    assert "3 page(s) or pictures read by OCR" in parsed.record["warnings"]
    numbers = [c for c in parsed.record["applications"] if c["value"] is not None]
    assert numbers and all(0 < c["confidence"] <= 1 for c in numbers)
