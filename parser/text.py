"""Plain text and markdown reports: decoded, and passed on as text (tables are read from lines)."""

from .document import Document
from .encoding import decode


def read_text(data: bytes, content_type: str | None = None, url: str | None = None) -> Document:
    return Document(text=decode(data, content_type), kind="text")
