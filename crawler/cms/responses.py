"""What kind of answer a response is, and the response as text: HTML, JSON(P), XML, mis-declared
encodings and content types; and letting a read page go."""

import json
import re

from scrapy.http import HtmlResponse, TextResponse

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)
HTML_HEAD = re.compile(rb"<!doctype html|<html|<head|<body|<meta|<div|<table|<a\s", re.I)
JSONP = re.compile(rb"^\s*[\w$.]+\(\s*([\[{].*[\]}])\s*\)\s*;?\s*$", re.S)


def is_html(page) -> bool:
    """A page to read with CSS selectors (text, not a JSON answer)."""
    return hasattr(page, "css") and not is_json(page)


def is_html_page(page) -> bool:
    """An HTML document (not XML, JSON or a file) by its content type or its first bytes (a
    server may call a .shtml or .jsp page application/octet-stream)."""
    ctype = page.headers.get("Content-Type", b"").decode("latin-1").lower()
    if "html" in ctype:
        return True
    head = page.body[:2048]
    return not head.lstrip().startswith((b"<?xml", b"<datastore", b"%PDF")) and bool(HTML_HEAD.search(head))


def is_json(page) -> bool:
    """A JSON (or JSONP: callback({...})) answer of a list API."""
    ctype = page.headers.get("Content-Type", b"").decode("latin-1").lower()
    head = page.body[:200].lstrip()
    return "json" in ctype or head[:1] in (b"{", b"[") or bool(JSONP.match(page.body))


def json_data(page):
    wrapped = JSONP.match(page.body)
    return json.loads(wrapped.group(1) if wrapped else page.body)


def as_text(page):
    """A response Scrapy did not take for text (no, or a wrong, content type) as text."""
    if hasattr(page, "text"):
        return page
    cls = HtmlResponse if is_html_page(page) else TextResponse
    return cls(page.url, status=page.status, headers=page.headers, body=page.body, request=page.request)


def redecode(page):
    """The page decoded by its <meta charset> (else GB18030) when the encoding Scrapy chose from
    the headers leaves it full of replacement characters: GBK pages served as UTF-8."""
    if not hasattr(page, "text") or page.text.count("\ufffd") < 5:
        return page
    declared = META_CHARSET.search(page.body[:4096])
    for encoding in (declared.group(1).decode("ascii") if declared else None, "gb18030"):
        try:
            page.body.decode(encoding)
        except (LookupError, UnicodeDecodeError, TypeError):
            continue
        return page.replace(encoding=encoding)
    return page


def release(*pages) -> None:
    """Let go of the parsed tree of pages that have been read. A Scrapy response and the selector
    it caches refer to each other, so a read response is freed only when Python's cyclic
    collector runs, which in a long crawl is rare: its body, text and lxml tree (C memory) piled
    up, about 130 KB a page. Without its selector it is freed as soon as Scrapy lets go of it."""
    for page in pages:
        if getattr(page, "_cached_selector", None) is not None:
            page._cached_selector = None
