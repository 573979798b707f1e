"""TRS WCM (拓尔思): column folders with index.html, index_1.html …; the page count lives only in
an inline pager script (``var countPage = 2`` or ``createPageHTML(9, 0, "index", "html")``), so the
further pages are generated from it. Articles are ``…/<YYYYMM>/t<YYYYMMDD>_<id>.html``."""

import re
from urllib.parse import urlsplit

from .base import Adapter
from .links import MAX_GENERATED_PAGES, Link, as_int
from .responses import is_html

ARTICLE = re.compile(r"/t\d{8}_\d+(?:_wap)?\.s?html?\b")
MARKERS = re.compile(
    r"createPageHTML\(|var\s+countPage\s*=|class=\"?TRS_Editor|/wcm-like/|name=\"SiteIDCode\"|"
    + ARTICLE.pattern
)
# The pager is inline JavaScript; its links are not in the HTML a crawler receives.
CREATE_PAGE = re.compile(r"createPageHTML\(\s*([^)]*)\)")
COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*(\d+)")
PAGE_NAME = re.compile(r'document\.write\("<a href=\\"(\w+)"\+"_"')


class TRS(Adapter):
    name = "trs"
    order = 60
    markers = MARKERS

    def next_pages(self, page) -> list[Link]:
        return super().next_pages(page) + (script_pages(page) if is_html(page) else [])


def script_pages(page) -> list[Link]:
    """Pages named only by the inline pager script.

    createPageHTML(total, current, prefix, suffix)                -> prefix_1.suffix … prefix_{total-1}
    createPageHTML('div', total, current, prefix, suffix, records) -> prefix_2.suffix … prefix_total
    var countPage = N … "index"+"_"+nextPage+"."+"html"            -> index_1.html … index_{N-1}.html
    """
    text = page.text
    names = []
    for match in CREATE_PAGE.finditer(text):
        args = [a.strip().strip("'\"") for a in match.group(1).split(",")]
        if len(args) >= 6 and not args[0].isdigit():
            total, prefix, suffix = as_int(args[1]), args[3], args[4]
            names += [f"{prefix}_{k}.{suffix}" for k in range(2, min(total, MAX_GENERATED_PAGES) + 1)]
        elif len(args) >= 4 and args[0].isdigit():
            total, prefix, suffix = as_int(args[0]), args[2], args[3]
            names += [f"{prefix}_{k}.{suffix}" for k in range(1, min(total, MAX_GENERATED_PAGES))]
    count = COUNT_PAGE.search(text)
    if count:
        prefix = PAGE_NAME.search(text)
        prefix = prefix.group(1) if prefix else "index"
        suffix = _suffix(text, page.url)
        names += [f"{prefix}_{k}.{suffix}" for k in range(1, min(int(count.group(1)), MAX_GENERATED_PAGES))]
    return [Link(page.urljoin(name), "page") for name in dict.fromkeys(names)]


def _suffix(text, url) -> str:
    match = re.search(r'"\."\+"(\w+)\\?"', text) or re.search(r'\+\s*"\.(s?html?)', text)
    if match:
        return match.group(1)
    ext = urlsplit(url).path.rsplit(".", 1)
    return ext[1] if len(ext) == 2 and "/" not in ext[1] else "html"
