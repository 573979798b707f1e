"""The one writer: every fetched document goes into the archive's raw store and ``documents``,
and report pages and attachments through the parser into ``reports``.

``Writer.file`` is the single place where a fetched document becomes archive rows, whoever
fetched it: the item pipeline of a one-process crawl (``WriterThreadPipeline``) and the writer of
a distributed crawl (crawler.distributed) both call it. Parsing happens here, never in the
spider."""

import json
import time

from govreports.archive.pool import Job

from .items import FetchedDocument

INGESTED = {"report", "attachment"}


class Writer:
    """Files fetched documents (crawler.items.FetchedDocument) in ``archive``, counting what
    became of each in ``tally`` (archive.runs.Tally); new and changed reports are printed with
    the tally's ``echo``.

    With a ``pool`` (archive.pool.ParsePool) the Writer only writes: a document to parse is
    handed to the pool's worker processes and filed when its record comes back (``drain``), so
    ``file`` returns at once; it waits only while MAX_PENDING documents are being parsed (their
    bodies are in the raw store already: a pending document is a row's worth of memory). Without
    one, documents are parsed here. ``finish`` files whatever is still being parsed."""

    MAX_PENDING = 5000  # documents handed to the pool and not filed yet: bounds memory, not speed
    COMMIT_SECONDS = 0.5  # writes are committed at most this often (a commit waits for the disk)

    def __init__(self, archive, tally, pool=None):
        self.archive, self.tally, self.pool = archive, tally, pool
        self.ready = []  # records back from the pool, not yet filed
        self.since = None  # when the open transaction began (None: none open)

    def file(self, item) -> None:
        self.commit(due=True)
        if self.since is None:
            self.archive.begin()
            self.since = time.monotonic()
        with self.archive.atomic():  # the fetch and its WARC link together
            fetch = self.archive.record_fetch(
                url=item.url,
                final_url=item.final_url,
                status=item.status,
                content_type=item.content_type,
                body=item.body,
                etag=item.etag,
                last_modified=item.last_modified,
                via=item.via,
                source=item.source,
                kind=item.kind,
                error=item.error,
                retry=item.retry,
            )
            if item.warc:
                self.archive.link_warc(fetch.document_id, item.warc)
        if item.kind not in INGESTED or item.error:
            return
        if item.body is None and self.archive.parsed(fetch.document_id):  # 304: archived and parsed before
            self.tally.count(item.source, "unchanged")
            return
        # (a 304 for a body never parsed, because a crawl was killed in between, is parsed now)
        about = (item.source, item.url, item.title)
        if self.pool is None:
            result = self.archive.ingest_document(fetch.document_id, context=item.context, source=item.source)
            self.count(about, result)
            return
        doc = self.archive.to_parse(fetch.document_id, context=item.context, source=item.source)
        if not isinstance(doc, dict):  # settled without parsing (unchanged, or refused before)
            self.count(about, doc)
            return
        job = self.archive.parse_job(doc, item.context)
        self.pool.submit(Job((doc, about), job.sha256, job.content_type, job.url, job.context))
        self.drain(wait=self.pool.pending >= self.MAX_PENDING)

    def drain(self, wait: bool = False) -> None:
        """File the records the pool has ready (waiting for one when ``wait``), in one transaction."""
        if self.pool is not None and self.pool.pending:
            self.ready += self.pool.poll(timeout=1.0 if wait else 0)
        if self.ready:
            with self.archive.atomic():
                filed = [(p.job.key[1], self.archive.file_parsed(p.job.key[0], p)) for p in self.ready]
            self.ready = []  # kept until committed: a drain stopped half-way is filed again
            for about, result in filed:
                self.count(about, result)
        self.commit(due=True)

    def finish(self) -> None:
        while self.ready or (self.pool is not None and self.pool.pending):
            self.drain(wait=True)
        self.commit()

    def settle(self) -> bool:
        """When nothing is being parsed or waiting to be filed: commit, and say True."""
        if self.ready or (self.pool is not None and self.pool.pending):
            return False
        self.commit()
        return True

    def commit(self, due: bool = False) -> None:
        """Commit the open transaction (only once it is COMMIT_SECONDS old, when ``due``)."""
        if self.since is not None and (not due or time.monotonic() - self.since >= self.COMMIT_SECONDS):
            self.archive.commit()
            self.since = None

    def count(self, about: tuple, result) -> None:
        source, url, title = about
        if result.status == "error":
            self.tally.fail(source, url, f"cannot parse: {result.error}")
        else:
            self.tally.count(source, result.status)
        if result.status in ("new", "changed"):
            self.tally.echo(f"  {result.status:<8} {source}: {title or url}")


