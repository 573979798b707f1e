"""Epoint 新点: report bodies in ``div#ivs_content.infocontent`` with a ``div.infoattach`` box of
attachments; its list pages use ``ewb-`` classes (``ewb-list``, ``ewb-page``). Only a detail
fragment was seen in the wild, so lists are read the generic way plus the ewb pager."""

import re

from .base import Adapter
from .links import Link

MARKERS = re.compile(
    r"id=\"ivs_content\"|class=\"[^\"]*\b(?:infodetail|infoattach|ewb-[\w-]+)|EpointWebBuilder"
)


class Epoint(Adapter):
    name = "epoint"
    order = 20
    markers = MARKERS

    def next_pages(self, page) -> list[Link]:
        pager = [Link(page.urljoin(a), "page") for a in page.css("[class*=ewb-page] a::attr(href)").getall()]
        return [link for link in pager if not link.url.lower().startswith("javascript")] + super().next_pages(
            page
        )
