"""Module-level Scrapy settings for the ``scrapy`` and ``scrapyd`` tools (scrapy.cfg points here).

The same settings as ``govreports crawl`` (crawler/settings.py); the one spider these tools see is
``reports`` from crawler/scheduled.py. The browser fallback is on, as in ``govreports crawl``.
"""

from .settings import crawl_settings

globals().update(crawl_settings(browser=True))

SPIDER_MODULES = ["govreports.crawler.scheduled"]
NEWSPIDER_MODULE = "govreports.crawler.scheduled"
