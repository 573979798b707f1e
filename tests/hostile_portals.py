"""Portals that misbehave like the web does, for the fault, trap and security tests and
benchmarks/faults.py. Everything is served on 127.0.0.1 / 127.0.0.2 on free ports.

    with Witness() as witness, HostilePortal("测试区人民政府", 12, faults=0.2, seed=7,
                                              trap=True, soft_404=True, off_source=witness) as portal:
        ...crawl portal.source()...
        witness.hits       # requests that reached the off-source server: must stay 0
        portal.trap_pages  # list pages of the endless pager that were asked for

A ``HostilePortal`` is a ``local_portals.Portal`` (same reports, ETags and 304s) that also:

* fails a seeded share of requests (``faults``): HTTP 500/502/503, a connection reset (the socket
  closed without an answer) or a stall (no answer for ``stall`` seconds). Which request fails
  depends only on the seed, the path and how many times that path was asked for, never on
  thread timing, so a run is reproducible;
* ``trap``: its last list page has a 下一页 to a page that does not exist in the portal; every such
  page answers with the same rows and one more 下一页, for ever (the endless pager seen on portals);
  a 下一页 with a changing query string (``?page=N&_=<random>``) is the query-string explosion;
* ``soft_404``: lists a report-titled link whose page answers HTTP 200 with 页面不存在;
* ``off_source``: lists report-titled links that redirect (302) to another host (the ``Witness`` on
  127.0.0.2), to another port of 127.0.0.1, to ``file:///etc/passwd`` and to ``ftp://``;
* ``huge``: lists a report-titled link whose answer is ``huge`` bytes long (for the size cap).
"""

import hashlib
import html
import random
import socket
import threading
import time
from collections import Counter

from local_portals import Portal
from loopback import Answer, Loopback

FAULTS = ("500", "502", "503", "reset", "stall")
FAULT_WEIGHTS = (4, 4, 4, 3, 3)  # of 18: 2/3 5xx, 1/6 resets, 1/6 stalls
SOFT_404 = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>页面不存在</title></head>"
    "<body><div class='error'><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除！</p>"
    "<a href='/'>返回首页</a></div></body></html>"
).encode()


class Witness(Loopback):
    """A server on another loopback address that only counts who reached it (goal: nobody)."""

    def __init__(self, host="127.0.0.2"):
        self.hits = Counter()
        witness = self

        class Handler(Answer):
            def do_GET(self):
                witness.hits[self.path] += 1
                self.answer(200, b"<html><head><title>off-source</title></head><body>secret</body></html>")

        super().__init__(host, Handler)

    @property
    def total(self) -> int:
        return sum(self.hits.values())


