"""Downloader middlewares: stay on each source's hosts, back off before retries, and send
anti-bot challenge pages to the browser (never solve them)."""

import asyncio
import logging
import re

from scrapy.exceptions import IgnoreRequest

from .guard import refusal
from .requests import again, to_browser

logger = logging.getLogger(__name__)

# 瑞数: HTTP 412 with a $_ts loader; 加速乐: HTTP 521 computing __jsl_clearance; Aliyun WAF: a 200
# page with var arg1='<40 hex>' setting acw_sc__v2; Tencent EdgeOne: WTKkN.
CHALLENGES = (
    (412, re.compile(rb"\$_ts\s*=|\$_ts\.")),
    (521, re.compile(rb"__jsl_clearance|__jsluid")),
    (None, re.compile(rb"acw_sc__v2|var\s+arg1\s*=\s*'[0-9A-F]{40}'")),
    (None, re.compile(rb"WTKkN|EO_Bot_Ssid")),
)
MARKS = (b"$_ts", b"__jsl", b"acw_sc__v2", b"arg1", b"WTKkN", b"EO_Bot_Ssid")  # one in each pattern


def challenge(response) -> bool:
    """True when the response is an anti-bot challenge page rather than content."""
    if len(response.body) > 200_000:
        return False
    head = response.body[:20_000]
    if not any(mark in head for mark in MARKS):  # a plain search first: every response is looked at
        return False
    return any(
        (status is None or response.status == status) and pattern.search(head)
        for status, pattern in CHALLENGES
    )


class StayOnSource:
    """Drop requests (and redirects) that leave the hosts of the source that asked for them, or
    that go to a scheme other than http(s) or a private address the source does not name
    (crawler.guard.refusal); and every request of a source that keeps failing (backed off: its
    URLs wait on the retry list for the next run)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        spider = self.crawler.spider
        source = request.meta.get("source")
        why = refusal(request.url, spider.hosts.get(source))
        if why:
            spider.count(source, "off_host")
            logger.warning("refused %s for %s: %s", request.url, source, why)
            raise IgnoreRequest(f"refused: {request.url}: {why}")
        if spider.backed_off(source):
            raise IgnoreRequest(f"backed off: {source} keeps failing; {request.url} is tried next run")
        if request.meta.get("source") in spider.browser_sources and not request.meta.get("playwright"):
            to_browser(request)
        if request.meta.get("playwright"):  # the page's own requests obey the same rules
            request.meta["playwright_page_init_callback"] = "govreports.crawler.guard.route_on_source"
            request.meta["hosts"] = sorted(spider.hosts.get(source) or ())
        return None


class Backoff:
    """Wait before a retry: RETRY_BACKOFF_BASE seconds, doubling up to RETRY_BACKOFF_MAX.

    RetryMiddleware re-sends 5xx answers, timeouts and connection resets at once; a server that
    is struggling is better served by a pause. Only the retried request waits."""

    def __init__(self, base, most):
        self.base, self.most = base, most

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        return cls(s.getfloat("RETRY_BACKOFF_BASE", 1.0), s.getfloat("RETRY_BACKOFF_MAX", 30.0))

    async def process_request(self, request):
        tries = request.meta.get("retry_times", 0)
        if tries and self.base > 0:
            await asyncio.sleep(min(self.base * 2 ** (tries - 1), self.most))
        return None


class Challenge:
    """A challenge page goes to the browser (once), and the source's later requests with it."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        spider = self.crawler.spider
        source = request.meta.get("source")
        if request.meta.get("playwright") and response.status in (412, 521) and not challenge(response):
            # The browser passed the challenge: the page it settled on is the content, but
            # scrapy-playwright reports the status of the first (challenge) answer.
            return response.replace(status=200)
        if source is None or request.meta.get("playwright") or not challenge(response):
            return response
        spider.count(source, "challenged")
        if not spider.browser:
            request.meta["blocked"] = True
            return response
        spider.browser_sources.add(source)
        return to_browser(again(request))
