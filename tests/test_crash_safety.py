"""A crawl on a hostile web: killed with SIGKILL at random moments, served faults, traps,
soft-404s and redirects off the source, and still every report exactly once, nothing off-source.

The crawls are real `govreports crawl` processes against tests/hostile_portals.py servers on
127.0.0.1 (and a witness on 127.0.0.2 that counts every request that reaches it).
"""

import datetime
import json
import os
import random
import signal
import subprocess

import pytest
import sqlite_utils
from hostile_portals import HostilePortal, Witness
from local_portals import crawl_command, sources_yaml

from govreports.archive import Archive
from govreports.archive.check import check, whole
from govreports.crawler import guard
from govreports.crawler.warc import check_links, records, warc_folder

FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_TIMEOUT": 1.5,
    "RETRY_BACKOFF_BASE": 0.05,
    "DOWNLOAD_MAXSIZE": 1_000_000,
}


def crawl(db, sources, settings=FAST, timeout=120):
    env = {**os.environ, "GOVREPORTS_CRAWL_SETTINGS": json.dumps(settings)}
    done = subprocess.run(
        crawl_command(db, sources, "--no-browser"), capture_output=True, text=True, env=env, timeout=timeout
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def whole_archive(db):
    report = check(db)
    assert whole(report), report
    assert report["reports_without_cells"] == 0 and report["unparsed"] == 0, report
    archive = sqlite_utils.Database(db)
    assert check_links(Archive(db), warc_folder(db)) == [], (
        "every documents row points at a whole WARC record"
    )
    for path in warc_folder(db).glob("*.warc.gz"):
        list(records(path))  # torn tails are skipped, never raised
    return archive


def test_a_crawl_killed_with_sigkill_at_random_moments_ends_with_every_report_once(tmp_path):
    """Killed four times (seeded moments: after a random line of progress, a random pause), then
    run to the end with the same command: 12 reports, each once, every body fetched at most twice."""
    rng = random.Random(15)
    db = tmp_path / "reports.db"
    slow = {**FAST, "DOWNLOAD_DELAY": 0.05, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    env = {**os.environ, "GOVREPORTS_CRAWL_SETTINGS": json.dumps(slow), "PYTHONUNBUFFERED": "1"}
    with HostilePortal("测试己区人民政府", 12, per_page=4) as portal:
        sources = sources_yaml(tmp_path / "sources.yaml", [portal])
        jobs = db.with_name(db.stem + ".jobs")  # Scrapy's JOBDIR of each source set
        kills, noticed, output = 0, 0, []
        for _ in range(4):
            proc = subprocess.Popen(
                crawl_command(db, sources, "--no-browser"),
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            lines = rng.randint(1, 6)
            for _ in range(lines):
                line = proc.stdout.readline()
                output.append(line)
                if not line:
                    break
            try:
                proc.wait(timeout=rng.uniform(0.0, 0.4))
            except subprocess.TimeoutExpired:
                # a kill once the run's job state exists must be noticed by the next run
                noticed += jobs.is_dir() and any(jobs.iterdir())
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
            output.append(proc.stdout.read())
            proc.stdout.close()
        out = crawl(db, sources, slow)
        assert kills >= 2, "the seeded moments fall inside the crawls"
        if noticed:
            assert "did not stop cleanly" in "".join(output) + out
        bodies = {path: n for path, n in portal.bodies.items() if path.startswith("/art/")}

    archive = whole_archive(db)
    assert archive.execute("select count(*), count(distinct url), max(version) from reports").fetchone() == (
        12,
        12,
        1,
    )
    assert len(bodies) == 12 and max(bodies.values()) <= 2, bodies


def test_faults_are_retried_in_the_run_and_what_still_fails_first_in_the_next(tmp_path):
    """40% of requests answer 500/502/503, reset or stall: retried with backoff in the run, the
    rest kept on the archive's retry list and asked for first next run; all in after two runs."""
    db = tmp_path / "reports.db"
    no_retries = {**FAST, "RETRY_TIMES": 2}  # few tries in the run, so the retry list is needed
    with HostilePortal("测试庚区人民政府", 12, per_page=4, faults=0.4, seed=3, stall=2) as portal:
        sources = sources_yaml(tmp_path / "sources.yaml", [portal])
        first = crawl(db, sources, no_retries)
        pending = Archive(db).pending()
        second = crawl(db, sources, no_retries)
        after = {row["url"]: row["tries"] for row in Archive(db).pending()}
        faulted = sum(portal.faulted.values())

    assert faulted > 5
    archive = whole_archive(db)
    assert pending, "some failures outlived the run's retries"
    assert f"{len(pending)} URL(s) still pending, asked for first next run" in first
    assert all(row["error"] and row["tries"] == 1 for row in pending)
    assert archive.execute("select count(distinct url) from reports").fetchone()[0] == 12, second
    # What was pending was asked for again: off the list, or failed once more (tries 2).
    assert all(after.get(row["url"], 2) == 2 for row in pending), after


def test_traps_soft_404s_off_source_redirects_and_oversized_bodies(tmp_path):
    db = tmp_path / "reports.db"
    with (
        Witness("127.0.0.2") as witness,
        HostilePortal(
            "测试辛区人民政府",
            8,
            per_page=4,
            trap=True,
            query_trap=True,
            soft_404=True,
            off_source=witness,
            huge=2_000_000,
        ) as portal,
    ):
        sources = sources_yaml(tmp_path / "sources.yaml", [portal])
        out = crawl(db, sources)
        hits = portal.off_source_hits

    assert hits == 0, "no request reached another host: not 127.0.0.2, not another port, no file://"
    # The endless pager and the ever-new query string: two pages each without new rows, then stop.
    assert portal.trap_pages == 4
    archive = whole_archive(db)
    assert archive.execute("select count(*) from reports").fetchone()[0] == 8
    gone = archive.execute("select status, error from documents where url like '%/art/gone.html'").fetchone()
    assert gone[0] == 404 and gone[1].startswith("soft 404"), "页面不存在 with HTTP 200 is not a report"
    huge = archive.execute("select error from documents where url like '%/art/huge.html'").fetchone()[0]
    assert huge.startswith("too large:")
    assert "refused: a redirect to file:///etc/passwd" in out
    assert archive["pending_fetches"].count == 0, "refusals and size caps are not tried again"


def test_reports_without_validators_are_fetched_again_when_due_and_a_change_is_a_new_version(tmp_path):
    db = tmp_path / "reports.db"
    with HostilePortal("测试壬区人民政府", 6, per_page=6, no_validators=True) as portal:
        sources = sources_yaml(tmp_path / "sources.yaml", [portal])
        crawl(db, sources)
        crawl(db, sources)  # nothing is due yet: known URLs are not asked for
        asked = sum(portal.bodies[p] for p in portal.report_paths)
        changed = portal.report_paths[0]
        portal.change(changed)
        long_ago = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=40)).isoformat()
        archive = sqlite_utils.Database(db)
        archive.execute("update documents set last_fetched_at = ?, fetched_at = ?", [long_ago, long_ago])
        archive.conn.commit()
        crawl(db, sources)
        again = sum(portal.bodies[p] for p in portal.report_paths)

    assert asked == 6, "the second run asked for no known report"
    assert again == 12, "the third run fetched every report that was due"
    rows = archive.execute("select url, version from reports where version > 1").fetchall()
    assert [url.endswith(changed) for url, _ in rows] == [True]


def test_refused_urls():
    hosts = {"www.x.gov.cn", "127.0.0.1:8000"}
    assert guard.refusal("http://www.x.gov.cn/a.html", hosts) is None
    assert guard.refusal("http://zwgk.x.gov.cn/a.html", hosts) is None, "a subdomain of the www host"
    assert guard.refusal("http://127.0.0.1:8000/a.html", hosts) is None, "a loopback the source names"
    assert "not one of" in guard.refusal("http://127.0.0.1:8001/a.html", hosts)
    assert "not one of" in guard.refusal("http://10.0.0.8/", hosts)
    assert "http(s)" in guard.refusal("file:///etc/passwd", hosts)
    assert "http(s)" in guard.refusal("ftp://www.x.gov.cn/a.pdf", hosts)
    assert "not one of" in guard.refusal("http://192.168.1.1/", hosts)
    assert "not one of" in guard.refusal("http://www.x.gov.cn.evil.example/", hosts)


@pytest.mark.parametrize(
    ("status", "error", "again"),
    [
        (503, "HTTP 503", True),
        (429, "HTTP 429", True),
        (404, "HTTP 404", False),
        (None, "TimeoutError: Getting http://x took longer than 20 seconds.", True),
        (None, "ConnectionLost: Connection to the other side was lost", True),
        (None, "too large: Expected to receive 3000000 bytes", False),
        (None, "refused: a redirect to file:///etc/passwd, off the source", False),
        (None, "IgnoreRequest: Forbidden by robots.txt", False),
    ],
)
def test_which_failures_are_tried_again(status, error, again):
    assert guard.transient(status, error) is again


def test_the_browser_obeys_the_source_hosts_too(tmp_path):
    """A list drawn by a script in Chromium: the page's own requests to another host (a script,
    a fetch, an iframe on the witness at 127.0.0.2) are blocked by the Playwright route; the rows
    it draws from its own host are followed."""
    db = tmp_path / "reports.db"
    with Witness("127.0.0.2") as witness, HostilePortal("测试子区人民政府", 3, per_page=4) as portal:
        rows = "".join(f"<li><a href='{path}'>{portal.title(path)}</a></li>" for path in portal.report_paths)
        portal.pages["/col/js/index.html"] = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>政府信息公开年报</title>"
            f"<script src='{witness.url}/tracker.js'></script></head><body>"
            "<div class='position'>首页 > 信息公开 > 政府信息公开年报</div><ul id='rows'></ul>"
            f"<iframe src='{witness.url}/frame.html'></iframe>"
            f"<script>fetch('{witness.url}/beacon').catch(function(){{}});"
            f"document.getElementById('rows').innerHTML = {json.dumps(rows)};</script></body></html>"
        ).encode()
        source = {**portal.source(), "url": portal.url + "/col/js/index.html", "list": True}
        sources = tmp_path / "sources.yaml"
        sources.write_text(json.dumps({"sources": [source]}, ensure_ascii=False), encoding="utf-8")
        env = {**os.environ, "GOVREPORTS_CRAWL_SETTINGS": json.dumps(FAST)}
        done = subprocess.run(
            crawl_command(db, sources), capture_output=True, text=True, env=env, timeout=180
        )
        hits = witness.total

    assert done.returncode == 0, done.stdout + done.stderr
    assert hits == 0, f"the browser reached the witness: {dict(witness.hits)}"
    archive = sqlite_utils.Database(db)
    assert archive.execute("select count(*) from reports").fetchone()[0] == 3, done.stdout
    assert archive.execute("select count(*) from documents where via = 'browser'").fetchone()[0] >= 1
