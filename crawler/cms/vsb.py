"""VSB 博达 (Visual SiteBuilder): column ``…/<col>.htm``; further pages ``…/<col>/<n>.htm`` are
numbered downwards (page 2 of 31 is ``<col>/30.htm``, the last ``<col>/1.htm``). The page count is
in ``_simple_list_gotopage_fun(<total>, …)``; the pager is ``span.p_pages``. Articles are
``…/info/<tree>/<news>.htm``."""

import re
from urllib.parse import urlsplit

from .base import Adapter
from .links import MAX_GENERATED_PAGES, Link, pager_links

MARKERS = re.compile(
    r"/system/resource/js/|_simple_list_gotopage_fun|_showDynClickBatch|vsb_content|class=\"p_pages"
)
TOTAL = re.compile(r"_simple_list_gotopage_fun\((\d+)")
FIRST_PAGE = re.compile(r"/([^/]+)\.htm$")
LATER_PAGE = re.compile(r"/([^/]+)/(\d+)\.htm$")


class VSB(Adapter):
    name = "vsb"
    order = 50
    markers = MARKERS

    def next_pages(self, page) -> list[Link]:
        links = [
            Link(page.urljoin(a), "page") for a in page.css(".p_pages a::attr(href)").getall() if ".htm" in a
        ]
        total = TOTAL.search(page.text)
        if total:
            links += numbered_downwards(page, min(int(total.group(1)), MAX_GENERATED_PAGES))
        return links + pager_links(page)


def numbered_downwards(page, total) -> list[Link]:
    """All pages 1 … total-1 of the column, named downwards from the first page's folder."""
    path = urlsplit(page.url).path
    if LATER_PAGE.search(path):
        folder = ""
    elif FIRST_PAGE.search(path):
        folder = FIRST_PAGE.search(path).group(1) + "/"
    else:
        return []
    return [Link(page.urljoin(f"{folder}{n}.htm"), "page") for n in range(1, total)]
