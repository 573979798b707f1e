"""Distributed crawling on scrapy-redis: N crawler workers, one ingest writer.

    govreports crawl reports.db --workers 4 --redis redis://127.0.0.1:6379/0

Redis holds what the workers share: the frontier (scrapy-redis' request queue), the duplicate
filter (request fingerprints), the sources still to start, and the queue of fetched documents.
SQLite has one writer, so workers never write the database: each worker stores the raw bytes of
what it fetched in the archive's raw store (files named by sha256, written by rename, safe from
many processes), writes its own WARC files, and pushes a small JSON message onto the documents
queue (``crawler.pipelines.QueuePipeline``). The writer (the process that started the
workers, or ``govreports ingest-queue``) pops the messages and files them with the same
``crawler.pipelines.Writer`` as a one-process crawl, whose parse pool (archive.pool) parses on the other cores: the writer only writes. Workers read the archive (``known``) through
``Archive(db, read_only=True)``; each counts in its own tally and sends it to the writer when it
stops, and the writer merges them into the run's (``Tally.merge``) before ``Archive.finish_run``.
The workers' spider is ``reports-worker`` (crawler/spiders/worker.py).

Workers stop when they have been idle (nothing in the shared frontier, nothing of their own in
flight) for ``idle_seconds``. A worker that stops early loses nothing: whatever another worker
still discovers goes into the shared frontier, and the worker that discovered it is not idle.
The frontier and fingerprints persist across workers (``SCHEDULER_PERSIST``) so the first worker
to finish does not wipe them; a run that ends clears them, and a run that was killed leaves them
for the next run to continue from. What a worker takes from the frontier is leased, not lost
(crawler/frontier.py): the leases of a worker that died, and at the start of a run that continues
a stopped one every lease, go back into the frontier. The writer files from a ``filing`` list,
so a message it had taken when it was stopped is filed on the next start.
"""

import json
import os
import socket
import subprocess
import sys
import warnings

import redis

from govreports.archive import Archive
from govreports.archive.pool import ParsePool

from . import frontier
from .pipelines import Writer
from .spiders.reports import MAX_LIST_PAGES
from .spiders.worker import WorkerReportsSpider

PREFIX = "govreports"
START_KEY = f"{PREFIX}:start"
DOCUMENTS_KEY = f"{PREFIX}:documents"
FILING_KEY = f"{PREFIX}:filing"  # documents the writer has taken and not filed yet
WORKERS_KEY = f"{PREFIX}:workers"
SUMMARIES_KEY = f"{PREFIX}:summaries"
DEFAULT_IDLE_SECONDS = 3


def keys(spider_name: str = WorkerReportsSpider.name) -> list[str]:
    """Every Redis key a distributed run uses."""
    queue = [f"{spider_name}:requests", f"{spider_name}:dupefilter"]
    return [START_KEY, DOCUMENTS_KEY, FILING_KEY, WORKERS_KEY, SUMMARIES_KEY, *queue]


def lease_keys(client, spider_name: str = WorkerReportsSpider.name) -> list:
    """The workers' lease hashes (crawler/frontier.py) now in Redis."""
    return list(client.scan_iter(match=frontier.leases_key(spider_name, "*")))


def worker_settings(redis_url: str, idle_seconds: int = DEFAULT_IDLE_SECONDS) -> dict:
    """Scrapy settings that turn a crawl into a scrapy-redis worker."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_CLASS": "govreports.crawler.frontier.LeasedPriorityQueue",
        "REDIS_URL": redis_url,
        "REDIS_START_URLS_KEY": START_KEY,
        "MAX_IDLE_TIME_BEFORE_CLOSE": idle_seconds,
        "ITEM_PIPELINES": {"govreports.crawler.pipelines.QueuePipeline": 300},
    }


def client_for(redis_url):
    try:
        client = redis.Redis.from_url(redis_url)
        client.ping()
    except (redis.RedisError, ValueError) as e:
        raise ConnectionError(f"{redis_url}: cannot reach Redis: {e}") from e
    return client


# -- the worker process --------------------------------------------------------------------------


def worker(db, redis_url, sources_file=None, only=(), max_pages=None, browser=True, settings=None):
    """One crawler worker, until the shared frontier stays empty (``python -m crawler.distributed``)."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.exceptions import ScrapyDeprecationWarning

    from .settings import crawl_settings
    from .sources import load_sources

    # scrapy-redis 0.9 still passes spider= to the stats; one warning per request otherwise.
    warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")
    sources = load_sources(sources_file, only=only)
    client = client_for(redis_url)
    me = f"{socket.gethostname()}:{os.getpid()}"
    client.sadd(WORKERS_KEY, me)
    overrides = {**worker_settings(redis_url), **(settings or {})}
    process = CrawlerProcess(crawl_settings(None, browser, overrides))
    crawler = process.create_crawler(WorkerReportsSpider)

    def report(spider):
        summary = {"worker": me, **spider.tally.as_json()}
        client.rpush(SUMMARIES_KEY, json.dumps(summary, ensure_ascii=False))
        client.srem(WORKERS_KEY, me)

    crawler.signals.connect(report, signal=signals.spider_closed)
    process.crawl(
        crawler,
        sources=sources,
        archive=Archive(db, read_only=True),
        max_pages=max_pages,
        browser=browser,
        worker=me,  # names its lease hash
    )
    process.start()


# -- the writer ----------------------------------------------------------------------------------


