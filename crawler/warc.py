"""WARC provenance: every fetch also goes into gzip WARC files beside the raw store.

The raw store keeps bodies by sha256 (one copy per distinct body); the WARC files keep every
HTTP exchange in fetch order, with request and response headers, in the ISO 28500 format that
standard tools (warcio, pywb, OpenWayback, ReplayWeb.page) read and replay.

In a crawl, ``WarcMiddleware`` (a downloader middleware next to the downloader, so it sees each
exchange as it came off the wire: redirects, retries, 304s, still-compressed bodies) writes the
records and leaves ``request.meta["warc"] = (file, offset)`` for the item of that response; the
writer then points the ``documents`` row at it (``Archive.link_warc``). It is enabled by the
setting ``GOVREPORTS_WARC_DIR`` (``GOVREPORTS_RUN_ID`` names the files after the run).

    writer = WarcWriter("reports.warc", run_id=3)
    ref = writer.write(url=..., status=200, headers=[("Content-Type", "text/html")], body=b"...")
    # -> WarcRef(file="govreports-run3-....-00000.warc.gz", offset=0)
    archive.link_warc(document_id, ref)
    writer.close()

One writer per crawl run (per worker in distributed mode): its files are named after the run and
rotated when one grows past ``max_bytes``. Each record is its own gzip member, so a reader can
seek straight to a record's offset.
"""

import datetime
import os
import pathlib
from http import HTTPStatus
from io import BytesIO
from typing import NamedTuple
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SOFTWARE = "govreports (warcio)"
DEFAULT_MAX_BYTES = 1024**3

# Scrapy's downloader joins chunked bodies, so the framing headers no longer describe the body
# (Content-Length is written anew). Content-Encoding stays unless the body was decoded already.
FRAMING_HEADERS = {"transfer-encoding", "content-length"}


class WarcRef(NamedTuple):
    file: str  # file name inside the WARC folder
    offset: int  # byte offset of the response record (start of its gzip member)


def warc_folder(db_path) -> pathlib.Path:
    """The WARC folder beside the archive DB: reports.db -> reports.warc/."""
    db_path = pathlib.Path(db_path)
    return db_path.with_name(db_path.stem + ".warc")


