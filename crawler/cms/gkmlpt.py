"""Guangdong 政府信息公开目录平台 (gkmlpt): ``/<dept>/gkmlpt/index#<category>`` is a JavaScript app
with no rows in its HTML. Its site id is ``SID: '<digits>'`` in ``window._CONFIG`` and its
categories are ``window._CONFIG.TREE``; rows come from
``/<dept>/gkmlpt/api/all/<category>?page=<n>&sid=<SID>`` as JSON ``{total, articles:[{title, url}]}``.
Some sites answer everything on page 1 and 404 after it; the spider treats that 404 as the end."""

import math
import re
from urllib.parse import urlsplit

from . import Link, generic

SID = re.compile(r"SID\s*:\s*['\"]?(\d+)")
# A node of window._CONFIG.TREE, JSON or JavaScript object syntax.
NODE = re.compile(r"""["']?id["']?\s*:\s*["']?(\d+)["']?[^{}]*?["']?name["']?\s*:\s*["']([^"']+)""")
PAGE_SIZE = 10


def recognise(page) -> bool:
    if "/gkmlpt/" in page.url:
        return True
    return generic.is_html(page) and bool(SID.search(page.text) and "_CONFIG" in page.text)


def report_links(page) -> list:
    if generic.is_json(page):
        data = generic.json_data(page)
        links = [
            Link(page.urljoin(url), generic.clean(title))
            for title, url in generic.json_records(data.get("articles") or [])
        ]
        lenient = bool(page.meta.get("report_column"))
        return [link for link in links if generic.is_report_title(link.title, lenient=lenient)]
    return generic.report_links(page)


def next_pages(page) -> list:
    if generic.is_json(page):
        data = generic.json_data(page)
        size = len(data.get("articles") or []) or PAGE_SIZE
        current = int(generic.query_value(page.url, "page") or 1)
        if current != 1:
            return []
        last = min(math.ceil(int(data.get("total") or 0) / size), generic.MAX_GENERATED_PAGES)
        return [Link(generic.with_query(page.url, page=k), "page") for k in range(2, last + 1)]
    sid = SID.search(page.text)
    if not sid or "/gkmlpt/" not in urlsplit(page.url).path + "/":
        return generic.next_pages(page)
    root = page.url.split("/gkmlpt/")[0] + "/gkmlpt/api/all/"
    return [Link(f"{root}{cat}?page=1&sid={sid.group(1)}", title) for cat, title in categories(page)]


def categories(page) -> list:
    """The 年报 categories of the tree (or the one in the URL fragment); all rows (0) otherwise."""
    fragment = page.meta.get("fragment") or urlsplit(page.url).fragment
    if fragment.isdigit():  # the source points at one category: its 年报 column
        return [(fragment, "年报")]
    tree = page.text[page.text.find("TREE") :] if "TREE" in page.text else ""
    named = [(cat, name) for cat, name in NODE.findall(tree) if generic.COLUMN.search(name)]
    return named or [("0", "all")]
