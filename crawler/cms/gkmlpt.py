"""Guangdong 政府信息公开目录平台 (gkmlpt): ``/<dept>/gkmlpt/index#<category>`` is a JavaScript app
with no rows in its HTML. Its site id is ``SID: '<digits>'`` in ``window._CONFIG`` and its
categories are ``window._CONFIG.TREE``; rows come from
``/<dept>/gkmlpt/api/all/<category>?page=<n>&sid=<SID>`` as JSON ``{total, articles:[{title, url}]}``.
Some sites answer everything on page 1 and 404 after it: the base's not_found ends the list there."""

import math
import re
from urllib.parse import urlsplit

from .base import Adapter
from .links import MAX_GENERATED_PAGES, Link, json_links, numbered, query_value
from .responses import is_html, is_json, json_data
from .titles import COLUMN, is_report_title

SID = re.compile(r"SID\s*:\s*['\"]?(\d+)")
# A node of window._CONFIG.TREE, JSON or JavaScript object syntax.
NODE = re.compile(r"""["']?id["']?\s*:\s*["']?(\d+)["']?[^{}]*?["']?name["']?\s*:\s*["']([^"']+)""")
PAGE_SIZE = 10


class Gkmlpt(Adapter):
    name = "gkmlpt"
    order = 10
    reads_script_data = True  # the api/all JSON

    def recognise(self, page) -> bool:
        if "/gkmlpt/" in page.url:
            return True
        return is_html(page) and bool(SID.search(page.text) and "_CONFIG" in page.text)

    def report_links(self, page) -> list[Link]:
        if not is_json(page):
            return super().report_links(page)
        links = json_links(page, json_data(page).get("articles") or [])
        lenient = bool(page.meta.get("report_column"))
        return [link for link in links if is_report_title(link.title, lenient=lenient)]

    def next_pages(self, page) -> list[Link]:
        if is_json(page):
            data = json_data(page)
            size = len(data.get("articles") or []) or PAGE_SIZE
            if int(query_value(page.url, "page") or 1) != 1:
                return []  # page 1 names them all
            last = min(math.ceil(int(data.get("total") or 0) / size), MAX_GENERATED_PAGES)
            return numbered(page.url, "page", range(2, last + 1))
        sid = SID.search(page.text)
        if not sid or "/gkmlpt/" not in urlsplit(page.url).path + "/":
            return super().next_pages(page)
        root = page.url.split("/gkmlpt/")[0] + "/gkmlpt/api/all/"
        return [Link(f"{root}{cat}?page=1&sid={sid.group(1)}", title) for cat, title in categories(page)]


def categories(page) -> list:
    """The 年报 categories of the tree (or the one in the URL fragment); all rows (0) otherwise."""
    fragment = page.meta.get("fragment") or urlsplit(page.url).fragment
    if fragment.isdigit():  # the source points at one category: its 年报 column
        return [(fragment, "年报")]
    tree = page.text[page.text.find("TREE") :] if "TREE" in page.text else ""
    named = [(cat, name) for cat, name in NODE.findall(tree) if COLUMN.search(name)]
    return named or [("0", "all")]