class WarcWriter:
    def __init__(self, folder, *, run_id=None, prefix="govreports", max_bytes=DEFAULT_MAX_BYTES):
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S")
        run = f"run{run_id}-" if run_id is not None else ""
        # The pid keeps names apart when several workers of one run write at once.
        self.stem = f"{prefix}-{run}{stamp}-{os.getpid()}"
        self.max_bytes = max_bytes
        self.serial = 0
        self.out = None
        self.writer = None
        self.files = []

    @property
    def current_name(self):
        return f"{self.stem}-{self.serial:05d}.warc.gz"

    def _open(self):
        path = self.folder / self.current_name
        self.out = open(path, "ab")  # noqa: SIM115  (kept open across records, closed in close())
        self.writer = WARCWriter(self.out, gzip=True, warc_version="1.1")
        self.files.append(path)
        info = self.writer.create_warcinfo_record(
            path.name, {"software": SOFTWARE, "format": "WARC File Format 1.1"}
        )
        self.writer.write_record(info)

    def _rotate_if_needed(self):
        if self.out is not None and self.out.tell() >= self.max_bytes:
            self.out.close()
            self.out = None
            self.serial += 1
        if self.out is None:
            self._open()

    def write(
        self,
        *,
        url,
        status=200,
        headers=(),
        body=b"",
        method="GET",
        request_headers=(),
        protocol="HTTP/1.1",
        decoded=False,
    ) -> WarcRef:
        """Write one exchange (response record, then its request record); return where it is."""
        self._rotate_if_needed()
        body = body or b""
        dropped = FRAMING_HEADERS | ({"content-encoding"} if decoded else set())
        kept = [(k, v) for k, v in headers if k.lower() not in dropped]
        kept.append(("Content-Length", str(len(body))))
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        http_headers = StatusAndHeaders(f"{status} {reason}", kept, protocol=protocol)
        response = self.writer.create_warc_record(
            url, "response", payload=BytesIO(body), length=len(body), http_headers=http_headers
        )
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_line = f"{method} {target} {protocol}"
        request = self.writer.create_warc_record(
            url,
            "request",
            payload=BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(request_line, list(request_headers), is_http_request=True),
        )
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
        )
        offset = self.out.tell()
        self.writer.write_record(response)
        self.writer.write_record(request)
        self.out.flush()
        return WarcRef(self.current_name, offset)

    def close(self):
        if self.out is not None:
            self.out.close()
            self.out = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class WarcMiddleware:
    """Downloader middleware writing each response (and its request) to the run's WARC files.

    The folder comes from the setting GOVREPORTS_WARC_DIR, or from the spider's ``warc_dir``
    (the Scrapyd spider, whose settings are fixed before it knows its DB); the run id likewise
    from GOVREPORTS_RUN_ID or the spider's ``run_id``. With neither, responses pass untouched."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.writer = None

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def open_writer(self):
        settings, spider = self.crawler.settings, self.crawler.spider
        folder = settings.get("GOVREPORTS_WARC_DIR") or getattr(spider, "warc_dir", None)
        if folder:
            run_id = settings.get("GOVREPORTS_RUN_ID") or getattr(spider, "run_id", None)
            self.writer = WarcWriter(folder, run_id=run_id)
        return self.writer

    def process_response(self, request, response):
        if "replayed" in response.flags:  # already in the WARC files (Replay)
            return response
        writer = self.writer or self.open_writer()
        if writer is None:
            return response

        def pairs(headers):
            return [
                (k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items() for v in values
            ]

        ref = writer.write(
            url=response.url,
            status=response.status,
            headers=pairs(response.headers),
            body=response.body,
            method=request.method,
            request_headers=pairs(request.headers),
            # The browser hands over the page as rendered, never compressed.
            decoded="playwright" in response.flags or bool(request.meta.get("playwright")),
        )
        request.meta["warc"] = (ref.file, ref.offset)
        return response

    def spider_closed(self):
        if self.writer is not None:
            self.writer.close()


class TornRecord(ValueError):
    """A WARC record cut short (the crawl was killed while writing it) or otherwise unreadable."""


def _read(record):
    """(url, status, headers, body) of a response record, and whether the record is whole (its
    block digest checks out). Each record is its own gzip member, so the records before a torn
    one (the last of a file a killed crawl was writing) are whole."""
    fields = (
        record.rec_headers.get_header("WARC-Target-URI"),
        int(record.http_headers.get_statuscode()),
        record.http_headers.headers,
        record.content_stream().read(),
    )
    has_digest = record.rec_headers.get_header("WARC-Block-Digest")
    return fields, record.digest_checker.passed is True or not has_digest


def read_record(folder, ref):
    """The (url, status, headers, body) of the response record at ref, a WarcRef or (file, offset).
    Raises TornRecord, naming the file and offset, when the record is not whole."""
    from warcio.archiveiterator import ArchiveIterator

    file, offset = ref
    with open(pathlib.Path(folder) / file, "rb") as f:
        f.seek(offset)
        try:
            fields, is_whole = _read(next(iter(ArchiveIterator(f, check_digests=True))))
        except Exception as e:
            raise TornRecord(f"{file} at {offset}: no readable WARC record ({type(e).__name__}: {e})") from e
    if not is_whole:
        raise TornRecord(f"{file} at {offset}: the record is cut short (a crawl killed while writing it)")
    return fields


def records(path):
    """(offset, url, status, headers, body) of each whole response record of one WARC file; a torn
    record (the tail of a file a killed crawl was writing) and anything after it are skipped."""
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as f:
        iterator = ArchiveIterator(f, check_digests=True)
        try:
            for record in iterator:
                if record.rec_type != "response":
                    continue
                fields, is_whole = _read(record)
                offset = iterator.get_record_offset()
                if not is_whole:
                    return
                yield (offset, *fields)
        except Exception:  # a torn gzip member or header block: nothing whole after it
            return


def unfiled(archive, folder, current_run=None) -> dict:
    """{url: (file, offset)} of the whole responses that crawls killed before they finished
    (``current_run`` aside) wrote to their WARC files but never filed: no documents row points
    at them, and the URL's last body is another one. The WARC files are the crawl's write-ahead
    log: these are replayed."""
    import hashlib

    linked = {(file, offset) for _, file, offset in archive.warc_links()}
    found = {}
    for run in archive.killed_runs():
        if str(run) == str(current_run):
            continue
        for path in sorted(pathlib.Path(folder).glob(f"*-run{run}-*.warc.gz")):
            for offset, url, status, _, body in records(path):
                if status == 200 and (path.name, offset) not in linked:
                    found[url] = (path.name, offset, hashlib.sha256(body).hexdigest())
    held = {}
    for url, (file, offset, digest) in found.items():
        known = archive.known(url)
        if not known or known["sha256"] != digest:
            held[url] = (file, offset)
    return held


class Replay:
    """Downloader middleware: a response a killed crawl fetched but did not file is read back
    from its WARC record instead of being fetched again (``unfiled``). One-process crawls only:
    it needs the spider's archive."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.held = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        from scrapy.http.headers import Headers
        from scrapy.responsetypes import responsetypes

        if self.held is None:
            archive = getattr(self.crawler.spider, "archive", None)
            settings = self.crawler.settings
            folder = settings.get("GOVREPORTS_WARC_DIR")
            ok = folder and archive is not None and not archive.read_only and pathlib.Path(folder).is_dir()
            self.held = unfiled(archive, folder, settings.get("GOVREPORTS_RUN_ID")) if ok else {}
        ref = self.held.pop(request.url, None) if request.method == "GET" else None
        if ref is None:
            return None
        try:
            url, status, headers, body = read_record(self.crawler.settings.get("GOVREPORTS_WARC_DIR"), ref)
        except (OSError, TornRecord):
            return None
        request.meta["warc"] = ref
        headers = Headers(headers)  # as off the wire: HttpCompressionMiddleware decodes the body next
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        return cls(url, status=status, headers=headers, body=body, request=request, flags=["replayed"])


def check_links(archive, folder) -> list[tuple[int, str]]:
    """(document id, what is wrong) for each documents row whose WARC record cannot be read."""
    problems = []
    for document_id, file, offset in archive.warc_links():
        try:
            read_record(folder, (file, offset))
        except (OSError, TornRecord) as e:
            problems.append((document_id, str(e)))
    return problems
