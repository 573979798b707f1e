class ParseError(Exception):
    """The bytes could not be read as a report (corrupt, unreadable, too large)."""


class NotAReport(ParseError):
    """The bytes were read, but they hold no annual report (no tables, no report wording)."""


class Unsupported(ParseError):
    """The format is recognised but this installation cannot read it."""
