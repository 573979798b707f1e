"""The reports spider for ``scrapy crawl`` and Scrapyd, where spider arguments are strings:

    scrapy crawl reports -a db=/srv/govreports/reports.db [-a sources=FILE] [-a only=A,B]
                         [-a max_pages=N] [-a browser=0]
    curl http://127.0.0.1:6800/schedule.json -d project=govreports -d spider=reports -d db=/srv/reports.db

It does what ``govreports crawl`` does around the crawl: takes the archive's lock (a second run
stops at once), records the run, writes the WARC files beside the DB and, when the crawl ends,
runs the cross-year check and the removal marks (archive.lifecycle.after_run).
"""

from scrapy import signals

from govreports.archive import Archive, lifecycle
from govreports.archive.lock import acquire, release

from .sources import load_sources
from .spiders.reports import ReportsSpider
from .warc import warc_folder


class ScheduledReportsSpider(ReportsSpider):
    name = "reports"

    @classmethod
    def from_crawler(
        cls, crawler, db="govreports.db", sources=None, only="", max_pages=None, browser="1", **kwargs
    ):
        names = [name.strip() for name in only.split(",") if name.strip()]
        source_list = load_sources(sources, only=names)
        lock = acquire(db)
        archive = Archive(db)
        for source in source_list:
            archive.upsert_source(source)
        spider = super().from_crawler(
            crawler,
            source_list,
            archive=archive,
            max_pages=int(max_pages) if max_pages else None,
            browser=browser.lower() not in ("0", "false", "no"),
            echo=lambda line: crawler.spider.logger.info(line),
            **kwargs,
        )
        spider.lock, spider.run_id = lock, archive.start_run()
        spider.warc_dir = warc_folder(db)  # read by crawler.warc.WarcMiddleware
        crawler.signals.connect(spider.finish, signal=signals.spider_closed)
        return spider

    def finish(self, spider, reason):
        try:
            per_source = self.summary()
            pages = {name: len(keys) for name, keys in self.lists.items()}
            lifecycle.after_run(
                self.archive.db,
                self.run_id,
                per_source,
                self.found,
                pages,
                self.max_pages,
                reason == "finished",
            )
            self.archive.finish_run(self.run_id, per_source, self.errors)
            self.archive.close()
        finally:
            release(self.lock)
