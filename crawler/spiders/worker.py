"""The reports spider as a scrapy-redis worker of a distributed crawl (crawler.distributed).

scrapy-redis feeds a spider through ``start_requests()`` (a batch from Redis at start, the next
batches when the spider is idle), but Scrapy 2.13+ only calls ``async def start()``, whose default
no longer falls back to ``start_requests()``: ``RedisStart.start`` bridges the two, so a worker
starts on its first batch at once instead of at its first idle tick.
"""

import json
import time

from scrapy_redis.spiders import RedisMixin

from .. import frontier
from .reports import ReportsSpider


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


class WorkerReportsSpider(RedisStart, ReportsSpider):
    """The reports spider as a scrapy-redis worker: Redis entries name the sources to start.
    Its callbacks return the lease of their request when what came of it is in Redis
    (crawler/frontier.py)."""

    name = "reports-worker"
    parse_list = frontier.leased(ReportsSpider.parse_list)
    parse_document = frontier.leased(ReportsSpider.parse_document)
    failed = frontier.leased(ReportsSpider.failed)

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
