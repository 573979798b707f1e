"""Hanweb 大汉 JCMS: a column page ``/col/col<id>/index.html`` keeps its rows inside
``<script type="text/xml"><datastore><recordset><record><![CDATA[<li><a …>]]>`` (an HTML parser that
skips scripts sees none), and pages further through ``/module/web/jpage/dataproxy.jsp`` (on older
sites ``/module/jpage/dataproxy.jsp``), whose XML answer has the same records plus
``<totalpage>``. Articles are ``/art/<YYYY>/<M>/<D>/art_<col>_<id>.html``."""

import html
import re
from urllib.parse import urlencode

from .base import Adapter
from .links import MAX_GENERATED_PAGES, Link, anchors, numbered, query_value, with_query
from .responses import is_html
from .titles import in_report_column, is_report_title

MARKERS = re.compile(
    r"<datastore>|\.jpage\(|dataproxy\.jsp|ZJEG_RSS|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html"
)
RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.S)
TOTAL_PAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>")
TOTAL_RECORD = re.compile(r"totalRecord\s*:\s*(\d+)")
PER_PAGE = re.compile(r"perPage\s*:\s*(\d+)")
PARAMS = re.compile(r"(columnid|unitid|webid|webname|permissiontype)\s*[:=]\s*['\"]?([^,'\"&}\s]+)")
DATAPROXY = "/module/web/jpage/dataproxy.jsp"
OLDER_DATAPROXY = "/module/jpage/dataproxy.jsp"


class Hanweb(Adapter):
    name = "hanweb"
    order = 30
    markers = MARKERS
    reads_script_data = True  # the datastore records and dataproxy.jsp

    def report_links(self, page) -> list[Link]:
        lenient = in_report_column(page)
        links = [link for link in records(page) if is_report_title(link.title, lenient=lenient)]
        if is_column_page(page):
            links += super().report_links(page)
        return links

    def next_pages(self, page) -> list[Link]:
        text = page.text
        total = TOTAL_PAGE.search(text)
        if total and query_value(page.url, "startrecord"):
            return []  # asked for every record at once
        if total:  # a dataproxy.jsp answer: the remaining pages of the same query
            current = int(query_value(page.url, "page") or 1)
            last = min(int(total.group(1)), current + MAX_GENERATED_PAGES)
            return numbered(page.url, "page", range(current + 1, last + 1))
        links = []
        for fragment in NEXTGROUP.findall(text):
            href = re.search(r"href=['\"]([^'\"]+)", fragment)
            if href:
                links.append(Link(page.urljoin(html.unescape(href.group(1))), "page"))
        if not links and TOTAL_RECORD.search(text):
            links += built_query(page)
        if is_column_page(page):
            links += super().next_pages(page)
        return links

    def not_found(self, request) -> list[Link]:
        """No dataproxy.jsp at /module/web/jpage/: an older site, ask /module/jpage/ the same way."""
        if DATAPROXY not in request.url:
            return []
        body = request.body.decode("utf-8") if request.body else None
        return [Link(request.url.replace(DATAPROXY, OLDER_DATAPROXY), "page", request.method, body)]


def is_column_page(page) -> bool:
    """An HTML column page (not a dataproxy.jsp XML answer): its own anchors count too."""
    return is_html(page) and b"<datastore>" not in page.body[:200]


def records(page) -> list[Link]:
    """Links inside the datastore records (a record without <a> is skipped)."""
    links = []
    for fragment in RECORD.findall(page.text):
        links += anchors(page, html=f"<ul>{fragment}</ul>")
    return links


def built_query(page) -> list[Link]:
    """No <nextgroup>: ask dataproxy.jsp the way jpage.js does, a POST with the record window in
    the query (all records at once: startrecord=1&endrecord=<totalRecord>) and the column in the
    form body."""
    params = dict(PARAMS.findall(page.text))
    if "columnid" not in params:
        return []
    total = int(TOTAL_RECORD.search(page.text).group(1))
    per_page = int((PER_PAGE.search(page.text) or [0, 15])[1])
    if total <= len(RECORD.findall(page.text)):
        return []  # the page already holds every record
    form = {"col": 1, "appid": 1, "webid": 1, "path": "/", "permissiontype": 0, **params}
    url = with_query(page.urljoin(DATAPROXY), startrecord=1, endrecord=total, perpage=per_page)
    return [Link(url, "page", method="POST", body=urlencode(form))]