class HostilePortal(Portal):
    def __init__(
        self,
        name,
        reports,
        per_page=10,
        faults=0.0,
        seed=0,
        stall=3.0,
        trap=False,
        query_trap=False,
        soft_404=False,
        off_source=None,
        huge=0,
        no_validators=False,
        host="127.0.0.1",
    ):
        self.faults, self.seed, self.stall = faults, seed, stall
        self.trap, self.query_trap, self.soft_404 = trap, query_trap, soft_404
        self.off_source, self.huge, self.no_validators = off_source, huge, no_validators
        self.faulted = Counter()  # fault -> times injected
        self.bodies = Counter()  # path -> 200 answers with a body
        self.trap_pages = 0  # pages of the endless pager answered
        self.extra_links = []  # (path, title) listed on the first list page
        self.lock = threading.Lock()
        self.other = None  # a second server on 127.0.0.1 (another port: another host)
        super().__init__(name, reports, per_page=per_page, host=host)
        self.server.handle_error = lambda request, address: None  # resets and stalls are on purpose
        if soft_404:
            self.add_link("/art/gone.html", f"{name}第99局2022年政府信息公开工作年度报告", SOFT_404)
        if huge:
            self.add_link("/art/huge.html", f"{name}第98局2022年政府信息公开工作年度报告", b"x" * huge)
        if off_source is not None:
            self.other = Witness("127.0.0.1")
            targets = {
                "/art/moved-away.html": off_source.url + "/stolen.html",
                "/art/moved-port.html": self.other.url + "/stolen.html",
                "/art/moved-file.html": "file:///etc/passwd",
                "/art/moved-ftp.html": "ftp://127.0.0.2/report.pdf",
            }
            for i, (path, location) in enumerate(targets.items()):
                self.add_link(path, f"{name}第{90 + i}局2022年政府信息公开工作年度报告", location)

    def add_link(self, path, title, answer):
        """List ``title`` -> ``path`` on the first list page; ``answer`` is the body, or a Location."""
        self.extra_links.append((path, title))
        self.pages[path] = answer
        self.list_pages()

    def list_pages(self):
        super().list_pages()
        first = self.pages.get("/col/nb/index.html")
        if first is not None and getattr(self, "extra_links", None):
            rows = "".join(f"<li><a href='{p}'>{html.escape(t)}</a></li>" for p, t in self.extra_links)
            self.pages["/col/nb/index.html"] = first.replace(b"<ul>", b"<ul>" + rows.encode(), 1)
        last = self.last_list_path()
        if getattr(self, "trap", False) and last:
            self.pages[last] = self.pages[last].replace(
                b"</ul>", f"</ul><a href='index_{self.chunks()}.html'>下一页</a>".encode(), 1
            )
        if getattr(self, "query_trap", False) and last:
            self.pages[last] = self.pages[last].replace(
                b"</ul>", b"</ul><a href='more.html?page=1&_=0'>\xe4\xb8\x8b\xe4\xb8\x80\xe9\xa1\xb5</a>", 1
            )

    def chunks(self) -> int:
        return max(1, -(-len(self.report_paths) // self.per_page))

    def last_list_path(self):
        n = self.chunks() - 1
        return "/col/nb/index.html" if n == 0 else f"/col/nb/index_{n}.html"

    def trap_page(self, path, query):
        """The endless pager: the last real page's rows, and a 下一页 to one more page."""
        rows = self.pages[self.last_list_path()].split(b"<ul>", 1)[1].split(b"</ul>", 1)[0]
        if path == "/col/nb/more.html":
            page = int(dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("page", "1"))
            nxt = f"more.html?page={page + 1}&amp;_={random.random():.12f}"
        else:
            page = int(path.rsplit("_", 1)[1].split(".")[0])
            nxt = f"index_{page + 1}.html"
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body>"
            f"<div class='position'>首页 > 信息公开 > 政府信息公开年报</div><ul>{rows.decode()}</ul>"
            f"<a href='{nxt}'>下一页</a></body></html>"
        ).encode()

    def is_trap(self, path) -> bool:
        if self.query_trap and path == "/col/nb/more.html":
            return True
        if not (self.trap and path.startswith("/col/nb/index_")):
            return False
        return path not in self.pages

    def fault(self, path, nth) -> str | None:
        """The fault injected into the nth request of path (seeded), or None."""
        if not self.faults or path == "/robots.txt":
            return None
        digest = hashlib.sha256(f"{self.seed}\t{path}\t{nth}".encode()).digest()
        rng = random.Random(digest)
        if rng.random() >= self.faults:
            return None
        return rng.choices(FAULTS, FAULT_WEIGHTS)[0]

    def handler(self):
        portal = self

        class Handler(super().handler()):  # Portal's answer, counting statuses
            def do_GET(self):
                path, _, query = self.path.partition("?")
                with portal.lock:
                    portal.requests[path] += 1
                    nth = portal.requests[path]
                    portal.times.append(time.monotonic())
                fault = portal.fault(path, nth)
                if fault:
                    with portal.lock:
                        portal.faulted[fault] += 1
                    return self.misbehave(fault)
                if portal.is_trap(path):
                    with portal.lock:
                        portal.trap_pages += 1
                    return self.answer(200, portal.trap_page(path, query))
                body = portal.pages.get(path)
                if body is None:
                    return self.answer(404, b"<html><body>404 Not Found</body></html>")
                if isinstance(body, str):  # a redirect
                    return self.answer(302, b"", location=body)
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if portal.no_validators:
                    etag = None
                elif self.headers.get("If-None-Match") == etag:
                    return self.answer(304, None, etag)
                with portal.lock:
                    portal.bodies[path] += 1
                return self.answer(200, body, etag)

            def misbehave(self, fault):
                if fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                    self.close_connection = True
                    self.connection.close()
                    return None
                if fault == "stall":
                    time.sleep(portal.stall)
                    self.close_connection = True
                    return None
                return self.answer(int(fault), f"<html><body>{fault} error</body></html>".encode())

        return Handler

    def __enter__(self):
        if self.other is not None:
            self.other.__enter__()
        return super().__enter__()

    def __exit__(self, *exc):
        super().__exit__(*exc)
        if self.other is not None:
            self.other.__exit__(*exc)

    @property
    def off_source_hits(self) -> int:
        return (self.off_source.total if self.off_source else 0) + (self.other.total if self.other else 0)
