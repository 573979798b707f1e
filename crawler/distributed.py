"""Distributed crawling on scrapy-redis: N crawler workers, one ingest writer.

    govreports crawl --db reports.db --workers 4 --redis redis://127.0.0.1:6379/0

Redis holds what the workers share: the frontier (scrapy-redis' request queue), the duplicate
filter (request fingerprints), the sources still to start, and the queue of fetched documents.
SQLite has one writer, so workers never write the database: each worker stores the raw bytes of
what it fetched in the archive's raw store (files named by sha256, written by rename, safe from
many processes), writes its own WARC files, and pushes a small JSON message onto the documents
queue. The writer (the process that started the workers, or ``govreports ingest-queue``) pops
the messages and files them with the same pipeline as a one-process crawl
(``crawler.pipelines.ArchivePipeline``: ``record_fetch`` then ``ingest_document``).

scrapy-redis feeds a spider through ``start_requests()`` (a batch from Redis at start, the next
batches when the spider is idle), but Scrapy 2.13+ only calls ``async def start()``, whose default
no longer falls back to ``start_requests()``: ``RedisStart.start`` bridges the two, so a worker
starts on its first batch at once instead of at its first idle tick.

Workers stop when they have been idle (nothing in the shared frontier, nothing of their own in
flight) for ``idle_seconds``. A worker that stops early loses nothing: whatever another worker
still discovers goes into the shared frontier, and the worker that discovered it is not idle.
The frontier and fingerprints persist across workers (``SCHEDULER_PERSIST``) so the first worker
to finish does not wipe them; a run that ends clears them, and a run that was killed leaves them
for the next run to continue from.
"""

import json
import os
import pathlib
import socket
import sqlite3
import subprocess
import sys
import time
import warnings
from collections import Counter, defaultdict
from types import SimpleNamespace

import redis
from scrapy_redis.spiders import RedisMixin

from govreports.archive.db import Archive

from .spiders.reports import COLUMNS, MAX_LIST_PAGES, ReportsSpider

PREFIX = "govreports"
START_KEY = f"{PREFIX}:start"
DOCUMENTS_KEY = f"{PREFIX}:documents"
WORKERS_KEY = f"{PREFIX}:workers"
SUMMARIES_KEY = f"{PREFIX}:summaries"
DEFAULT_IDLE_SECONDS = 3


def keys(spider_name: str = ReportsSpider.name) -> list[str]:
    """Every Redis key a distributed run uses."""
    frontier = [f"{spider_name}:requests", f"{spider_name}:dupefilter"]
    return [START_KEY, DOCUMENTS_KEY, WORKERS_KEY, SUMMARIES_KEY, *frontier]


def worker_settings(redis_url: str, idle_seconds: int = DEFAULT_IDLE_SECONDS) -> dict:
    """Scrapy settings that turn a crawl into a scrapy-redis worker."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": redis_url,
        "REDIS_START_URLS_KEY": START_KEY,
        "MAX_IDLE_TIME_BEFORE_CLOSE": idle_seconds,
        "ITEM_PIPELINES": {"govreports.crawler.distributed.QueuePipeline": 300},
    }


def client_for(redis_url):
    try:
        client = redis.Redis.from_url(redis_url)
        client.ping()
    except (redis.RedisError, ValueError) as e:
        raise ConnectionError(f"{redis_url}: cannot reach Redis: {e}") from e
    return client


class RedisStart(RedisMixin):
    """Mixin for a spider class: its start requests come from Redis, one JSON object per entry.

    The spider class provides ``requests_from_data(entry: dict)``: the requests that start the
    crawl of one entry.
    """

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup_redis(crawler)
        return spider

    async def start(self):
        # scrapy-redis measures idleness from spider_idle_start_time, a class attribute set when
        # the module was imported; start the clock when this worker starts instead.
        self.spider_idle_start_time = int(time.time())
        for request in self.start_requests():
            yield request

    def make_request_from_data(self, data):
        try:
            entry = json.loads(data)
        except ValueError:
            self.logger.error("%s: not a JSON object, skipped: %r", self.redis_key, data[:200])
            return []
        return list(self.requests_from_data(entry))


class DistributedReportsSpider(RedisStart, ReportsSpider):
    """The reports spider as a scrapy-redis worker: Redis entries name the sources to start."""

    def requests_from_data(self, entry):
        source = self.sources.get(entry.get("source"))
        if source is None:
            self.logger.error(
                "%s: no source named %r in this worker's sources", self.redis_key, entry.get("source")
            )
            return
        request = self.list_request(
            source["name"], source["url"], depth=0, report_column=source.get("list") is True, start=True
        )
        if request is not None:
            yield request


class QueuePipeline:
    """Worker side of the ingest queue: raw bytes to the raw store, a message to Redis."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        spider = self.crawler.spider
        from govreports.archive.store import RawStore

        self.store = RawStore.beside(spider.db_path)
        self.client = client_for(spider.redis_url)

    def process_item(self, item):
        message = {k: v for k, v in vars(item).items() if k != "body"}
        message["sha256"] = self.store.put(item.body)[0] if item.body is not None else None
        self.client.rpush(DOCUMENTS_KEY, json.dumps(message, ensure_ascii=False))
        return item


