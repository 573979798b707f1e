"""Small government portals served on 127.0.0.1, for crawl tests and benchmarks/crawl.py.

Each portal is one HTTP server on its own free port with a 年报 list page (paginated) linking to
report pages. Report pages are the real seed report (卫东区卫健委, 2021 template, tab rows as an
HTML table) under other agency names, so the parser reads them as real reports. Pages carry an
ETag and answer a matching If-None-Match with 304, like the CMSs in the wild. The pages can be
changed or removed between two crawls, and every request is logged.
"""

import hashlib
import html
import pathlib
import sys
import time
from collections import Counter

from loopback import Answer, Loopback
from truth import SHARED

SEED = (SHARED / "seeds" / "000_a2e4991bb9f5a779.txt").read_text(encoding="utf-8")
SEED_AGENCY = "卫东区卫生健康委员会"


def report_page(agency: str, year: int, note: str = "") -> bytes:
    """The seed report as an HTML page of ``agency`` for ``year``; ``note`` changes its bytes."""
    text = SEED.replace("2021", str(year)).replace(SEED_AGENCY, agency).replace("卫健委", agency)
    out, rows = [], []
    for line in text.splitlines() + [""]:
        if "\t" in line:
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in line.split("\t")) + "</tr>")
            continue
        if rows:
            out.append("<table border='1'>" + "".join(rows) + "</table>")
            rows = []
        if line.strip():
            out.append(f"<p>{html.escape(line.strip())}</p>")
    if note:
        out.append(f"<p>{html.escape(note)}</p>")
    title = f"{agency}{year}年政府信息公开工作年度报告"
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><div class='article'>{''.join(out)}</div></body></html>"
    ).encode()


class Portal(Loopback):
    """One portal: ``reports`` report pages listed ``per_page`` to a list page."""

    def __init__(
        self, name: str, reports: int, per_page: int = 10, year: int = 2022, host: str = "127.0.0.1"
    ):
        self.name = name
        self.pages = {}  # path -> bytes
        self.requests = Counter()  # path -> times asked
        self.times = []  # time.monotonic() of each request
        self.statuses = Counter()  # status -> times answered
        self.report_paths = []
        self.titles = {}  # path -> list title, for documents that are not report pages
        for i in range(reports):
            path = f"/art/{year}/{i + 1}.html"
            self.pages[path] = report_page(f"{name}第{i + 1}局", year)
            self.report_paths.append(path)
        self.per_page = per_page
        self.list_pages()
        # Another loopback address (127.0.0.2 ...) is another host to Scrapy's per-host politeness.
        super().__init__(host, self.handler())

    @property
    def list_url(self) -> str:
        return self.url + "/col/nb/index.html"

    def source(self) -> dict:
        return {
            "name": self.name,
            "url": self.list_url,
            "province": "河南省",
            "city": "平顶山市",
            "level": "county",
        }

    def list_pages(self):
        """(Re)write the list pages from the current report pages."""
        for path in [p for p in self.pages if p.startswith("/col/")]:
            del self.pages[path]
        paths = self.report_paths
        chunks = [paths[i : i + self.per_page] for i in range(0, len(paths), self.per_page)] or [[]]
        for n, chunk in enumerate(chunks):
            links = "".join(f"<li><a href='{p}'>{html.escape(self.title(p))}</a></li>" for p in chunk)
            pager = f"<a href='index_{n + 1}.html'>下一页</a>" if n + 1 < len(chunks) else ""
            name = "index.html" if n == 0 else f"index_{n}.html"
            self.pages[f"/col/nb/{name}"] = (
                "<!DOCTYPE html><html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body>"
                f"<div class='position'>首页 > 信息公开 > 政府信息公开年报</div><ul>{links}</ul>{pager}</body></html>"
            ).encode()

    def title(self, path) -> str:
        if path in self.titles:
            return self.titles[path]
        page = self.pages[path].decode()
        return page[page.index("<title>") + 7 : page.index("</title>")]

    def change(self, path, note="本报告于发布后更正了一处文字。"):
        agency_year = self.title(path).replace("年政府信息公开工作年度报告", "")
        self.pages[path] = report_page(agency_year[:-4], int(agency_year[-4:]), note)

    def add(self, path: str, body: bytes, title: str):
        """Another document in the report list (a PDF, a sheet, a hostile page), served with the
        content type of its name."""
        self.pages[path], self.titles[path] = body, title
        self.report_paths.append(path)
        self.list_pages()

    def remove(self, path):
        """The report page answers 404 and leaves the list."""
        del self.pages[path]
        self.report_paths.remove(path)
        self.list_pages()

    def handler(self):
        portal = self

        class Handler(Answer):
            def do_GET(self):
                path = self.path.split("?")[0]
                portal.requests[path] += 1
                portal.times.append(time.monotonic())
                body = portal.pages.get(path)
                if body is None:
                    return self.answer(404, b"<html><body>404 Not Found</body></html>")
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    return self.answer(304, None, etag)
                return self.answer(200, body, etag)

            def answer(self, status, body, etag=None, location=None):
                portal.statuses[status] += 1
                super().answer(status, body, etag, location)

        return Handler


def crawl_command(db, sources, *options) -> list[str]:
    """``govreports crawl DB --sources FILE [options]`` in a process of its own, as a user types
    it (Scrapy's reactor runs once per process)."""
    return [
        sys.executable,
        "-m",
        "govreports.crawler.cli",
        "crawl",
        str(db),
        "--sources",
        str(sources),
        *options,
    ]


def sources_yaml(path, portals) -> pathlib.Path:
    import yaml

    path = pathlib.Path(path)
    path.write_text(
        yaml.safe_dump({"sources": [p.source() for p in portals]}, allow_unicode=True), encoding="utf-8"
    )
    return path
