"""A crawl runs at the politeness limit and never above it: a host's requests go DOWNLOAD_DELAY
apart from the first one on (no random jitter, no start delay above it); AutoThrottle raises the
delay for a slow host and comes down again on the 304 Not Modified answers a recrawl gets, as on
200s; error answers never speed it up."""

from scrapy import Spider
from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import Settings, default_settings

from govreports.crawler import settings
from govreports.crawler.throttle import AutoThrottle

SLOW = 1.0  # seconds: the delay after a host answered that slowly
# Scrapy 2.19 replaced the slot's randomize_delay flag by a jitter fraction
NO_JITTER = (
    {"jitter": 0} if hasattr(default_settings, "DOWNLOAD_DELAY_JITTER") else {"randomize_delay": False}
)


def delay_after(status: int, answers: int = 10) -> float:
    """A host's delay after a slow answer, then ``answers`` fast ones with ``status``."""
    # Crawler, not scrapy.utils.test.get_crawler: before Scrapy 2.15 that one needs an installed
    # reactor; this crawler is never started.
    crawler = Crawler(Spider, Settings({k: getattr(settings, k) for k in dir(settings) if k.isupper()}))
    throttle = AutoThrottle(crawler)
    # what spider_opened sets (its private helpers differ between Scrapy versions)
    throttle.mindelay, throttle.maxdelay = settings.DOWNLOAD_DELAY, settings.AUTOTHROTTLE_MAX_DELAY
    slot = Slot(concurrency=2, delay=settings.AUTOTHROTTLE_START_DELAY, **NO_JITTER)
    url = "http://127.0.0.2/art/1.html"
    throttle._adjust_delay(slot, SLOW, Response(url, status=200))
    assert slot.delay == SLOW  # a slow host is asked less often at once
    for _ in range(answers):
        throttle._adjust_delay(slot, 0.01, Response(url, status=status))
    return slot.delay


def test_304_answers_bring_the_delay_down_to_download_delay_as_200s_do():
    assert delay_after(304) == delay_after(200) == settings.DOWNLOAD_DELAY


def test_error_answers_never_bring_it_down():
    assert delay_after(500) == SLOW


def test_a_hosts_requests_go_download_delay_apart_from_the_first_without_jitter():
    assert settings.AUTOTHROTTLE_START_DELAY == settings.DOWNLOAD_DELAY
    crawl = settings.crawl_settings(browser=False)
    if hasattr(default_settings, "DOWNLOAD_DELAY_JITTER"):  # what the downloader reads (2.19+)
        assert crawl.getfloat("DOWNLOAD_DELAY_JITTER") == 0
    else:
        assert crawl.getbool("RANDOMIZE_DOWNLOAD_DELAY") is False


def test_the_crawl_uses_this_autothrottle_instead_of_scrapys():
    assert settings.EXTENSIONS == {
        "scrapy.extensions.throttle.AutoThrottle": None,
        "govreports.crawler.throttle.AutoThrottle": 0,
    }
