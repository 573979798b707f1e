"""The reports spider: from each source's start URL to its annual reports and their attachments.

List pages (start URL, 年报 columns, pagination, list APIs) are read by the CMS adapter that
recognises them (crawler/cms); report pages and attachments are handed to the pipeline as they
are, never parsed here. A list page where plain HTTP finds nothing is rendered once in the
browser; so is every page of a source that answered with an anti-bot challenge.

Incremental: a report URL the archive already holds is asked for conditionally (If-None-Match /
If-Modified-Since; 304 = unchanged) or, when its server sent no validators, not asked for again.
"""

from collections import Counter
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from govreports.archive.runs import Tally

from .. import guard
from ..cms import BY_NAME, GENERIC, adapter_for
from ..cms.links import Link, anchors, attachment_links
from ..cms.responses import as_text, is_html, is_html_page, redecode, release
from ..cms.titles import (
    in_report_column,
    is_column_title,
    is_entry_title,
    is_report_title,
    page_title,
    scripts_name_reports,
)
from ..items import FetchedDocument
from ..requests import again, to_browser, validators
from ..settings import environment_overrides
from ..sources import allowed_hosts, on_source, region

MAX_COLUMN_DEPTH = 4  # portal home -> 政务公开 -> 政府信息公开 -> 年报 column -> year sub-column
MAX_ENTRY_DEPTH = 2  # how deep 政务公开/信息公开 entry links are still followed
MAX_LIST_PAGES = 500  # per source, when --max-pages is not given
ROW_TITLE = 10  # characters: a news or report title, longer than menu items
FRUITLESS_PAGES = 2  # a pager is not followed past this many pages in a row that bring no new link
MAX_QUERY_VARIANTS = 20  # list pages per path that differ only in their query string, per source
BACKOFF_STRIKES = 5  # failures in a row (retries spent) after which a source waits for the next run
STALE_DAYS = 30  # reports whose server gives no validators are fetched again when older than this
STALE_SLICE = 200  # ... this many per source and run, least recently fetched first
RETRY_META = ("depth", "report_column", "page", "page_url", "title", "cms")  # kept on the retry list