def ingest_queue(writer, client, done=lambda: True, wait=1.0) -> int:
    """Pop queued documents and file them with ``writer`` (crawler.pipelines.Writer) until
    ``done()`` says no more will come and the queue is empty. Returns the number of documents
    filed."""
    from .pipelines import QueuePipeline

    filed = 0
    # What a stopped or killed writer had taken but not filed goes first (filing twice adds nothing).
    while client.lmove(FILING_KEY, DOCUMENTS_KEY, "RIGHT", "LEFT"):
        pass
    taken = []  # messages filed or being parsed; let go once their records are committed

    def let_go():
        if writer.settle():
            for raw in taken:
                client.lrem(FILING_KEY, 1, raw)
            taken.clear()

    try:
        while True:
            timeout = 0.2 if writer.pool and writer.pool.pending else wait
            raw = client.blmove(DOCUMENTS_KEY, FILING_KEY, timeout, "LEFT", "RIGHT")
            if raw is None:
                writer.drain()
                let_go()
                if done() and not client.llen(DOCUMENTS_KEY):
                    return filed
                continue
            message = json.loads(raw)
            try:
                writer.file(QueuePipeline.decode(message, writer.archive.store))
            except Exception as e:  # one bad message never stops the writer
                writer.tally.fail(
                    message.get("source"), message.get("url"), f"cannot file: {type(e).__name__}: {e}"
                )
            taken.append(raw)
            filed += 1
            let_go()
    finally:  # stopped or not: what was taken and is being parsed is filed
        writer.finish()
        let_go()


def merge_summaries(client, tally) -> list[str]:
    """Add the tallies the workers sent to the writer's; return the names of those workers."""
    workers = []
    for raw in client.lrange(SUMMARIES_KEY, 0, -1):
        summary = json.loads(raw)
        workers.append(summary.pop("worker"))
        tally.merge(summary)
    return workers


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
    from govreports.archive.lock import crawl_lock

    from .run import table
    from .sources import load_sources
    from .warc import warc_folder

    sources = load_sources(sources_file, only=only)
    client = client_for(redis_url)
    with crawl_lock(db):
        archive = Archive(db)
        resuming = bool(client.exists(START_KEY, FILING_KEY, *keys()[-2:]) or lease_keys(client))
        run = archive.start_run(sources, resumed=resuming, echo=echo, max_pages=max_pages or MAX_LIST_PAGES)
        client.delete(WORKERS_KEY, SUMMARIES_KEY)  # left by workers of a killed run
        if resuming:  # what the stopped run's workers had in flight goes back to the frontier
            frontier.requeue(client, WorkerReportsSpider.name)
        else:
            client.delete(*keys())
            client.rpush(START_KEY, *(json.dumps({"source": s["name"]}, ensure_ascii=False) for s in sources))
        echo(
            f"{'Resuming' if resuming else 'Crawling'} {len(sources)} source(s) into {db} with {workers} "
            f"worker(s) on {redis_url} (frontier in Redis; Ctrl-C stops, the same command continues)"
        )
        warc = {"GOVREPORTS_WARC_DIR": str(warc_folder(db)), "GOVREPORTS_RUN_ID": run.id}
        overrides = {**warc, **(settings or {})}
        procs = start_workers(workers, db, redis_url, sources_file, only, max_pages, browser, overrides)

        def done():
            """Every worker has exited. One that died (killed, crashed) has its leased requests
            put back into the frontier at once, for the others or the next run."""
            host = socket.gethostname()
            for p in procs:
                if p.poll() not in (None, 0) and p not in requeued:
                    frontier.requeue(client, WorkerReportsSpider.name, [f"{host}:{p.pid}"])
                    requeued.add(p)
            return all(p.poll() is not None for p in procs)

        requeued = set()

        try:
            with ParsePool(archive.store.root) as pool:
                ingest_queue(Writer(archive, run.tally, pool), client, done=done)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.terminate()
                p.wait()
        names = merge_summaries(client, run.tally)
        finished = all(p.returncode == 0 for p in procs) and len(names) == workers
        if finished:
            client.delete(*keys(), *lease_keys(client))
        archive.finish_run(run, finished=finished)
        archive.close()
    per_source = run.tally.summary()
    echo(table(per_source))
    if not finished:
        echo("Crawl stopped before the end; run the same command again to continue.")
    return {
        "run_id": run.id,
        "per_source": per_source,
        "errors": run.tally.errors,
        "finish_reason": "finished" if finished else "stopped",
        "workers": names,
    }


def drain(db, redis_url, echo=print, wait=5.0) -> dict:
    """``govreports ingest-queue``: file what workers queued, until the queue stays empty for
    ``wait`` seconds with no worker registered. Returns the per-source counts."""
    from govreports.archive.lock import crawl_lock
    from govreports.archive.runs import Tally

    client = client_for(redis_url)
    with crawl_lock(db, command="ingest-queue"):
        archive = Archive(db)
        with ParsePool(archive.store.root) as pool:
            writer = Writer(archive, Tally(echo=echo), pool)
            filed = ingest_queue(writer, client, done=lambda: not client.scard(WORKERS_KEY), wait=wait)
        archive.close()
    echo(f"ingest-queue: {filed} documents filed from {redis_url}")
    return writer.tally.summary()


if __name__ == "__main__":  # a worker process: python -m crawler.distributed '{"db": ..., "redis_url": ...}'
    worker(**json.loads(sys.argv[1]))
