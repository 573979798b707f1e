"""Assemble the report record of DESIGN.md from a read document."""

from .checks import run_checks
from .document import Document
from .errors import NotAReport, ParseError
from .formats import read_document
from .labels import DISCLOSURE, names_annual_report, simplified
from .limits import MAX_TEXT_CHARS
from .meta import read_meta, split_sections
from .region import find_region
from .tables import read_tables


def is_report_without_tables(title: str | None, text: str) -> bool:
    """A report whose tables could not be read (images, a broken page) still names itself."""
    text = simplified(text)
    is_a_list = text.count("年度报告") > 5  # a column page listing many reports, not one report
    return names_annual_report(title) and not is_a_list and bool(DISCLOSURE.search(text))


def parse(
    data: bytes, content_type: str | None = None, url: str | None = None, context: dict | None = None
) -> dict:
    """Parse one report. ``context`` is the source's region hints: province, city, county."""
    return build_record(read_document(data, content_type, url), url=url, context=context)


def build_record(doc: Document, url: str | None = None, context: dict | None = None) -> dict:
    text = doc.text or ""
    if len(text) > MAX_TEXT_CHARS:
        raise ParseError(
            f"{len(text)} characters of text (limit MAX_TEXT_CHARS {MAX_TEXT_CHARS}): not one report"
        )
    tables = read_tables(doc)
    meta = read_meta(doc, text)
    if tables.template is None and doc.links:
        hrefs = ", ".join(href for _, href in doc.links[:3])
        raise NotAReport(f"no report tables on this page: the report is in its attachment(s) {hrefs}")
    if tables.template is None and not is_report_without_tables(meta.get("title"), text):
        raise NotAReport("no report tables and no annual-report title: not a 政府信息公开工作年度报告")
    record = {
        "title": meta.get("title"),
        "agency": meta.get("agency"),
        "year": meta.get("year"),
        "template": tables.template,
        "published_date": meta.get("published_date"),
        "index_number": meta.get("index_number"),
        "region": find_region(meta.get("agency"), text, context),
        "active_disclosure": tables.active_disclosure,
        "applications": tables.applications,
        "review_litigation": tables.review_litigation,
        "checks": [],
        "sections": split_sections(text),
        "format": doc.kind,
        "url": url,
        "attachments": [href for _, href in doc.links],
        "page_url": (context or {}).get("page_url"),  # the page an attachment was linked from
        "warnings": list(doc.warnings) + tables.warnings,
        "text": text,
    }
    cells = tables.active_disclosure + tables.applications + tables.review_litigation
    if tables.template and all(c["value"] is None for c in cells):
        record["warnings"].append("the report's tables hold no numbers (a blank form?)")
    record["checks"] = run_checks(record)
    return record