class ReportsSpider(scrapy.Spider):
    """The spider of ``govreports crawl``: the sources, the archive and a tally are handed to it.

    ``tally`` (archive.runs.Tally, the crawl run's) counts what the spider, the middlewares and
    the pipeline see; without one the spider counts in a tally of its own."""

    name = "reports-crawl"

    def __init__(self, sources, archive=None, max_pages=None, browser=True, tally=None, **kwargs):
        super().__init__(**kwargs)
        self.sources = {s["name"]: s for s in sources}
        self.hosts = {name: allowed_hosts(s) for name, s in self.sources.items()}
        self.archive = archive
        # Unchanged list pages are read back from the raw store; distributed workers open the
        # archive read-only and fetch their list pages in full.
        self.reads_back = archive is not None and not archive.read_only
        self.max_pages = max_pages or MAX_LIST_PAGES
        self.browser = browser
        self.browser_sources = set()  # sources that answered with a challenge: all via the browser
        self.tally = tally or Tally(self.sources)
        self.tally.max_pages = self.max_pages
        self.found = self.tally.found  # report/attachment URLs asked for, per source
        self.lists = self.tally.lists  # list pages asked for, per source
        self.variants = {name: Counter() for name in self.sources}  # list path -> query variants
        self.strikes = Counter()  # source -> failures in a row
        self.stale = {}  # source -> report URLs without validators due for a fresh fetch

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        settings.setdict(environment_overrides(), priority="spider")

    async def start(self):
        for request in self.retry_requests():
            yield request
        for source in self.sources.values():
            request = self.list_request(
                source["name"], source["url"], depth=0, report_column=source.get("list") is True, start=True
            )
            if request is not None:
                yield request

    # -- requests ---------------------------------------------------------------------------

    def retry_requests(self):
        """What failed for a passing reason last time (the archive's retry list), asked first."""
        if not self.reads_back:
            return
        for row in self.archive.pending(self.sources):
            source, meta = row["source"], row["meta"]
            if row["kind"] == "list":
                request = self.list_request(
                    source,
                    row["url"],
                    meta.get("depth", 0),
                    meta.get("report_column", False),
                    page=meta.get("page"),
                    cms=meta.get("cms"),
                )
            else:
                link = Link(row["url"], meta.get("title", ""))
                request = self.document_request(source, link, row["kind"], meta.get("page_url"), again=True)
            if request is not None:
                yield request

    def list_request(
        self, source, url, depth, report_column=False, link=None, start=False, page=False, cms=None
    ):
        method, body = (link.method, link.body) if link else ("GET", None)
        key = (url, body)
        if key in self.lists[source] or len(self.lists[source]) >= self.max_pages:
            return None
        parts = urlsplit(url)
        if parts.query or body:  # a calendar or a query string that never repeats: bounded per path
            self.variants[source][parts.path] += 1
            if self.variants[source][parts.path] > MAX_QUERY_VARIANTS:
                return None
        self.lists[source].add(key)
        meta = {
            "source": source,
            "kind": "list",
            "depth": depth,
            "report_column": report_column,
            "start": start,
            "page": page,
            "fragment": urlsplit(url).fragment,
            "title": link.title if link else "",
            "cms": cms,  # the adapter that named a further page: it says what a 404 there means
            "fruitless": 0,  # pages in a row before this one that brought no new report
        }
        # A list page the archive holds is asked for conditionally too; a 304 is read from the raw
        # store. Not one the browser drew: its scripts may fetch new rows into an unchanged page.
        reread = self.reads_back and method == "GET" and source not in self.browser_sources
        known = self.known(url) if reread else None
        drawn = known and self.archive.drawn_by_browser(url, known["sha256"])
        headers = validators(known) if known and not drawn else {}
        if headers:
            meta.update(stored=known["sha256"], handle_httpstatus_list=[304])
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return scrapy.Request(
            url,
            method=method,
            body=body,
            headers=headers,
            meta=meta,
            callback=self.parse_list,
            errback=self.failed,
        )

    def document_request(self, source, link, kind, page_url=None, again=False):
        """A report page or attachment; conditional when the archive already holds it. ``again``:
        from the retry list, asked for whatever the archive holds."""
        if link.url in self.found[source] or not on_source(link.url, self.hosts[source]):
            return None
        self.found[source].add(link.url)
        if kind == "report":
            self.count(source, "reports_found")
        known = None if again else self.known(link.url)
        headers = validators(known)
        if known and (not headers or source in self.browser_sources) and link.url not in self.due(source):
            # No validator to ask with (or only the browser gets through): the URL is known, kept
            # until its turn to be fetched again comes (due).
            self.count(source, "unchanged")
            return None
        meta = {"source": source, "kind": kind, "title": link.title, "handle_httpstatus_list": [304]}
        if page_url:
            meta["page_url"] = page_url  # an attachment's record keeps the page that linked it
        return scrapy.Request(
            link.url,
            headers=headers,
            meta=meta,
            priority=10,
            callback=self.parse_document,
            errback=self.failed,
        )

    def due(self, source) -> set:
        """Known report URLs of source without validators whose turn to be fetched again came."""
        if source not in self.stale:
            ok = self.reads_back
            self.stale[source] = self.archive.stale(source, STALE_DAYS, STALE_SLICE) if ok else set()
        return self.stale[source]

    def backed_off(self, source) -> bool:
        return self.strikes[source] >= BACKOFF_STRIKES

    def known(self, url):
        """What the archive holds of url (etag, last_modified, sha256), if it holds a body."""
        known = self.archive.known(url) if self.archive is not None else None
        return known if known and known.get("sha256") else None

    # -- callbacks --------------------------------------------------------------------------

    def parse_list(self, response):
        fetched = response  # what came over the wire: a 304 has no body
        if response.status == 304:  # unchanged: read the list as the archive holds it
            stored = self.archive.store.get(response.meta["stored"])
            response = Response(response.url, body=stored, request=response.request)
        page = redecode(as_text(response))
        try:
            yield from self.read_list(fetched, page)
        finally:
            release(fetched, response, page)

    def read_list(self, fetched, response):
        source, meta = response.meta["source"], response.meta
        self.strikes[source] = 0
        via = self.via(fetched)
        self.count(source, "pages")
        title = page_title(response)
        is_report = meta["start"] and is_report_title(title)
        yield self.document(fetched, "report" if is_report else "list", via, title=title)
        try:
            adapter = adapter_for(response, hint=self.sources[source].get("cms"))
            reports = [
                link for link in adapter.report_links(response) if on_source(link.url, self.hosts[source])
            ]
            pages = [link for link in adapter.next_pages(response) if on_source(link.url, self.hosts[source])]
            columns = self.column_links(response)
        except Exception as e:  # broken markup or JSON on one page: the rest of the crawl goes on
            self.fail(source, response.url, f"cannot read list page: {type(e).__name__}: {e}")
            return
        self.logger.info(
            "%s: %s page %s: %d reports, %d pages",
            source,
            adapter.name,
            response.url,
            len(reports),
            len(pages),
        )
        report_column = meta["report_column"] or in_report_column(response)
        if not reports and self.needs_browser(response, adapter, via, pages, columns, report_column):
            yield to_browser(again(response.request))
            return
        # A pager that keeps repeating the same rows (or none) is a trap: stop after a few pages.
        new_rows = [link for link in reports if link.url not in self.found[source]]
        fruitless = 0 if new_rows or not meta["page"] else meta.get("fruitless", 0) + 1
        if fruitless >= FRUITLESS_PAGES:
            self.count(source, "trap_pages")
            pages = []
        if is_report:
            yield from self.attachments(response, source)
        for link in reports:
            request = self.document_request(source, link, "report")
            if request is not None:
                yield request
        for link in pages:
            request = self.list_request(
                source,
                link.url,
                meta["depth"],
                report_column or is_column_title(link.title),
                link,
                page=True,
                cms=adapter.name,
            )
            if request is not None:
                request.meta["fruitless"] = fruitless
                yield request
        for link in columns:
            inside = is_column_title(link.title, inside_column=report_column)
            request = self.list_request(source, link.url, meta["depth"] + 1, inside, link)
            if request is not None:
                yield request

    def column_links(self, response):
        """年报 columns, year sub-columns and, near the start page, the 信息公开/政务公开 entries."""
        meta = response.meta
        if meta["depth"] >= MAX_COLUMN_DEPTH or not is_html(response):
            return []
        inside = meta["report_column"] or in_report_column(response)
        hosts = self.hosts[meta["source"]]
        return [
            link
            for link in anchors(response)
            if on_source(link.url, hosts)
            and link.url.split("#")[0] != response.url.split("#")[0]
            and (
                is_column_title(link.title, inside_column=inside)
                or (meta["depth"] < MAX_ENTRY_DEPTH and is_entry_title(link.title))
            )
        ]

    def needs_browser(self, response, adapter, via, pages, columns, report_column):
        """Plain HTTP found no report where there should be some: a page whose scripts hold
        report titles; or a 年报 list page, or a page that offers nothing at all to follow, whose
        HTML has no rows of its own (fewer than three links with an article-like title on the
        source's hosts: the rows are drawn by scripts)."""
        if via == "browser" or not self.browser or not is_html_page(response):
            return False
        if adapter.reads_script_data and pages:
            return False  # the adapter reads the data the page's scripts would draw
        if scripts_name_reports(response):
            return True
        hosts = self.hosts[response.meta["source"]]
        rows = [a for a in anchors(response) if len(a.title) >= ROW_TITLE and on_source(a.url, hosts)]
        folder = response.url.split("?")[0].rsplit("/", 1)[0] + "/"
        below = [c for c in columns if c.url.startswith(folder)]  # year sub-columns: a tree, not a list
        return len(rows) < 3 and not below and (report_column or not (pages or columns))

    def parse_document(self, response):
        try:
            yield from self.read_document(response)
        finally:
            release(response)

    def read_document(self, response):
        source, kind = response.meta["source"], response.meta["kind"]
        self.strikes[source] = 0
        item = self.document(response, kind, self.via(response), title=response.meta.get("title", ""))
        if guard.soft_404(response):  # "页面不存在" with HTTP 200: gone, not a report
            item.status, item.error = 404, "soft 404: the page says it does not exist"
            yield item
            return
        yield item
        if kind == "report" and response.status != 304:  # a 304's attachments are archived already
            page = redecode(as_text(response))
            try:
                yield from self.attachments(page, source)
                yield from self.reports_linked(page, source)
            finally:
                release(page)

    def reports_linked(self, response, source):
        """Reports a report page links to: 上一篇/下一篇, or a page titled like a report that is
        really the year's list of every department's report."""
        if not is_html_page(response):
            return
        for link in GENERIC.report_links(response):
            request = self.document_request(source, link, "report")
            if request is not None:
                yield request

    def attachments(self, response, source):
        try:
            links = attachment_links(response)
        except Exception as e:
            self.fail(source, response.url, f"cannot read report page links: {type(e).__name__}: {e}")
            return
        for link in links:
            request = self.document_request(source, link, "attachment", page_url=response.url)
            if request is not None:
                yield request

    def failed(self, failure):
        request = failure.request
        meta = request.meta
        source, kind = meta.get("source"), meta.get("kind", "list")
        response = getattr(failure.value, "response", None)
        status = response.status if failure.check(HttpError) and response is not None else None
        if kind == "list" and status == 404 and meta.get("page"):
            # The adapter that named the page says what to ask instead; by default nothing: the end.
            for link in BY_NAME.get(meta.get("cms"), GENERIC).not_found(request):
                retry = self.list_request(
                    source,
                    link.url,
                    meta["depth"],
                    meta["report_column"],
                    link,
                    page=True,
                    cms=meta.get("cms"),
                )
                if retry is not None:
                    yield retry
            return
        ignored = status is None and failure.check(IgnoreRequest)
        if ignored and str(failure.value).startswith("refused:"):
            return  # off the source's hosts, or another scheme: dropped on purpose (and logged)
        if meta.get("blocked"):
            message = f"anti-bot challenge (HTTP {status}); not crawled without the browser"
        elif status is not None and 300 <= status < 400:
            location = _header(response.headers, "Location") or "nowhere"
            message = f"refused: a redirect to {location}, off the source"
        elif status is not None:
            message = f"HTTP {status}"
        elif "larger than download max size" in failure.getErrorMessage():
            message = f"too large: {failure.getErrorMessage()}"
        elif ignored and "robots.txt" not in str(failure.value):
            message = str(failure.value)  # backed off
        else:
            message = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
        again = guard.transient(status, message)
        if again and not message.startswith("backed off"):
            self.strikes[source] += 1
        self.fail(source, request.url, message)
        # Lists too: a list page that failed for a passing reason goes on the retry list.
        yield FetchedDocument(
            source=source,
            url=request.url,
            kind=kind,
            status=status,
            via="browser" if meta.get("playwright") else "http",
            error=message,
            context=region(self.sources[source]),
            retry=pick(meta, *RETRY_META) if again else None,
        )

    # -- bookkeeping ------------------------------------------------------------------------

    def document(self, response, kind, via, title=""):
        source = response.meta["source"]
        headers = response.headers
        return FetchedDocument(
            source=source,
            url=response.request.url,
            kind=kind,
            final_url=response.url,
            status=response.status,
            content_type=_header(headers, "Content-Type"),
            body=None if response.status == 304 else response.body,
            etag=_header(headers, "ETag"),
            last_modified=_header(headers, "Last-Modified"),
            via=via,
            title=title,
            context={**region(self.sources[source]), **pick(response.meta, "page_url")},
            warc=response.meta.get("warc"),
        )

    def via(self, response):
        is_browser = "playwright" in response.flags or response.meta.get("playwright")
        if is_browser:
            self.count(response.meta["source"], "browser")
        return "browser" if is_browser else "http"

    def count(self, source, key, n=1):
        self.tally.count(source, key, n)

    def fail(self, source, url, message):
        self.tally.fail(source, url, message)


def _header(headers, name):
    value = headers.get(name)
    return value.decode("latin-1") if value else None


def pick(meta, *keys) -> dict:
    return {k: meta[k] for k in keys if meta.get(k)}
