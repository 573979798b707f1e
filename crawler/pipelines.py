"""The one writer: every fetched document goes into the archive's raw store and ``documents``,
and report pages and attachments through the parser into ``reports``.

``Writer.file`` is the single place where a fetched document becomes archive rows, whoever
fetched it: the item pipeline of a one-process crawl (``WriterThreadPipeline``) and the writer of
a distributed crawl (crawler.distributed) both call it. Parsing happens here, never in the
spider."""

import json

from .items import FetchedDocument

INGESTED = {"report", "attachment"}


class Writer:
    """Files fetched documents (crawler.items.FetchedDocument) in ``archive``, counting what
    became of each in ``tally`` (archive.runs.Tally); new and changed reports are printed with
    the tally's ``echo``."""

    def __init__(self, archive, tally):
        self.archive, self.tally = archive, tally

    def file(self, item) -> None:
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
        result = self.archive.ingest_document(fetch.document_id, context=item.context, source=item.source)
        status = result.status
        if status == "error":
            self.tally.fail(item.source, item.url, f"cannot parse: {result.error}")
        else:
            self.tally.count(item.source, status)
        if status in ("new", "changed"):
            self.tally.echo(f"  {status:<8} {item.source}: {item.title or item.url}")


class WriterThreadPipeline:
    """The Writer on one thread of its own (still one writer), so that parsing a long PDF does
    not stall the downloads: Scrapy waits for the item while the reactor keeps fetching. The
    thread opens its own connection to the archive; the spider's reads (``known``) use the
    crawl's. A spider without an archive files nothing."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.writer = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        from twisted.python.threadpool import ThreadPool

        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="govreports-writer")
        self.pool.start()

    async def close_spider(self):
        def close():
            if self.writer is not None:
                self.writer.archive.close()

        try:
            await self.in_thread(close)
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

            self.writer = Writer(Archive(spider.archive.path), spider.tally)
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
