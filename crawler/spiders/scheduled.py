"""The ``reports`` spider for ``scrapy crawl`` and Scrapyd, where spider arguments are strings:

    scrapy crawl reports -a db=/srv/govreports/reports.db [-a sources=FILE] [-a only=A,B]
                         [-a max_pages=N] [-a browser=0]
    curl http://127.0.0.1:6800/schedule.json -d project=govreports -d spider=reports -d db=/srv/reports.db

It does what ``govreports crawl`` does around the crawl: takes the archive's lock (a second run
stops at once), records the run, writes the WARC files beside the DB and, when the crawl ends,
finishes the run (``Archive.finish_run``: the cross-year check and the removal marks). A run
given a JOBDIR (``-s JOBDIR=...``) that already holds the requests of an earlier run is resumed:
Scrapy skips the list pages that run asked for, so it marks no list removals.
"""

import pathlib

from scrapy import signals

from govreports.archive import Archive
from govreports.archive.lock import acquire, release

from ..sources import load_sources
from ..warc import warc_folder
from .reports import ReportsSpider


class ScheduledReportsSpider(ReportsSpider):
    name = "reports"

    @classmethod
    def from_crawler(cls, crawler, db=None, sources=None, only="", max_pages=None, browser="1", **kwargs):
        if not db:
            raise ValueError("the reports spider needs the archive: scrapy crawl reports -a db=FILE")
        names = [name.strip() for name in only.split(",") if name.strip()]
        source_list = load_sources(sources, only=names)
        lock = acquire(db)
        archive = Archive(db)
        jobdir = crawler.settings.get("JOBDIR")
        resumed = bool(jobdir) and (pathlib.Path(jobdir) / "requests.seen").exists()
        run = archive.start_run(
            source_list, resumed=resumed, echo=lambda line: crawler.spider.logger.info(line)
        )
        spider = super().from_crawler(
            crawler,
            source_list,
            archive=archive,
            max_pages=int(max_pages) if max_pages else None,
            browser=browser.lower() not in ("0", "false", "no"),
            tally=run.tally,
            **kwargs,
        )
        spider.lock, spider.run, spider.run_id = lock, run, run.id
        spider.warc_dir = warc_folder(db)  # read by crawler.warc.WarcMiddleware
        crawler.signals.connect(spider.finish, signal=signals.spider_closed)
        return spider

    def finish(self, spider, reason):
        try:
            self.archive.finish_run(self.run, finished=reason == "finished")
            self.archive.close()
        finally:
            release(self.lock)
