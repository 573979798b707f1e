"""AutoThrottle that takes 304 Not Modified for the answer it is.

Scrapy's AutoThrottle lowers a host's delay only on 200 responses: error pages are small and
fast, and must not speed a crawl up against a failing server. But a 304 is what a recrawl asks
for (a conditional request for a known report), small because nothing changed. Without this, a
recrawl of unchanged portals never comes down from a delay a slow answer raised (it once never
came down from a start delay of 1 s, four times DOWNLOAD_DELAY, and took 3.4 times as long as the
first crawl).
"""

from scrapy.extensions.throttle import AutoThrottle as ScrapyAutoThrottle


class AutoThrottle(ScrapyAutoThrottle):
    def _adjust_delay(self, slot, latency, response):
        if response.status == 304:  # Scrapy's policy, with a 304 counted as a 200
            response = response.replace(status=200)
        super()._adjust_delay(slot, latency, response)
