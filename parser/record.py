"""Assemble the report record of DESIGN.md from a read document."""

from .checks import run_checks
from .document import Document
from .errors import NotAReport
from .formats import read_document
from .meta import read_meta, split_sections
from .region import find_region
from .tables import read_tables

REPORT_WORDS = ("政府信息公开", "政务公开", "政府資訊公開", "政府信息公開")


def parse(
    data: bytes, content_type: str | None = None, url: str | None = None, context: dict | None = None
) -> dict:
    """Parse one report. ``context`` is the source's region hints: province, city, county."""
    return build_record(read_document(data, content_type, url), url=url, context=context)


def build_record(doc: Document, url: str | None = None, context: dict | None = None) -> dict:
    text = doc.text or ""
    tables = read_tables(doc)
    if tables.template is None and not any(w in text for w in REPORT_WORDS):
        raise NotAReport("no report tables and no 政府信息公开 wording: this is not an annual report")
    if tables.template is None and "年度报告" not in text and "年报" not in text:
        raise NotAReport("no report tables and no 年度报告 wording: this is not an annual report")
    meta = read_meta(doc, text)
    record = {
        "title": meta.get("title"),
        "agency": meta.get("agency"),
        "year": meta.get("year"),
        "template": tables.template,
        "published_date": meta.get("published_date"),
        "region": find_region(meta.get("agency"), text, context),
        "active_disclosure": tables.active_disclosure,
        "applications": tables.applications,
        "review_litigation": tables.review_litigation,
        "checks": [],
        "sections": split_sections(text),
        "format": doc.kind,
        "url": url,
        "attachments": [href for _, href in doc.links],
        "warnings": list(doc.warnings) + tables.warnings,
        "text": text,
    }
    cells = tables.active_disclosure + tables.applications + tables.review_litigation
    if tables.template and all(c["value"] is None for c in cells):
        record["warnings"].append("the report's tables hold no numbers (a blank form?)")
    record["checks"] = run_checks(record)
    return record
