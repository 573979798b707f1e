"""Hanweb JPaaS (大汉 新一代, ``/col/col<id>/art/<YYYY>/art_<32 hex>.html``): column pages filled from a
JSON list API. No captured JSON answer exists, so the JSON is read by shape: every object with a
title and a URL is a row; the page count comes from totalPage/pageCount or total and page size,
and further pages change the request's page parameter. The API address is taken from the
column page's scripts or data attributes when it is written there."""

import re

from . import generic

ARTICLE = re.compile(r"/art/\d{4}/art_[0-9a-f]{32}\.html")
MARKERS = re.compile(r"jpaas|" + ARTICLE.pattern, re.I)


def recognise(page) -> bool:
    if generic.is_json(page):
        return bool(list(generic.json_records(generic.json_data(page))))
    return bool(MARKERS.search(page.text))


def report_links(page) -> list:
    if generic.is_json(page):
        return generic.json_report_links(page)
    return generic.report_links(page)


def next_pages(page) -> list:
    if generic.is_json(page):
        return generic.json_next_pages(page)
    return generic.next_pages(page)
