"""Epoint 新点: report bodies in ``div#ivs_content.infocontent`` with a ``div.infoattach`` box of
attachments; its list pages use ``ewb-`` classes (``ewb-list``, ``ewb-page``). Only a detail
fragment was seen in the wild, so lists go through the generic discovery with the ewb pager."""

import re

from . import Link, generic

MARKERS = re.compile(
    r"id=\"ivs_content\"|class=\"[^\"]*\b(?:infodetail|infoattach|ewb-[\w-]+)|EpointWebBuilder"
)


def recognise(page) -> bool:
    return generic.is_html(page) and bool(MARKERS.search(page.text))


def report_links(page) -> list:
    return generic.report_links(page)


def next_pages(page) -> list:
    pager = [Link(page.urljoin(a), "page") for a in page.css("[class*=ewb-page] a::attr(href)").getall()]
    return [link for link in pager if not link.url.lower().startswith("javascript")] + generic.next_pages(
        page
    )
