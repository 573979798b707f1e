"""A recrawl runs at the politeness limit: AutoThrottle comes down from its start delay on the
304 Not Modified answers a recrawl gets, as on 200s; error answers still never speed it up."""

from scrapy import Spider
from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import Settings

from govreports.crawler import settings
from govreports.crawler.throttle import AutoThrottle


def delay_after(status: int, answers: int = 10) -> float:
    # Crawler, not scrapy.utils.test.get_crawler: before Scrapy 2.15 that one needs an installed
    # reactor; this crawler is never started.
    crawler = Crawler(Spider, Settings({k: getattr(settings, k) for k in dir(settings) if k.isupper()}))
    throttle = AutoThrottle(crawler)
    # what spider_opened sets (its private helpers differ between Scrapy versions)
    throttle.mindelay, throttle.maxdelay = settings.DOWNLOAD_DELAY, settings.AUTOTHROTTLE_MAX_DELAY
    slot = Slot(concurrency=2, delay=settings.AUTOTHROTTLE_START_DELAY, randomize_delay=False)
    for _ in range(answers):
        throttle._adjust_delay(slot, 0.01, Response("http://127.0.0.2/art/1.html", status=status))
    return slot.delay


def test_304_answers_bring_the_delay_down_to_download_delay_as_200s_do():
    assert delay_after(304) == delay_after(200) == settings.DOWNLOAD_DELAY


def test_error_answers_never_bring_it_down():
    assert delay_after(500) == settings.AUTOTHROTTLE_START_DELAY


def test_the_crawl_uses_this_autothrottle_instead_of_scrapys():
    assert settings.EXTENSIONS == {
        "scrapy.extensions.throttle.AutoThrottle": None,
        "govreports.crawler.throttle.AutoThrottle": 0,
    }
