"""What a crawl refuses, and what it tries again: the rules for a web that fails, stalls, lies
and redirects.

* ``refusal(url, hosts)``: why a URL must not be fetched for a source with these hosts, or None.
  Only http(s); only the source's hosts (a redirect is a new request and meets the same rule), so
  a private or loopback address only when the source names it, port included.
* ``transient(status, error)``: a failure worth trying again later (5xx, 408/429, a timeout, a
  reset, a refused connection), as opposed to one that will answer the same (404, a size cap).
* ``soft_404(response)``: an HTTP 200 page that says 页面不存在/404: not a report, and a report
  URL that answers it is gone.
* ``route_on_source``: the browser's requests obey ``refusal`` too (a Playwright route per page,
  in front of scrapy-playwright's own).
"""

import logging
from urllib.parse import urlsplit

from govreports.parser.labels import MISSING_PAGE_TEXT, MISSING_PAGE_TITLE, simplified

from .sources import host_key, on_source

logger = logging.getLogger(__name__)
SCHEMES = ("http", "https")
RETRY_STATUSES = {408, 429}
# download errors that may pass (Scrapy's and Twisted's names, Playwright's TimeoutError), and a
# source backed off for this run
TRANSIENT_ERRORS = (
    "TimeoutError",
    "TCPTimedOutError",
    "ConnectionRefusedError",
    "ConnectionDone",
    "ConnectionLost",
    "ConnectError",
    "ResponseNeverReceived",
    "ResponseFailed",
    "DNSLookupError",
    "backed off",
)
SOFT_404_MAX_BYTES = 20_000  # a real report page is longer; an error page is short


def refusal(url: str, hosts) -> str | None:
    """Why ``url`` is not fetched for a source whose hosts are ``hosts``, or None when it may be."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        return f"not an http(s) URL ({parts.scheme or 'no scheme'}:)"
    if hosts is None:
        return None
    if not on_source(url, hosts):  # private and loopback addresses included: only those named
        return f"{host_key(url)} is not one of the source's hosts"
    return None


def transient(status: int | None, error: str | None) -> bool:
    """True for a failure that may well pass on a later try."""
    if status is not None:
        return status >= 500 or status in RETRY_STATUSES
    return bool(error) and error.startswith(TRANSIENT_ERRORS)


def soft_404(response) -> bool:
    """An HTTP 200 HTML page that is really a 'page not found' page."""
    if response.status != 200 or len(response.body) > SOFT_404_MAX_BYTES:
        return False
    if b"html" not in (response.headers.get("Content-Type") or b"text/html").lower():
        return False
    try:
        title = simplified(" ".join(response.css("title::text").getall()))
        if not MISSING_PAGE_TITLE.search(title):
            return False  # the page's text is read only then: every text node of a report page is slow
        text = simplified(" ".join(response.css("body *::text").getall()))
    except (AttributeError, ValueError):
        return False
    return bool(MISSING_PAGE_TEXT.search(text) or "404" in text)


async def route_on_source(page, request):
    """scrapy-playwright ``playwright_page_init_callback``: every request the page makes obeys
    the source's hosts (``request.meta["hosts"]``); the others go on to scrapy-playwright's route."""
    hosts = set(request.meta.get("hosts") or ()) or None

    async def route(pw_route):
        why = refusal(pw_route.request.url, hosts)
        if why:
            logger.warning("browser: refused %s: %s", pw_route.request.url, why)
            await pw_route.abort()
        else:
            await pw_route.fallback()

    await page.route("**/*", route)
