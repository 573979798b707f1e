"""Hanweb JPaaS (大汉 新一代, ``/col/col<id>/art/<YYYY>/art_<32 hex>.html``): column pages filled from a
JSON list API. No captured JSON answer exists, so the JSON is read by shape: every object with a
title and a URL is a row; the page count comes from totalPage/pageCount or total and page size,
and further pages change the request's page parameter. The API address is taken from the
column page's scripts or data attributes when it is written there (the base's script_apis).
Any JSON list answer with such rows is read this way."""

import math
import re

from .base import Adapter
from .links import MAX_GENERATED_PAGES, Link, as_int, json_links, json_records, numbered, query_value
from .responses import is_json, json_data
from .titles import in_report_column, is_report_title

ARTICLE = re.compile(r"/art/\d{4}/art_[0-9a-f]{32}\.html")
MARKERS = re.compile(r"jpaas|" + ARTICLE.pattern, re.I)
PAGE_PARAMS = ("page", "pageNo", "pageIndex", "currentPage", "curPage", "pn")
TOTAL_PAGE_KEYS = ("totalPage", "totalpage", "pageCount", "pages", "total_page", "totalPages")
TOTAL_KEYS = ("total", "totalCount", "totalRecord", "totalrecord", "count", "recordCount")
SIZE_KEYS = ("pageSize", "page_size", "perPage", "size", "rows", "limit")


class HanwebJPaaS(Adapter):
    name = "hanweb_jpaas"
    order = 40
    markers = MARKERS
    reads_script_data = True  # the JSON list API

    def recognise(self, page) -> bool:
        if is_json(page):
            return bool(list(json_records(json_data(page))))
        return super().recognise(page)

    def report_links(self, page) -> list[Link]:
        if not is_json(page):
            return super().report_links(page)
        lenient = in_report_column(page)
        return [link for link in json_links(page, json_data(page)) if is_report_title(link.title, lenient)]

    def next_pages(self, page) -> list[Link]:
        if not is_json(page):
            return super().next_pages(page)
        data = json_data(page)
        param = next((p for p in PAGE_PARAMS if query_value(page.url, p) is not None), None)
        if param is None:
            return []
        current = as_int(query_value(page.url, param))
        total_pages = find_number(data, TOTAL_PAGE_KEYS)
        if not total_pages:
            total = find_number(data, TOTAL_KEYS)
            size = find_number(data, SIZE_KEYS) or as_int(query_value(page.url, *SIZE_KEYS))
            if not size:
                size = len(list(json_records(data)))
            total_pages = math.ceil(total / size) if total and size else 0
        last = min(total_pages, current + MAX_GENERATED_PAGES)
        return numbered(page.url, param, range(current + 1, last + 1))


def find_number(data, keys) -> int:
    """The first whole number under one of keys, in the object or the objects inside it."""
    if isinstance(data, dict):
        for key in keys:
            value = data.get(key)
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                return int(value)
        for value in data.values():
            if isinstance(value, dict):
                found = find_number(value, keys)
                if found:
                    return found
    return 0
