"""Serve the bundled sample portals on 127.0.0.1, one free port per portal (so each is its own host).

    with serve_portals() as portals:          # {"weidong-trs": PortalServer, ...}
        print(portals["weidong-trs"].url)     # http://127.0.0.1:41235/
        ...
        portals["weidong-trs"].hits["/xxgk/xxgknb/index.html"]   # requests seen per path

A portal is a folder of files (``sites/<name>/``). The server behaves like a portal's web server:
ETag and Last-Modified on every file with 304 answers to conditional requests, ``dir/`` ->
``dir/index.html``, query pages of list endpoints (``dataproxy.jsp?page=2`` -> the file
``dataproxy.jsp.page2``; POST forms are read like queries), ``{{BASE}}`` in text files replaced by the
portal's own address. For tests it can misbehave on request: answer 503 a few times first, redirect,
or guard every page with a 瑞数-style challenge (HTTP 412 + ``$_ts`` script that sets a cookie and
reloads; a browser passes it, plain HTTP never does).
"""

import contextlib
import email.utils
import hashlib
import mimetypes
import os
import pathlib
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qsl, unquote, urlsplit

SITES = pathlib.Path(os.fspath(resources.files(__package__) / "sites"))
TEXT_TYPES = (".html", ".htm", ".shtml", ".json", ".xml", ".jsp", ".txt")
PAGE_PARAMS = ("page", "pageNo", "pageIndex")
INDEX_NAMES = ("index.html", "index.shtml", "index.htm")
CLEARANCE = "govreports_demo_clearance=ok"
CHALLENGE_PAGE = b"""<!DOCTYPE html><html><head><meta charset="utf-8">
<script>$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};$_ts.nsd=48213;$_ts.cd="qhxcr";
document.cookie="govreports_demo_clearance=ok; path=/";
setTimeout(function(){location.reload();},50);</script>
<script type="text/javascript" charset="utf-8" src="/challenge.js" r="m"></script></head><body></body></html>"""


class PortalServer:
    def __init__(self, root, challenge=False, fail_first=None, redirects=None):
        self.root = pathlib.Path(root)
        self.challenge = challenge
        self.fail_first = Counter(fail_first or {})  # path -> how many 503s before the file
        self.redirects = dict(redirects or {})  # path -> Location
        self.hits = Counter()  # path (with ?query for list endpoints) -> requests answered
        self.bodies = Counter()  # path -> 200 answers with a body
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def file_for(self, path, query):
        """The file answering path (and its page query), or None."""
        relative = unquote(path).lstrip("/")
        target = (self.root / relative).resolve()
        if not target.is_relative_to(self.root.resolve()):
            return None
        if target.is_dir() or path.endswith("/"):
            target = next((target / n for n in INDEX_NAMES if (target / n).is_file()), target / "index.html")
        page = next((query[p] for p in PAGE_PARAMS if p in query), None)
        if page is not None and target.with_name(f"{target.name}.page{page}").is_file():
            return target.with_name(f"{target.name}.page{page}")
        return target if target.is_file() else None


def _handler(portal):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test and demo output quiet
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            self.answer(dict(parse_qsl(form)))

        def do_GET(self):
            self.answer({})

        def answer(self, form):
            parts = urlsplit(self.path)
            query = {**dict(parse_qsl(parts.query)), **form}
            key = parts.path + (
                f"?{parts.query}" if parts.query and not parts.path.endswith("robots.txt") else ""
            )
            with portal.lock:
                portal.hits[key] += 1
                failing = portal.fail_first[parts.path] > 0
                if failing:
                    portal.fail_first[parts.path] -= 1
            if failing:
                return self.send(503, b"<h1>503 Service Unavailable</h1>", "text/html")
            if parts.path in portal.redirects:
                return self.send(302, b"", "text/html", {"Location": portal.redirects[parts.path]})
            cleared = CLEARANCE in (self.headers.get("Cookie") or "")
            if portal.challenge and not cleared and not parts.path.endswith(("robots.txt", "challenge.js")):
                return self.send(412, CHALLENGE_PAGE, "text/html; charset=utf-8")
            if parts.path.endswith("challenge.js"):
                return self.send(200, b"/* loader */", "application/javascript")
            path = portal.file_for(parts.path, query)
            if path is None:
                return self.send(404, b"<h1>404 Not Found</h1>", "text/html")
            body = path.read_bytes()
            if path.name.endswith(TEXT_TYPES) or ".page" in path.name:
                body = body.replace(b"{{BASE}}", portal.url.rstrip("/").encode())
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            mtime = int(path.stat().st_mtime)
            headers = {"ETag": etag, "Last-Modified": email.utils.formatdate(mtime, usegmt=True)}
            if self.not_modified(etag, mtime):
                return self.send(304, b"", None, headers)
            with portal.lock:
                portal.bodies[key] += 1
            return self.send(200, body, content_type(path), headers)

        def not_modified(self, etag, mtime):
            if self.headers.get("If-None-Match"):
                return etag in self.headers["If-None-Match"]
            since = self.headers.get("If-Modified-Since")
            if since:
                with contextlib.suppress(TypeError, ValueError):
                    return mtime <= email.utils.parsedate_to_datetime(since).timestamp()
            return False

        def send(self, status, body, ctype, headers=None):
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return Handler


def content_type(path) -> str:
    name = path.name.split(".page")[0]
    if name.endswith(".jsp"):
        return "text/xml; charset=utf-8"
    if name.endswith((".htm", ".html", ".shtml")):
        return "text/html"  # the page's <meta charset> tells (some portals are GBK)
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{ctype}; charset=utf-8" if ctype.startswith("text/") or ctype.endswith("json") else ctype


@contextlib.contextmanager
def serve_portals(root=SITES, names=None, **options):
    """Start one PortalServer per site folder under root (or those named); stop them on exit.
    ``options`` maps a site name to PortalServer keyword arguments."""
    root = pathlib.Path(root)
    names = names or sorted(p.name for p in root.iterdir() if p.is_dir())
    servers = {name: PortalServer(root / name, **options.get(name, {})).start() for name in names}
    try:
        yield servers
    finally:
        for server in servers.values():
            server.stop()
