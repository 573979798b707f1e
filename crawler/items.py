"""What the spider hands the pipeline: one fetched (or failed) document."""

from dataclasses import dataclass, field


@dataclass
class FetchedDocument:
    source: str  # source name
    url: str
    kind: str  # list | report | attachment
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    body: bytes | None = None  # None for a 304 (unchanged) or a failed fetch
    etag: str | None = None
    last_modified: str | None = None
    via: str = "http"  # http | browser
    error: str | None = None
    title: str = ""  # the link text that led here (for progress lines)
    context: dict = field(default_factory=dict)  # region of the source: the parser's context
    warc: tuple | None = None  # (WARC file, offset) of the response record (crawler.warc)
    retry: dict | None = None  # failed for a passing reason: asked again next run, with this meta
