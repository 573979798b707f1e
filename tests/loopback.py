"""An HTTP server on a loopback address and a free port, answering in threads: the base of the
local portals (tests/local_portals.py) and the hostile ones (tests/hostile_portals.py).

    class Hello(Loopback):
        def __init__(self):
            hello = self

            class Handler(Answer):
                def do_GET(self):
                    self.answer(200, b"<html>hello</html>")

            super().__init__("127.0.0.2", Handler)

    with Hello() as server:
        ...server.url...

Connections are kept alive (HTTP/1.1, every answer with its length), as a portal's web server
does, so a crawl is not measured opening a connection per request.
"""

import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Answer(BaseHTTPRequestHandler):
    """A request handler with ``answer``; quiet (no log line per request)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait for an ACK between

    def answer(self, status, body, etag=None, location=None):
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
        if location:
            self.send_header("Location", location)
        if body is not None:  # the type by the path's extension (a PDF attachment), else HTML
            kind = mimetypes.guess_type(self.path.split("?")[0])[0] or "text/html"
            self.send_header("Content-Type", kind + ("; charset=utf-8" if kind == "text/html" else ""))
        if status != 304:
            self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


class Loopback:
    """Serves ``handler`` (a class) on ``host`` at a free port, in a thread, while entered."""

    def __init__(self, host, handler):
        self.server = ThreadingHTTPServer((host, 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
