"""Distributed mode: scrapy-redis workers sharing one frontier in a real redis-server, one writer."""

import asyncio
import json
import os
import pathlib
import signal
import subprocess

import pytest
import sqlite_utils
from local_portals import Portal, crawl_command, sources_yaml
from redis_server import redis_server
from scrapy.crawler import Crawler

from govreports.crawler import distributed
from govreports.crawler.spiders.worker import WorkerReportsSpider

pytestmark = [pytest.mark.crawl, pytest.mark.redis]

FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0}


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def test_bridge_feeds_scrapy_start_from_scrapy_redis_start_requests(redis_url):
    """Scrapy 2.13+ calls start(); scrapy-redis reads its first batch in start_requests()."""
    sources = [
        {"name": "甲区人民政府", "url": "http://127.0.0.1:9/a/index.html", "province": "河南省"},
        {"name": "乙区人民政府", "url": "http://127.0.0.1:9/b/index.html", "province": "河南省"},
    ]
    client = distributed.client_for(redis_url)
    client.delete(*distributed.keys())
    client.rpush(distributed.START_KEY, *(json.dumps({"source": s["name"]}) for s in sources), "not json")
    crawler = Crawler(
        WorkerReportsSpider, distributed.worker_settings(redis_url)
    )  # not crawled: no reactor needed
    spider = WorkerReportsSpider.from_crawler(crawler, sources=sources, browser=False)

    async def first_batch():
        return [request async for request in spider.start()]

    requests = asyncio.run(first_batch())
    assert [r.url for r in requests] == [s["url"] for s in sources]
    assert all(r.callback == spider.parse_list and r.meta["start"] for r in requests)
    assert client.llen(distributed.START_KEY) == 0, "the batch was taken from Redis"


def crawl(db, sources, redis_url):
    return distributed.crawl(
        db, redis_url, workers=2, sources_file=sources, browser=False, echo=lambda line: None, settings=FAST
    )


def test_two_workers_fetch_and_file_every_report_exactly_once(tmp_path, redis_url):
    db = tmp_path / "reports.db"
    with Portal("测试甲区人民政府", 14, per_page=4) as a, Portal("测试乙区人民政府", 9, per_page=4) as b:
        sources = sources_yaml(tmp_path / "sources.yaml", [a, b])
        result = crawl(db, sources, redis_url)
        fetched = {(portal.name, path): n for portal in (a, b) for path, n in portal.requests.items()}

        a.change(a.report_paths[0])
        again = crawl(db, sources, redis_url)

    assert result["finish_reason"] == "finished"
    assert len(result["workers"]) == 2, "both workers ran and reported"
    reports = [key for key in fetched if key[1].startswith("/art/")]
    assert len(reports) == 14 + 9
    assert all(fetched[key] == 1 for key in reports), "the shared dupefilter: no page fetched twice"
    assert all(n == 1 for (_, path), n in fetched.items() if path.startswith("/col/"))
    totals = {name: counts["new"] for name, counts in result["per_source"].items()}
    assert totals == {"测试甲区人民政府": 14, "测试乙区人民政府": 9}

    archive = sqlite_utils.Database(db)
    assert archive["documents"].count_where("warc_file is null and status = 200") == 0, "workers write WARC"
    # The second run starts a fresh frontier; known reports are asked for conditionally.
    assert {name: (c["changed"], c["unchanged"]) for name, c in again["per_source"].items()} == {
        "测试甲区人民政府": (1, 13),
        "测试乙区人民政府": (0, 9),
    }
    # 23 reports, one of them in two versions, each URL filed once per version.
    assert archive.execute(
        "select count(*), sum(is_latest), count(distinct url) from reports"
    ).fetchone() == (24, 23, 23)
    assert distributed.client_for(redis_url).exists(*distributed.keys()) == 0, "a finished run clears Redis"


def command(db, sources, redis_url):
    """`govreports crawl` with two workers, as a user types it."""
    return crawl_command(db, sources, "--no-browser", "--workers", "2", "--redis", redis_url)


def ctrl_c_works():
    """In the child: SIGINT raises KeyboardInterrupt even when this test runs in a background
    job, whose children inherit SIGINT ignored (Python then installs no handler for it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_a_stopped_distributed_crawl_continues_from_the_frontier_in_redis(tmp_path, redis_url):
    db = tmp_path / "reports.db"
    # slow enough that the stop comes before every report is fetched (parsing no longer holds
    # fetching back, so a few filed reports no longer mean a few fetched)
    slow = {**FAST, "DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    # Unbuffered: each progress line reaches the test as it is printed, not at exit.
    env = {**os.environ, "GOVREPORTS_CRAWL_SETTINGS": json.dumps(slow), "PYTHONUNBUFFERED": "1"}
    with Portal("测试戊区人民政府", 16, per_page=4) as portal:
        sources = sources_yaml(tmp_path / "sources.yaml", [portal])
        cmd = command(db, sources, redis_url)
        first = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=ctrl_c_works
        )
        filed = 0
        for line in first.stdout:  # stop it (Ctrl-C) once three reports are filed
            filed += line.lstrip().startswith("new")
            if filed == 3:
                first.send_signal(signal.SIGINT)
                break
        first.communicate(timeout=120)
        filed_before = sqlite_utils.Database(db)["reports"].count
        assert 0 < filed_before < 16
        assert distributed.client_for(redis_url).exists(distributed.keys()[-1]), (
            "fingerprints kept for the next run"
        )

        second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stdout[-2000:]
        assert "Resuming 1 source(s)" in second.stdout

    archive = sqlite_utils.Database(db)
    assert archive.execute("select count(*), count(distinct url) from reports").fetchone() == (16, 16)
    assert all(n == 1 for path, n in portal.requests.items() if path.startswith("/art/"))


def test_a_worker_killed_with_sigkill_loses_nothing_its_leases_go_back_to_the_frontier(tmp_path, redis_url):
    """kill -9 one of two workers once three reports are filed: the requests it had taken from
    Redis (leased, frontier.py) are put back for the other worker; every report is filed once."""
    db = tmp_path / "reports.db"
    slow = {**FAST, "DOWNLOAD_DELAY": 0.1, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    env = {**os.environ, "GOVREPORTS_CRAWL_SETTINGS": json.dumps(slow), "PYTHONUNBUFFERED": "1"}
    with Portal("测试癸区人民政府", 12, per_page=4) as portal:
        sources = sources_yaml(tmp_path / "sources.yaml", [portal])
        cmd = command(db, sources, redis_url)
        writer = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        filed = 0
        for line in writer.stdout:
            filed += line.lstrip().startswith("new")
            if filed == 3:
                children = pathlib.Path(f"/proc/{writer.pid}/task/{writer.pid}/children").read_text().split()
                os.kill(int(children[0]), signal.SIGKILL)
                break
        out = line + writer.communicate(timeout=120)[0]
        if "run the same command again" in out:  # the other worker had gone idle first: next run
            again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
            assert again.returncode == 0 and "Resuming" in again.stdout, again.stdout
        fetched = {path: n for path, n in portal.requests.items() if path.startswith("/art/")}

    archive = sqlite_utils.Database(db)
    assert archive.execute("select count(*), count(distinct url) from reports").fetchone() == (12, 12)
    assert len(fetched) == 12 and max(fetched.values()) <= 2, (
        "at most the killed worker's in-flight ones twice"
    )
    assert distributed.client_for(redis_url).exists(*distributed.keys()) == 0, "the run finished and cleared"
