"""The one writer: every fetched document goes into the archive's raw store and ``documents``,
and report pages and attachments through the parser into ``reports`` (Archive.ingest_document).
Parsing happens here, never in the spider."""

import logging

from .warc import link_document

logger = logging.getLogger(__name__)

INGESTED = {"report", "attachment"}


class ArchivePipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.archive = self.crawler.spider.archive

    def process_item(self, item):
        spider = self.crawler.spider
        if self.archive is None:
            return item
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
        )
        if item.warc:
            link_document(self.archive.db, fetch.document_id, item.warc)
        if item.kind not in INGESTED or item.error:
            return item
        if item.body is None and self.parsed(fetch.document_id):  # 304: archived and parsed before
            spider.count(item.source, "unchanged")
            return item
        # (a 304 for a body never parsed, because a crawl was killed in between, is parsed now)
        result = self.archive.ingest_document(fetch.document_id, context=item.context, source=item.source)
        status = result.status
        if status == "error":
            spider.fail(item.source, item.url, f"cannot parse: {result.error}")
        else:
            spider.count(item.source, status)
        if status in ("new", "changed"):
            spider.echo(f"  {status:<8} {item.source}: {item.title or item.url}")
        return item

    def parsed(self, document_id) -> bool:
        return self.archive.db["documents"].get(document_id)["parse_status"] is not None


class WriterThreadPipeline(ArchivePipeline):
    """ArchivePipeline on one thread of its own (still one writer), so that parsing a long PDF
    does not stall the downloads: Scrapy waits for the item while the reactor keeps fetching.
    The thread opens its own connection to the archive; the spider's reads (``known``) use the
    crawl's."""

    def open_spider(self):
        from twisted.python.threadpool import ThreadPool

        self.archive = None
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="govreports-writer")
        self.pool.start()

    async def close_spider(self):
        def close():
            if self.archive is not None:
                self.archive.close()

        try:
            await self.in_thread(close)
        finally:
            self.pool.stop()

    async def process_item(self, item):
        return await self.in_thread(self.write, item)

    def in_thread(self, function, *args):
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor
        from twisted.internet.threads import deferToThreadPool

        return maybe_deferred_to_future(deferToThreadPool(reactor, self.pool, function, *args))

    def write(self, item):
        if self.archive is None and self.crawler.spider.archive is not None:
            from govreports.archive import Archive

            self.archive = Archive(self.crawler.spider.archive.path)
        return ArchivePipeline.process_item(self, item)
