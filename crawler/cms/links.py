"""Links a list or report page offers: its anchors, its pager, the rows of a JSON list, its
attachments; and the small URL helpers the adapters build further pages with."""

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from govreports.parser.labels import QUOTED_DOCUMENT, is_attachment

from .responses import is_html
from .titles import clean

MAX_GENERATED_PAGES = 200  # pages an adapter names from a page count, at most
SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")
PAGER_WORDS = {"下一页", "下页", "后页", "尾页", "末页", "最后一页", ">", ">>", "»", "›", "下一頁"}
PAGER_HREF = re.compile(
    r"index_\d+\.\w+$|_\d+\.s?html?$|[?&](?:page|pageNo|pageIndex|curPage|p|pn)=\d+|/\d+\.s?html?$"
)
# Rows of a JSON list API (gkmlpt, JPaaS, chinatax-like): objects with a title and a URL.
TITLE_KEYS = ("title", "titleHtml", "docTitle", "name", "vc_title", "showTitle")
URL_KEYS = ("post_url", "url", "redirectUrl", "link", "href", "docUrl", "pageUrl", "vc_url", "art_url")


@dataclass(frozen=True)
class Link:
    url: str
    title: str = ""
    method: str = "GET"
    body: str | None = None  # form body of a POST (Hanweb dataproxy.jsp)


def anchors(page, html=None) -> list:
    """Every followable <a> as a Link whose title is the longer of its text and title=."""
    if html is not None:
        from parsel import Selector

        nodes = Selector(text=html).css("a[href]")
    elif is_html(page):
        nodes = page.css("a[href]")
    else:
        return []
    links = []
    for a in nodes:
        href = (a.attrib.get("href") or "").strip()
        if not href or href.lower().startswith(SKIP_SCHEMES):
            continue
        text = clean(" ".join(a.css("::text").getall()))
        attr = clean(a.attrib.get("title"))
        title = attr if len(attr) > len(text.rstrip("…").rstrip(".")) else text
        links.append(Link(page.urljoin(href), title))
    return links


def pager_links(page) -> list:
    """Anchors of a pager: 下一页/尾页 words, or page numbers whose href looks like a page."""
    out = []
    for link in anchors(page):
        word = link.title
        if word in PAGER_WORDS or (
            word.isdigit() and PAGER_HREF.search(urlsplit(link.url).path + "?" + urlsplit(link.url).query)
        ):
            out.append(link)
    return out


def json_records(data):
    """(title, url) of every object in a JSON document that has a title key and a URL key."""
    if isinstance(data, dict):
        title = next((data[k] for k in TITLE_KEYS if isinstance(data.get(k), str)), None)
        url = next((data[k] for k in URL_KEYS if isinstance(data.get(k), str) and data[k]), None)
        if title and url:
            yield re.sub(r"<[^>]+>", "", title), url
        for value in data.values():
            yield from json_records(value)
    elif isinstance(data, list):
        for value in data:
            yield from json_records(value)


def json_links(page, data) -> list:
    """The rows of a JSON list as Links."""
    return [Link(page.urljoin(url), clean(title)) for title, url in json_records(data)]


def attachment_links(page) -> list:
    """Files linked from a report page (labels.is_attachment: documents, scans, archives,
    download gateways), and document URLs written into scripts (gkmlpt keeps its attachments in
    window._CONFIG.DETAIL)."""
    if not is_html(page):
        return []
    links = [link for link in anchors(page) if is_attachment(link.url, link.title)]
    text = page.text.replace("\\/", "/")
    links += [Link(page.urljoin(url)) for url in QUOTED_DOCUMENT.findall(text)]
    return list({link.url: link for link in reversed(links)}.values())[::-1]


def numbered(url, param, pages) -> list:
    """The same list URL with its page parameter set to each of pages."""
    return [Link(with_query(url, **{param: k}), "page") for k in pages]


def with_query(url, **params) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({k: str(v) for k, v in params.items()})
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


def query_value(url, *names):
    query = dict(parse_qsl(urlsplit(url).query))
    for name in names:
        if name in query:
            return query[name]
    return None


def as_int(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return 0