def decode_item(message: dict, store):
    """The FetchedDocument a worker queued, its body read back from the raw store."""
    from .items import FetchedDocument

    fields = dict(message)
    sha = fields.pop("sha256")
    return FetchedDocument(**fields, body=store.get(sha) if sha else None)


class KnownFetches:
    """What a worker reads of the archive: ``known(url)`` as ``Archive.known`` answers it, for
    conditional requests. Opened read-only, so workers never take SQLite's write lock."""

    def __init__(self, db_path):
        uri = f"file:{pathlib.Path(db_path).resolve()}?mode=ro"
        self.conn = sqlite3.connect(uri, uri=True, timeout=60)

    def known(self, url: str) -> dict | None:
        row = self.conn.execute(
            "select etag, last_modified, sha256 from documents where url = ? and sha256 is not null"
            " order by id desc limit 1",
            [url],
        ).fetchone()
        return dict(zip(("etag", "last_modified", "sha256"), row, strict=True)) if row else None


# -- the worker process --------------------------------------------------------------------------


def worker(db, redis_url, sources_file=None, only=(), max_pages=None, browser=True, settings=None):
    """One crawler worker, until the shared frontier stays empty (``python -m crawler.distributed``)."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.exceptions import ScrapyDeprecationWarning
    from scrapy.settings import Settings

    from .settings import crawl_settings
    from .sources import load_sources

    # scrapy-redis 0.9 still passes spider= to the stats; one warning per request otherwise.
    warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")
    sources = load_sources(sources_file, only=only)
    client = client_for(redis_url)
    me = f"{socket.gethostname()}:{os.getpid()}"
    client.sadd(WORKERS_KEY, me)
    overrides = {**worker_settings(redis_url), **(settings or {})}
    process = CrawlerProcess(Settings(crawl_settings(None, browser, overrides)))
    crawler = process.create_crawler(DistributedReportsSpider)

    def report(spider):
        summary = {
            "worker": me,
            "per_source": spider.summary(),
            "errors": spider.errors,
            "found": {name: sorted(urls) for name, urls in spider.found.items()},
            "list_pages": {name: len(keys) for name, keys in spider.lists.items()},
        }
        client.rpush(SUMMARIES_KEY, json.dumps(summary, ensure_ascii=False))
        client.srem(WORKERS_KEY, me)

    crawler.signals.connect(report, signal=signals.spider_closed)
    process.crawl(
        crawler,
        sources=sources,
        archive=KnownFetches(db),
        max_pages=max_pages,
        browser=browser,
        echo=lambda line: None,  # progress lines come from the writer
        db_path=str(db),
        redis_url=redis_url,
    )
    process.start()


# -- the writer ----------------------------------------------------------------------------------


class Ledger:
    """The writer's side of a spider for ``ArchivePipeline``: the archive and counts per source."""

    def __init__(self, archive, echo=print):
        self.archive = archive
        self.echo = echo
        self.counts = defaultdict(Counter)
        self.errors = []

    def count(self, source, key, n=1):
        self.counts[source][key] += n

    def fail(self, source, url, message):
        self.count(source, "failed")
        self.errors.append({"source": source, "url": url, "error": message})
        self.echo(f"  failed   {source}: {url}: {message}")

    def summary(self, names=()) -> dict:
        return {name: {key: self.counts[name][key] for key in COLUMNS} for name in [*names, *self.counts]}


def ingest_queue(archive, client, ledger, done=lambda: True, wait=1.0) -> int:
    """Pop queued documents and file them in the archive until ``done()`` says no more will come
    and the queue is empty. ``ledger`` counts per source. Returns the number of documents filed."""
    from .pipelines import ArchivePipeline

    pipeline = ArchivePipeline(SimpleNamespace(spider=ledger))  # the pipeline reads crawler.spider
    pipeline.open_spider()
    filed = 0
    while True:
        popped = client.blpop([DOCUMENTS_KEY], timeout=wait)
        if popped is None:
            if done() and not client.llen(DOCUMENTS_KEY):
                return filed
            continue
        message = json.loads(popped[1])
        try:
            pipeline.process_item(decode_item(message, archive.store))
        except Exception as e:  # one bad message never stops the writer
            ledger.fail(message.get("source"), message.get("url"), f"cannot file: {type(e).__name__}: {e}")
        filed += 1


