"""Helpers on Scrapy requests that the spider and the middlewares share: conditional-request
headers, sending a request once more, and sending it to the browser."""

from scrapy_playwright.page import PageMethod

# What the spider puts in meta; a request sent again carries these and nothing Scrapy added.
OWN_META = {
    "source",
    "kind",
    "depth",
    "report_column",
    "start",
    "page",
    "fragment",
    "title",
    "cms",
    "fruitless",
    "handle_httpstatus_list",
}


def validators(known) -> dict:
    """Conditional-request headers from what the archive holds of a URL (none when it holds nothing)."""
    pairs = (("If-None-Match", "etag"), ("If-Modified-Since", "last_modified"))
    return {header: known[key] for header, key in pairs if known and known.get(key)}


def again(request):
    """The same request once more (past the duplicate filter), with only the spider's own meta
    and without the conditional headers (it goes to the browser, which wants the page)."""
    meta = {k: v for k, v in request.meta.items() if k in OWN_META}
    headers = request.headers.copy()
    for name in ("If-None-Match", "If-Modified-Since"):
        headers.pop(name, None)
    meta.pop("handle_httpstatus_list", None)
    return request.replace(meta=meta, headers=headers, dont_filter=True)


def to_browser(request):
    """Flag a request for scrapy-playwright; the page settles before its HTML is read."""
    request.meta["playwright"] = True
    request.meta["playwright_page_methods"] = [PageMethod("wait_for_load_state", "networkidle")]
    return request
