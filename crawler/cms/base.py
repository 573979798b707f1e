"""The base every CMS adapter is built on, which is also the generic discovery used when no
family recognises a page.

An adapter is a small class in the spirit of openstates' spatula page classes: each method takes
a Scrapy response and answers one question, and a CMS family overrides only what its software
does differently (crawler/cms/<family>.py; docs/adding-a-cms.md shows how to add one).
"""

import re

from .links import Link, anchors, pager_links
from .responses import is_html
from .titles import in_report_column, is_report_title

# A list API named in a page's scripts or data attributes: '/api/…', '/interface/…', '….json'.
QUOTED_PATH = re.compile(r"""["'](/[^"'\s<>]+)["']""")
API_PATH = re.compile(r"/api/|/interface/|\.json\b")


class Adapter:
    name = "generic"  # the ``cms`` hint of a source names it
    # Families are tried in this order, lowest first: the most specific markers first, since
    # class names leak across vendors (a Hanweb site wraps bodies in div.TRS_Editor).
    order = 100
    markers = None  # a compiled pattern: a text page that matches it is from the family
    # True when the adapter reads the rows a list page's scripts would draw (an XML datastore, a
    # JSON API): the spider then does not send a page whose rows it found that way to the browser.
    reads_script_data = False

    def recognise(self, page) -> bool:
        """Is this page from my CMS family? (By markers in the page, never by a source's hint.)"""
        if self.markers is None:
            return True
        return is_html(page) and bool(self.markers.search(page.text))

    def report_links(self, page) -> list[Link]:
        """Links to annual reports on this list page."""
        lenient = in_report_column(page)
        return [link for link in anchors(page) if is_report_title(link.title, lenient=lenient)]

    def next_pages(self, page) -> list[Link]:
        """Further list pages: the pager's anchors and the list APIs the page's scripts call."""
        return pager_links(page) + script_apis(page)

    def not_found(self, request) -> list[Link]:
        """A further list page answered 404: what to ask instead. Nothing, by default: a pager
        may overshoot, and some list APIs answer everything on page 1 and 404 after it."""
        return []


def script_apis(page) -> list[Link]:
    """List APIs the page's scripts call (JPaaS and other JavaScript lists), read without a browser."""
    if not is_html(page):
        return []
    paths = [p for p in dict.fromkeys(QUOTED_PATH.findall(page.text)) if API_PATH.search(p)]
    return [Link(page.urljoin(p), "api") for p in paths if not p.endswith((".js", ".css"))]
