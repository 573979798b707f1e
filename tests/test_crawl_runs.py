"""The crawl-run API every way of crawling uses (govreports crawl, its distributed writer and the
Scrapyd spider): ``Archive.start_run`` gives a run and its tally, ``Archive.finish_run`` ends it
with the cross-year check and the removal marks, which only a finished run whose source lists
were read completely (and not resumed) may make."""

import json

import pytest
from test_lifecycle import SOURCE, ingest, report_text

from govreports.archive.db import Archive
from govreports.archive.runs import Tally

KEPT = "http://127.0.0.1/2021.txt"
GONE = "http://127.0.0.1/2022.txt"


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "reports.db")
    archive.upsert_source(SOURCE)
    ingest(archive, KEPT, report_text(2021, [0] * 7, [0] * 7))
    ingest(archive, GONE, report_text(2022, [0] * 7, [0] * 7))
    yield archive
    archive.close()


def crawl_of_the_list(archive, resumed=False, max_pages=10, pages=1, failed=False):
    """A run that read ``pages`` list pages of the source and found only KEPT on them."""
    run = archive.start_run([SOURCE], resumed=resumed, max_pages=max_pages)
    for n in range(pages):
        run.tally.lists[SOURCE["name"]].add((f"{SOURCE['url']}?page={n}", None))
        run.tally.count(SOURCE["name"], "pages")
    run.tally.found[SOURCE["name"]].add(KEPT)
    if failed:
        run.tally.fail(SOURCE["name"], SOURCE["url"] + "?page=9", "HTTP 500")
    return run


def test_a_finished_run_that_read_the_whole_list_marks_what_is_gone(archive):
    run = crawl_of_the_list(archive)
    assert archive.finish_run(run, finished=True) == {"removed": [GONE], "back": 0}
    assert archive.latest_report(GONE)["removed_at"] is not None
    row = archive.db["crawl_runs"].get(run.id)
    assert row["finished"] and json.loads(row["sources"])[SOURCE["name"]]["pages"] == 1


@pytest.mark.parametrize(
    ("why", "run_args", "finished"),
    [
        ("stopped before its end", {}, False),
        ("resumed: it did not read the lists of the run it continues", {"resumed": True}, True),
        ("a list page failed", {"failed": True}, True),
        ("stopped at the page limit", {"max_pages": 2, "pages": 2}, True),
    ],
)
def test_a_run_that_did_not_read_the_whole_list_marks_nothing_gone_from_it(archive, why, run_args, finished):
    run = crawl_of_the_list(archive, **run_args)
    assert archive.finish_run(run, finished=finished)["removed"] == [], why
    assert archive.latest_report(GONE)["removed_at"] is None, why


def test_workers_tallies_add_up_in_the_writers(archive):
    """A distributed crawl: each worker counts in its own tally and sends it as JSON; the writer's
    run tally (which counted the filing) takes them in before the run is finished."""
    run = archive.start_run([SOURCE], max_pages=10)
    run.tally.count(SOURCE["name"], "new", 1)
    for page in ("?page=1", "?page=2"):
        worker = Tally([SOURCE["name"]])
        worker.lists[SOURCE["name"]].add((SOURCE["url"] + page, None))
        worker.count(SOURCE["name"], "pages")
        worker.found[SOURCE["name"]].add(KEPT)
        run.tally.merge(json.loads(json.dumps(worker.as_json())))
    assert run.tally.summary()[SOURCE["name"]] == {
        "pages": 2,
        "reports_found": 0,
        "new": 1,
        "changed": 0,
        "unchanged": 0,
        "failed": 0,
        "browser": 0,
    }
    assert run.tally.list_pages() == {SOURCE["name"]: 2}
    assert archive.finish_run(run)["removed"] == [GONE]


def test_a_read_only_archive_answers_known_and_cannot_write_rows(archive, tmp_path):
    """What a distributed worker opens: it asks what the archive holds and never takes SQLite's
    write lock (its bodies go to the raw store and its documents to the writer)."""
    reader = Archive(archive.path, read_only=True)
    assert reader.known(KEPT)["sha256"] == archive.known(KEPT)["sha256"]
    with pytest.raises(Exception, match="readonly"):
        reader.record_fetch(url="http://127.0.0.1/new.txt", body=b"x")
    reader.close()
    with pytest.raises(FileNotFoundError, match="missing.db: no archive to read"):
        Archive(tmp_path / "missing.db", read_only=True)
