"""The archive: SQLite database (sqlite-utils) plus a raw store of every fetched body by sha256.

Public API (used by the crawler, the CLI and Datasette):

    from govreports.archive import Archive
    archive = Archive("reports.db")          # creates the schema; raw store in reports.raw/
    fetch = archive.record_fetch(url=..., final_url=..., status=200, content_type="text/html",
                                 body=b"...", etag=None, last_modified=None, via="http",
                                 source="宁波市北仑区人民政府", kind="report")
    # -> FetchResult(document_id, sha256, is_new_body, changed); the same body as the URL's last
    #    fetch (or a 304) reuses that documents row instead of adding one
    result = archive.ingest_document(fetch.document_id, context={"province": ..., "city": ...})
    # -> IngestResult(status="new"|"unchanged"|"changed"|"error"|"not_report", report_id, error);
    #    a document the parser turned down is not parsed again unless retry=True (reparse)
    archive.known(url)  # -> dict(etag, last_modified, sha256) of the last fetch of url, or None
    archive.drawn_by_browser(url, sha256); archive.parsed(document_id)
    archive.link_warc(document_id, (warc_file, offset))

    run = archive.start_run(sources, resumed=False)  # -> CrawlRun(id, started, resumed, tally)
    run.tally.count(source, "pages"); run.tally.fail(source, url, "HTTP 500")
    archive.finish_run(run, finished=True)  # cross-year check, removal marks, the crawl_runs row

    Archive(db, read_only=True)  # an existing archive for reading only (distributed workers)

    from govreports.archive.search import search
    search("reports.db", "复议")  # -> latest reports matching, with a snippet; 1-character
                                  #    queries and longer ones work (see archive/search.py)

Modules: db (Archive), runs (a crawl run and its Tally), schema (tables, code tables with Chinese
labels), store (raw store), search (Chinese full-text search, also a Datasette plugin), ingest
(`govreports ingest`), reparse (`govreports reparse`), lifecycle (removed reports, the cross-year
check), lock (one crawl per archive at a time). The command line is govreports.crawler.cli, and
`govreports serve` is govreports.datasette.serve.
"""

__all__ = ["Archive", "FetchResult", "IngestResult"]


def __getattr__(name):
    # Imported on first use, so that Datasette, which loads archive.search as a plugin, and
    # `govreports serve` do not import the parser.
    if name in __all__:
        from . import db

        return getattr(db, name)
    raise AttributeError(f"module 'archive' has no attribute {name!r}")