def merge_summaries(client, ledger) -> dict:
    """Add the workers' counters to the writer's; return {source: found URLs, ...} and the rest."""
    found, list_pages, workers = {}, {}, []
    for raw in client.lrange(SUMMARIES_KEY, 0, -1):
        summary = json.loads(raw)
        workers.append(summary["worker"])
        for name, counts in summary["per_source"].items():
            for key, n in counts.items():
                ledger.count(name, key, n)
        ledger.errors.extend(summary["errors"])
        for name, urls in summary["found"].items():
            found.setdefault(name, set()).update(urls)
        for name, n in summary["list_pages"].items():
            list_pages[name] = list_pages.get(name, 0) + n
    return {"found": found, "list_pages": list_pages, "workers": workers}


def start_workers(n, db, redis_url, sources_file=None, only=(), max_pages=None, browser=True, settings=None):
    """Start n worker processes; return their Popen objects."""
    args = {"db": str(db), "redis_url": redis_url, "sources_file": sources_file and str(sources_file)}
    args.update(only=list(only), max_pages=max_pages, browser=browser, settings=settings or {})
    cmd = [sys.executable, "-m", "govreports.crawler.distributed", json.dumps(args, ensure_ascii=False)]
    return [subprocess.Popen(cmd) for _ in range(n)]


def crawl(
    db,
    redis_url,
    workers=2,
    sources_file=None,
    only=(),
    max_pages=None,
    browser=True,
    echo=print,
    settings=None,
) -> dict:
    """A distributed crawl: seed Redis, start the workers, be the writer until they are done.

    Returns the same shape as ``crawler.run.crawl`` plus the worker names."""
    from govreports.archive import lifecycle
    from govreports.archive.lock import crawl_lock

    from .run import table
    from .sources import load_sources
    from .warc import warc_folder

    sources = load_sources(sources_file, only=only)
    client = client_for(redis_url)
    with crawl_lock(db):
        archive = Archive(db)
        for source in sources:
            archive.upsert_source(source)
        run_id = archive.start_run()
        resuming = bool(client.exists(START_KEY, *keys()[4:]))
        client.delete(WORKERS_KEY, SUMMARIES_KEY)  # left by workers of a killed run
        if not resuming:
            client.delete(*keys())
            client.rpush(START_KEY, *(json.dumps({"source": s["name"]}, ensure_ascii=False) for s in sources))
        echo(
            f"{'Resuming' if resuming else 'Crawling'} {len(sources)} source(s) into {db} with {workers} "
            f"worker(s) on {redis_url} (frontier in Redis; Ctrl-C stops, the same command continues)"
        )
        ledger = Ledger(archive, echo)
        warc = {"GOVREPORTS_WARC_DIR": str(warc_folder(db)), "GOVREPORTS_RUN_ID": run_id}
        overrides = {**warc, **(settings or {})}
        procs = start_workers(workers, db, redis_url, sources_file, only, max_pages, browser, overrides)
        try:
            ingest_queue(archive, client, ledger, done=lambda: all(p.poll() is not None for p in procs))
        finally:
            for p in procs:
                if p.poll() is None:
                    p.terminate()
                p.wait()
        shared = merge_summaries(client, ledger)
        per_source = ledger.summary(s["name"] for s in sources)
        finished = all(p.returncode == 0 for p in procs) and len(shared["workers"]) == workers
        pages = max_pages or MAX_LIST_PAGES
        lifecycle.after_run(
            archive.db, run_id, per_source, shared["found"], shared["list_pages"], pages, finished, resuming
        )
        if finished:
            client.delete(*keys())
        archive.finish_run(run_id, per_source, ledger.errors)
        archive.close()
    echo(table(per_source))
    if not finished:
        echo("Crawl stopped before the end; run the same command again to continue.")
    return {
        "run_id": run_id,
        "per_source": per_source,
        "errors": ledger.errors,
        "finish_reason": "finished" if finished else "stopped",
        "workers": shared["workers"],
    }


def drain(db, redis_url, echo=print, wait=5.0) -> dict:
    """``govreports ingest-queue``: file what workers queued, until the queue stays empty for
    ``wait`` seconds with no worker registered. Returns the per-source counts."""
    from govreports.archive.lock import crawl_lock

    client = client_for(redis_url)
    with crawl_lock(db, command="ingest-queue"):
        archive = Archive(db)
        ledger = Ledger(archive, echo)
        filed = ingest_queue(archive, client, ledger, done=lambda: not client.scard(WORKERS_KEY), wait=wait)
        archive.close()
    echo(f"ingest-queue: {filed} documents filed from {redis_url}")
    return ledger.summary()


if __name__ == "__main__":  # a worker process: python -m crawler.distributed '{"db": ..., "redis_url": ...}'
    worker(**json.loads(sys.argv[1]))
