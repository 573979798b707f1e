"""TRS WCM (拓尔思): column folders with index.html, index_1.html …; the page count lives only in
an inline pager script (``var countPage = 2`` or ``createPageHTML(9, 0, "index", "html")``), so the
further pages are generated from it. Articles are ``…/<YYYYMM>/t<YYYYMMDD>_<id>.html``."""

import re

from . import generic

ARTICLE = re.compile(r"/t\d{8}_\d+(?:_wap)?\.s?html?\b")
MARKERS = re.compile(
    r"createPageHTML\(|var\s+countPage\s*=|class=\"?TRS_Editor|/wcm-like/|name=\"SiteIDCode\""
)


def recognise(page) -> bool:
    if not generic.is_html(page):
        return False
    return bool(MARKERS.search(page.text) or ARTICLE.search(page.text))


def report_links(page) -> list:
    return generic.report_links(page)


def next_pages(page) -> list:
    return generic.next_pages(page)
