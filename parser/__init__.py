"""Turn the bytes of one annual report into a structured record.

The parser is pure: bytes (+ content type + URL + source context) in, a record out.
No network, no database. See docs/record.md for the record shape.

    >>> from parser import parse
    >>> record = parse(open("report.html", "rb").read(), content_type="text/html")
"""

from .errors import NotAReport, ParseError, Unsupported
from .record import parse

__all__ = ["parse", "ParseError", "NotAReport", "Unsupported"]
