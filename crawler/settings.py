"""Scrapy settings of a govreports crawl: polite by default.

robots.txt is obeyed, AutoThrottle adapts the delay to each host's latency, at most two requests
go to one host at a time, 5xx answers, timeouts and resets are retried with a growing pause, and
the User-Agent names the project and where to read about it. The browser (scrapy-playwright on
Debian's Chromium) is only used for requests flagged ``meta["playwright"] = True``.
"""

import json
import os

from scrapy.settings import Settings, default_settings
from scrapy.settings.default_settings import RETRY_EXCEPTIONS

PROJECT_URL = "https://github.com/govreports/govreports#readme"
USER_AGENT = f"govreports/0.1 (+{PROJECT_URL}; archive of government information-disclosure annual reports)"  # ASCII: it is an HTTP header

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

BOT_NAME = "govreports"
ROBOTSTXT_OBEY = True
# Politeness is per host (two requests at once, DOWNLOAD_DELAY apart); the process-wide cap only
# bounds this process's sockets, and must stay above the hosts crawled at once, or hosts wait idle
# behind it (16 held 50 hosts to a third of their limit).
CONCURRENT_REQUESTS = 256
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Items of one response handled at once. A page yields a few; the one writer files them in turn.
# (Scrapy 2.19 starts this many asyncio tasks per response: its default, 100, was a quarter of
# the crawl's CPU.)
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 0.25
# The delay between two requests to a host is DOWNLOAD_DELAY, never less. Scrapy's ±50% jitter is
# drawn anew each time the downloader looks at a waiting host, so a busy host waited 1.22 times
# the delay on average (and sometimes only half of it).
if hasattr(default_settings, "DOWNLOAD_DELAY_JITTER"):  # Scrapy >= 2.19
    DOWNLOAD_DELAY_JITTER = 0.0
else:
    RANDOMIZE_DOWNLOAD_DELAY = False
AUTOTHROTTLE_ENABLED = True
# A host's first requests go DOWNLOAD_DELAY apart, two at most before its first answer; that
# answer's latency sets the delay from then on (AutoThrottle raises it at once for a slow host).
AUTOTHROTTLE_START_DELAY = DOWNLOAD_DELAY
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# AutoThrottle, with 304 Not Modified lowering the delay as a 200 does (crawler/throttle.py)
EXTENSIONS = {"scrapy.extensions.throttle.AutoThrottle": None, "govreports.crawler.throttle.AutoThrottle": 0}
DOWNLOAD_TIMEOUT = 20  # a stalled server costs this per try, not the run (retries: backoff)
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
RETRY_ENABLED = True
RETRY_TIMES = 3
# Playwright's Page.goto timeout too: a stall behind an anti-bot challenge is tried again
RETRY_EXCEPTIONS = [*RETRY_EXCEPTIONS, "playwright._impl._errors.TimeoutError"]
RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry; doubles each time (middlewares.Backoff)
RETRY_BACKOFF_MAX = 30.0
COOKIES_ENABLED = True
HTTPCACHE_ENABLED = False  # incremental crawling is done with conditional requests instead
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = os.environ.get("GOVREPORTS_LOG_LEVEL", "WARNING")
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
DOWNLOADER_MIDDLEWARES = {
    "govreports.crawler.middlewares.StayOnSource": 50,
    "govreports.crawler.middlewares.Backoff": 560,
    "govreports.crawler.middlewares.Challenge": 570,
    # Next to the downloader: every exchange as it came off the wire (on with GOVREPORTS_WARC_DIR).
    "govreports.crawler.warc.WarcMiddleware": 950,
    # A killed crawl's fetched but unfiled responses come back from its WARC files.
    "govreports.crawler.warc.Replay": 940,
}
ITEM_PIPELINES = {"govreports.crawler.pipelines.WriterThreadPipeline": 300}
GOVREPORTS_PARSE_JOBS = None  # processes that parse (archive.pool): None one per core, 0 parse in the writer
# scrapy-playwright: only requests with meta["playwright"] = True go to the browser.
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
PLAYWRIGHT_ABORT_REQUEST = "govreports.crawler.settings.skip_media"
# The browser fallback is on; ``govreports crawl --no-browser`` turns it off (crawl_settings).
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}

# The `scrapy` and `scrapyd` tools (scrapy.cfg) see the one spider that takes string arguments,
# ``reports`` (crawler/spiders/scheduled.py); the other spiders are started by `govreports crawl`.
SPIDER_MODULES = ["govreports.crawler.spiders.scheduled"]
NEWSPIDER_MODULE = "govreports.crawler.spiders"


def skip_media(request) -> bool:
    """The browser renders a list's rows; pictures, video and fonts are not worth the wait."""
    return request.resource_type in ("image", "media", "font")


def crawl_settings(jobdir=None, browser=True, overrides=None) -> Settings:
    """The settings of one crawl: this module's, without the browser's download handlers when
    ``browser`` is false, with Scrapy's JOBDIR when given, and ``overrides`` on top."""
    settings = Settings()
    settings.setmodule(__name__, priority="project")
    if not browser:
        settings.set("DOWNLOAD_HANDLERS", {}, priority="project")
    if jobdir:
        settings.set("JOBDIR", str(jobdir), priority="cmdline")
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def environment_overrides() -> dict:
    """GOVREPORTS_CRAWL_SETTINGS (JSON) overrides any setting of any crawl, the `scrapy` tool's
    included (the spiders apply it: ReportsSpider.update_settings), e.g.
    ``GOVREPORTS_CRAWL_SETTINGS='{"DOWNLOAD_DELAY": 0}'`` for portals served on 127.0.0.1.
    Settings given to ``crawl_settings`` win over it."""
    return json.loads(os.environ.get("GOVREPORTS_CRAWL_SETTINGS") or "{}")