class WriterThreadPipeline:
    """The Writer on one thread of its own (still one writer), handing parsing to a pool of
    worker processes (GOVREPORTS_PARSE_JOBS, default one per core; 0 parses on the writer's
    thread), so that neither parsing nor writing stalls the downloads: an item is filed and
    Scrapy moves on while its document is parsed elsewhere; records are filed every
    DRAIN_SECONDS, and at the end. The thread opens its own connection to the archive; the
    spider's reads (``known``) use the crawl's. A spider without an archive files nothing."""

    DRAIN_SECONDS = 0.5

    def __init__(self, crawler):
        self.crawler = crawler
        self.writer = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        from twisted.internet.task import LoopingCall
        from twisted.python.threadpool import ThreadPool

        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="govreports-writer")
        self.pool.start()
        self.draining = None
        self.drainer = LoopingCall(self.drain)
        self.drainer.start(self.DRAIN_SECONDS, now=False)

    def drain(self):
        from twisted.internet import reactor
        from twisted.internet.threads import deferToThreadPool

        if self.writer is not None and self.draining is None:
            self.draining = deferToThreadPool(reactor, self.pool, self.writer.drain)
            self.draining.addBoth(lambda _: setattr(self, "draining", None))

    async def close_spider(self):
        self.drainer.stop()

        def close():
            if self.writer is not None:
                try:
                    self.writer.finish()
                finally:
                    if self.writer.pool is not None:
                        self.writer.pool.close()
                    self.writer.archive.close()

        try:
            await self.in_thread(close)  # after any drain under way: one thread
        finally:
            self.pool.stop()

    async def process_item(self, item):
        await self.in_thread(self.write, item)
        return item

    def in_thread(self, function, *args):
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor
        from twisted.internet.threads import deferToThreadPool

        return maybe_deferred_to_future(deferToThreadPool(reactor, self.pool, function, *args))

    def write(self, item):
        spider = self.crawler.spider
        if spider.archive is None:
            return
        if self.writer is None:
            from govreports.archive import Archive
            from govreports.archive.pool import ParsePool

            archive = Archive(spider.archive.path)
            jobs = self.crawler.settings.get("GOVREPORTS_PARSE_JOBS")
            pool = None if jobs == 0 else ParsePool(archive.store.root, jobs)
            self.writer = Writer(archive, spider.tally, pool)
        self.writer.file(item)


class QueuePipeline:
    """A distributed worker's pipeline (crawler.distributed): the raw bytes go to the archive's
    raw store (safe from many processes), a small JSON message onto the Redis documents queue;
    the writer reads it back with ``decode`` and files it with the Writer."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        from .distributed import client_for

        self.store = self.crawler.spider.archive.store
        self.client = client_for(self.crawler.settings.get("REDIS_URL"))

    def process_item(self, item):
        from .distributed import DOCUMENTS_KEY
        from .frontier import LEASE, leases_key

        message = {k: v for k, v in vars(item).items() if k not in ("body", LEASE)}
        message["sha256"] = self.store.put(item.body)[0] if item.body is not None else None
        lease = getattr(item, LEASE, None)

        def queue(transaction):  # MULTI: the document queued and its lease returned together
            transaction.rpush(DOCUMENTS_KEY, json.dumps(message, ensure_ascii=False))
            if lease:
                worker, data = lease
                transaction.hdel(leases_key(self.crawler.spider.name, worker), data)

        self.client.transaction(queue)
        return item

    @staticmethod
    def decode(message: dict, store):
        """The FetchedDocument a worker queued, its body read back from the raw store."""
        fields = dict(message)
        sha = fields.pop("sha256")
        return FetchedDocument(**fields, body=store.get(sha) if sha else None)
