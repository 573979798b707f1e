"""The Archive: one SQLite file (sqlite-utils) plus the raw store of every fetched body.

Identity and versions. A report is identified by its URL (a local file by its file:// URL).
A fetch whose body has the same sha256 as the URL's last one changes nothing but the times it
was last seen; a different sha256 is a new version of the report (``version`` + 1, ``is_latest``
moves to it), and the old version stays with its cells and checks.
"""

import contextlib
import json
import os
import pathlib
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from govreports import parser
from govreports.parser.agency import describe

from . import agencies, cells, derived, lifecycle
from .pool import Job, Parsed, parse_job
from .runs import CrawlRun, Tally
from .schema import SECTIONS, TABLES, ensure_codes, ensure_schema, stored_columns
from .search import index_report, register_functions, unindex_report
from .store import RawStore

BATCH = 100  # documents filed per transaction (Archive.batched)


@dataclass(frozen=True)
class FetchResult:
    document_id: int
    sha256: str | None
    is_new_body: bool  # the bytes were not in the raw store before
    changed: bool  # this URL had a different body before


@dataclass(frozen=True)
class IngestResult:
    status: str  # new | unchanged | changed | error | not_report
    report_id: int | None
    error: str | None = None  # why, without the URL (the caller names the URL or file)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def section_spans(text: str | None, sections: dict) -> dict:
    """Where each section is in the full text: name -> [start, length] in characters (what the
    generated section columns read, see archive/schema.py), or the section's own text when it is
    not a piece of the full text; sections the record does not have left out."""
    text = text or ""
    spans, at = {}, 0
    for name in SECTIONS:
        section = sections.get(name)
        if section is None:
            continue
        found = text.find(section, at) if section else 0
        if found < 0:
            found = text.find(section)
        if found < 0:
            spans[name] = section
        else:
            spans[name] = [found, len(section)]
            at = found + len(section)
    return spans


class Archive:
    def __init__(self, db_path: str | os.PathLike, read_only: bool = False):
        """Open (and create, unless ``read_only``) the archive at ``db_path``.

        ``read_only`` opens an existing archive for reading only, so that many processes (the
        distributed crawl's workers) can ask it ``known(url)`` without ever taking SQLite's write
        lock."""
        self.path = os.fspath(db_path)
        self.read_only = read_only
        self.store = RawStore.beside(self.path)
        if read_only:
            if not os.path.isfile(self.path):
                raise FileNotFoundError(f"{self.path}: no archive to read")
            uri = f"file:{pathlib.Path(self.path).resolve()}?mode=ro"
            self.db = sqlite_utils.Database(sqlite3.connect(uri, uri=True, timeout=60))
        else:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            self.db = sqlite_utils.Database(self.path)
            ensure_schema(self.db)
        register_functions(self.db.conn)
        # an archive created before the sections became generated columns still stores them
        self.stored_sections = [name for name in SECTIONS if name in stored_columns(self.db, "reports")]

    def close(self) -> None:
        """Bring the derived tables up to date if anything changed them (archive.derived), close."""
        if not self.read_only:
            self.refresh()
        self.db.close()

    def refresh(self, full: bool = False) -> str | None:
        """Bring the derived tables up to date: what changed since the last refresh, or all of
        them (``full``). Returns "incremental", "full" or None (archive.derived.refresh_derived)."""
        return derived.refresh_derived(self.db, force=full)

    def atomic(self):
        """One transaction (a savepoint inside another) around several writes."""
        return self.db.atomic()

    def begin(self) -> None:
        """Open a transaction that ``commit`` ends (the crawl's writer commits every half second).

        Its pages stay in this connection's cache (16 MB) until the commit: spilling them to the
        file would take SQLite's exclusive lock early and lock the crawl's readers out until then.
        A half-second transaction writes a few MB; a larger cache only fills as the archive grows
        (64 MB took the crawl process from 121 MB at 1k reports to 239 MB at 8k)."""
        self.db.execute("pragma cache_size = -16384")
        self.db.begin()

    def commit(self) -> None:
        self.db.commit()

    @contextlib.contextmanager
    def batched(self, size: int = BATCH):
        """Write in one transaction per ``size`` documents: call the ``done`` it yields after
        each one. (A commit waits for the disk: one per document was most of an ingest's time.)
        Inside, every ``atomic()`` block is a savepoint."""
        count = 0

        def done() -> None:
            nonlocal count
            count += 1
            if count % size == 0:
                self.db.commit()
                self.db.begin()

        self.db.begin()
        try:
            yield done
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    # sources and crawl runs

    def upsert_source(self, source: dict) -> None:
        """Store a source of the sources YAML; keys outside the schema go to ``extras``."""
        columns = TABLES["sources"][0]
        row = {k: v for k, v in source.items() if k in columns and k not in ("domains", "extras")}
        row["domains"] = _json(list(source.get("domains") or []))
        extras = {k: v for k, v in source.items() if k not in columns}
        row["extras"] = _json(extras) if extras else None
        self.db["sources"].upsert(row, pk="name")

    def start_run(self, sources=(), resumed: bool = False, echo=None, max_pages=None) -> CrawlRun:
        """Record the start of a crawl run over ``sources`` (stored with ``upsert_source``).

        Returns the CrawlRun, whose ``tally`` the crawl counts in; ``resumed``: the run continues
        one that stopped (see ``finish_run``). What a killed crawl had stored but not parsed is
        filed first (``unparsed``)."""
        sources = list(sources)
        for source in sources:
            self.upsert_source(source)
        filed = [r for r in self.file_unparsed() if r.status in ("new", "changed")]
        if filed and echo:
            echo(f"Filed {len(filed)} report(s) that the last, interrupted crawl had stored but not parsed.")
        started = now()
        run_id = self.db["crawl_runs"].insert({"started": started}).last_pk
        tally = Tally([s["name"] for s in sources], echo=echo, max_pages=max_pages)
        return CrawlRun(run_id, started, resumed, tally)

    def finish_run(self, run: CrawlRun, finished: bool = True) -> dict:
        """End a crawl run: the cross-year check and, for a run that ``finished`` (not stopped
        before its end), the removal marks (archive.lifecycle.after_run); then the run's row gets
        its finish time, the tally per source, the errors and a summary line. Returns what
        after_run did ({"removed": [urls], "back": n})."""
        tally = run.tally
        changes = lifecycle.after_run(self.db, run.id, tally.complete(), finished, run.resumed)
        per_source, errors = tally.summary(), tally.errors
        totals: dict[str, int] = {}
        for counts in per_source.values():
            for key, n in counts.items():
                totals[key] = totals.get(key, 0) + n
        summary = f"{len(per_source)} sources: " + (
            ", ".join(f"{k} {n}" for k, n in totals.items()) or "nothing"
        )
        summary += f"; {len(errors)} errors"
        self.db["crawl_runs"].update(
            run.id,
            {"finished": now(), "sources": _json(per_source), "errors": _json(errors), "summary": summary},
        )
        return changes

    # fetches

    # Rows are read and written with plain SQL on the paths taken once per fetch: sqlite-utils'
    # get()/update()/rows_where() look the schema up again on every call.

    def _row(self, sql: str, params: list) -> dict | None:
        return next(self.db.query(sql, params), None)

    def _set(self, table: str, row_id: int, values: dict) -> None:
        assignments = ", ".join(f"[{column}] = ?" for column in values)
        self.db.execute(f"update [{table}] set {assignments} where id = ?", [*values.values(), row_id])

    def _last_fetch(self, url: str) -> dict | None:
        """The URL's last fetch that had a body."""
        sql = "select * from documents where url = ? and sha256 is not null order by id desc limit 1"
        return next(self.db.query(sql, [url]), None)

    def known(self, url: str) -> dict | None:
        last = self._last_fetch(url)
        return {k: last[k] for k in ("etag", "last_modified", "sha256")} if last else None

    def drawn_by_browser(self, url: str, sha256: str) -> bool:
        """Whether the browser drew the body ``sha256`` that ``url`` gave (its scripts may fetch
        new rows into an unchanged page, so such a page is not asked for conditionally)."""
        sql = "select 1 from documents where url = ? and sha256 = ? and via = 'browser' limit 1"
        return self._row(sql, [url, sha256]) is not None

    def parsed(self, document_id: int) -> bool:
        """Whether the parser has run over this document (as a report, not a report or an error)."""
        row = self._row("select parse_status from documents where id = ?", [document_id])
        return row is not None and row["parse_status"] is not None

    def warc_links(self) -> list[tuple[int, str, int]]:
        """(document id, WARC file, offset) of every documents row that points at a WARC record."""
        sql = "select id, warc_file, warc_offset from documents where warc_file is not null"
        return [tuple(row) for row in self.db.execute(sql).fetchall()]

    def killed_runs(self) -> list[int]:
        """Ids of crawl runs that never reached ``finish_run`` (killed, or still running)."""
        return [row[0] for row in self.db.execute("select id from crawl_runs where finished is null")]

    def link_warc(self, document_id: int, ref) -> None:
        """Point a documents row at its WARC record, ``ref`` a (file, offset) pair.

        A row already pointing at a record keeps it: a refetch with the same body updates the same
        documents row, and its first record is the one that holds the body (a later one may be a
        304)."""
        file, offset = ref
        self.db.execute(
            "update documents set warc_file = ?, warc_offset = ? where id = ? and warc_file is null",
            [file, offset, document_id],
        )

    def record_fetch(
        self,
        *,
        url: str,
        final_url: str | None = None,
        status: int = 200,
        content_type: str | None = None,
        body: bytes | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        via: str = "http",
        source: str | None = None,
        kind: str = "report",
        error: str | None = None,
        fetched_at: str | None = None,
        retry: dict | None = None,
    ) -> FetchResult:
        """Keep the body in the raw store and log the fetch in ``documents``.

        A fetch that brings the same body as the URL's last fetch (or a 304 Not Modified) is not
        a new row: the last row gets ``last_fetched_at`` (and any new validators) and its id is
        returned, so fetching or ingesting the same bytes again adds nothing.

        ``retry`` (a failure that may pass: 5xx, reset, timeout) puts the URL on the retry list
        with what the crawler needs to ask again; any other fetch of it takes it off."""
        fetched_at = fetched_at or now()
        with self.db.atomic():  # one commit: the retry list and the body's row
            if retry is None:
                self.db.execute("delete from pending_fetches where url = ?", [url])
            else:
                self._retry_later(url, source, kind, error or f"HTTP {status}", retry)
            last = self._last_fetch(url)
            digest, is_new_body = self.store.put(body) if body is not None else (None, False)
            if body is None and status == 304 and last:
                digest = last["sha256"]
            if last and digest == last["sha256"] and error is None:
                updates = {"last_fetched_at": fetched_at}
                updates.update({k: v for k, v in (("etag", etag), ("last_modified", last_modified)) if v})
                self._set("documents", last["id"], updates)
                return FetchResult(last["id"], digest, is_new_body, False)
            row = {
                "url": url,
                "final_url": final_url or url,
                "status": status,
                "content_type": content_type,
                "sha256": digest,
                "bytes": len(body) if body is not None else None,
                "fetched_at": fetched_at,
                "last_fetched_at": fetched_at,
                "etag": etag,
                "last_modified": last_modified,
                "via": via,
                "source": source,
                "kind": kind,
                "error": error,
            }
            document_id = self.db["documents"].insert(row).last_pk
            changed = bool(last and digest and digest != last["sha256"])
            return FetchResult(document_id, digest, is_new_body, changed)

    # the retry list: fetches that failed for a passing reason, asked for first on the next run

    def _retry_later(self, url: str, source: str | None, kind: str, error: str, meta: dict) -> None:
        at = now()
        self.db.execute(
            """insert into pending_fetches (url, source, kind, meta, error, tries, first_failed, last_failed)
            values (?, ?, ?, ?, ?, 1, ?, ?)
            on conflict (url) do update set error = excluded.error, tries = tries + 1,
              last_failed = excluded.last_failed, meta = excluded.meta""",
            [url, source, kind, _json(meta), error, at, at],
        )

    def pending(self, sources=None) -> list[dict]:
        """The retry list (of these sources), oldest failure first; ``meta`` decoded."""
        sql, params = "select * from pending_fetches", []
        if sources is not None:
            sources = list(sources)
            sql += f" where source in ({', '.join('?' * len(sources))})"
            params = sources
        rows = list(self.db.query(sql + " order by first_failed, url", params))
        return [{**row, "meta": json.loads(row["meta"] or "{}")} for row in rows]

    # what a crawl killed at the wrong moment left, and bodies that may have changed unseen

    def unparsed(self) -> list[int]:
        """Ids of report and attachment documents stored with a body but never filed (a crawl
        killed between the two): the writer files them from the raw store, without a fetch."""
        sql = """select id from documents where kind in ('report', 'attachment') and sha256 is not null
            and error is null and parse_status is null and not exists
            (select 1 from reports r where r.document_id = documents.id) order by id"""
        return [row["id"] for row in self.db.query(sql)]

    def file_unparsed(self) -> list[IngestResult]:
        """File what a killed crawl stored but did not parse (see ``unparsed``)."""
        return [self.ingest_document(document_id) for document_id in self.unparsed()]

    def stale(self, source: str, days: float, limit: int) -> set[str]:
        """Up to ``limit`` report URLs of ``source`` whose server gave no ETag or Last-Modified
        and that were last fetched more than ``days`` ago, least recently fetched first: a slice
        of them is fetched again each run (a changed sha256 is a new version)."""
        cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        sql = """select url, max(coalesce(last_fetched_at, fetched_at)) as seen from documents
            where source = ? and kind in ('report', 'attachment') and sha256 is not null
            group by url having seen < ? and max(coalesce(etag, last_modified)) is null
            order by seen limit ?"""
        return {row["url"] for row in self.db.query(sql, [source, cutoff, limit])}

    def record_error(self, url: str, reason: str, document_id: int | None = None) -> None:
        """An error row for ``url`` (a file:// URL for local files); once per URL, document and
        reason, so a repeated ingest adds nothing."""
        self._error_row("error", url, reason, document_id)

    def _error_row(self, status: str, url: str, reason: str, document_id: int | None) -> None:
        where = "url = ? and reason = ? and coalesce(document_id, -1) = ?"
        if self.db["ingest_errors"].count_where(where, [url, reason, document_id or -1]):
            return
        row = {"document_id": document_id, "url": url, "status": status, "reason": reason, "at": now()}
        self.db["ingest_errors"].insert(row)

    # reports

    def latest_report(self, url: str) -> dict | None:
        return self._row("select * from reports where url = ? and is_latest = 1 limit 1", [url])

    def context_for(self, source: str | None) -> dict | None:
        """The region context of a source: its province, city and county."""
        if not source:
            return None
        rows = list(self.db["sources"].rows_where("name = ?", [source]))
        if not rows:
            return None
        return {k: rows[0][k] for k in ("province", "city", "county") if rows[0][k]} or None

    def parse_context(self, doc: dict, context: dict | None = None) -> dict | None:
        """The region context a document is parsed with: the one given, else the one it was
        ingested with, else its source's."""
        return context or (json.loads(doc["context"]) if doc["context"] else self.context_for(doc["source"]))

    def parse_job(self, doc: dict, context: dict | None = None) -> Job:
        """What a worker of archive.pool needs to parse a stored document."""
        url = doc["final_url"] or doc["url"]
        return Job(doc["id"], doc["sha256"], doc["content_type"], url, self.parse_context(doc, context))

    def parse_document(self, doc: dict, context: dict | None = None) -> dict:
        """Run the parser over a stored document here. Raises parser.ParseError (and subclasses)."""
        parsed = parse_job(self.store, self.parse_job(doc, context))
        if parsed.error:
            raise (parser.NotAReport if parsed.not_report else parser.ParseError)(parsed.error)
        return parsed.record

    def ingest_document(
        self, document_id: int, context: dict | None = None, source: str | None = None, retry: bool = False
    ) -> IngestResult:
        """Parse a stored document here and file it as a report (see the module docstring for
        versions). ``to_parse`` then ``file_parsed``, with the parsing in between done in this
        process; archive.pool does it in worker processes."""
        doc = self.to_parse(document_id, context, source, retry)
        if isinstance(doc, IngestResult):
            return doc
        return self.file_parsed(doc, parse_job(self.store, self.parse_job(doc, context)))

    def to_parse(
        self, document_id: int, context: dict | None = None, source: str | None = None, retry: bool = False
    ) -> dict | IngestResult:
        """The documents row to parse, or what ingesting it comes to without parsing.

        A document the parser already turned down (error, not_report) is not parsed again unless
        ``retry`` (reparse does, after a parser fix): the same bytes give the same answer."""
        doc = self._row("select * from documents where id = ?", [document_id])
        if source and not doc["source"]:
            doc["source"] = source
        if context and _json(context) != doc["context"]:  # kept: reparse sees the report as ingest did
            doc["context"] = _json(context)
            self._set("documents", document_id, {"context": doc["context"]})
        if not doc["sha256"]:
            reason = f"no body to parse ({doc['error'] or 'status ' + str(doc['status'])})"
            self._error_row("error", doc["url"], reason, document_id)
            return IngestResult("error", None, reason)
        if doc["parse_status"] in ("error", "not_report") and not retry:
            last_error = self._row(
                "select reason from ingest_errors where document_id = ? order by id desc limit 1",
                [document_id],
            )
            return IngestResult(doc["parse_status"], None, last_error and last_error["reason"])
        return self._unchanged(doc) or doc

    def _unchanged(self, doc: dict) -> IngestResult | None:
        """When the URL's latest report has this body already: its times moved on, no parse."""
        latest = self.latest_report(doc["url"])
        if latest and latest["sha256"] == doc["sha256"]:
            seen = doc["last_fetched_at"] or doc["fetched_at"]
            if seen > (latest["last_seen"] or ""):
                self._set("reports", latest["id"], {"last_seen": seen, "removed_at": None})
            return IngestResult("unchanged", latest["id"])
        return None

    def file_parsed(self, doc: dict, parsed: Parsed) -> IngestResult:
        """File what the parser made of a documents row (from ``to_parse``): a new report or
        version, or the parser's error."""
        if unchanged := self._unchanged(doc):  # the same body was filed since to_parse
            return unchanged
        document_id = doc["id"]
        if parsed.error:
            status = "not_report" if parsed.not_report else "error"
            with self.db.atomic():
                self._set("documents", document_id, {"parse_status": status})
                self._error_row(status, doc["url"], parsed.error, document_id)
            return IngestResult(status, None, parsed.error)
        record = parsed.record
        latest = self.latest_report(doc["url"])
        ensure_codes(self.db, record)
        with self.db.atomic():
            if latest:
                self._set("reports", latest["id"], {"is_latest": 0})
                unindex_report(self.db, latest["id"])
            row = {
                "url": doc["url"],
                "version": latest["version"] + 1 if latest else 1,
                "is_latest": 1,
                "first_seen": doc["fetched_at"],
                "last_seen": doc["last_fetched_at"] or doc["fetched_at"],
                "source": doc["source"],
                "document_id": document_id,
                "sha256": doc["sha256"],
                **self.report_columns(record, doc["source"]),
            }
            report_id = self.db["reports"].insert(row).last_pk
            agencies.link(self.db, [report_id])
            self.write_cells(report_id, record)
            index_report(self.db, report_id, row["title"], row["agency"], row["text"])
            self._set("documents", document_id, {"parse_status": "report"})
        return IngestResult("changed" if latest else "new", report_id)

    def report_columns(self, record: dict, source: str | None) -> dict:
        """The columns of a reports row that come from the parser's record (and the source):
        level, government level and sector from the agency's name and region, else the source's."""
        region = record.get("region") or {}
        agency = describe(record.get("agency"), region)
        sections = record.get("sections") or {}
        failed = [c for c in record.get("checks") or [] if not c.get("passed")]
        sources = list(self.db["sources"].rows_where("name = ?", [source])) if source else []
        return {
            "title": record.get("title"),
            "agency": record.get("agency"),
            "province": region.get("province"),
            "city": region.get("city"),
            "county": region.get("county"),
            "region_code": region.get("code"),
            "level": agency["level"] or (sources[0]["level"] if sources else None),
            "government_level": agency["government_level"],
            "sector": agency["sector"] or (sources[0]["sector"] if sources else None),
            "year": record.get("year"),
            "template": record.get("template"),
            "published_date": record.get("published_date"),
            "index_number": record.get("index_number"),
            "format": record.get("format"),
            "check_failures": len(failed),
            "failed_checks": _json(sorted({c["rule"] for c in failed})),
            "parse_warnings": _json(record.get("warnings") or []),
            "attachments": _json(record.get("attachments") or []),
            "page_url": record.get("page_url"),
            **{name: sections.get(name) for name in self.stored_sections},
            "section_spans": _json(section_spans(record.get("text"), sections)),
            "text": record.get("text"),
        }

    def update_report(self, report: dict, record: dict) -> None:
        """Replace what the parser gave for a stored report (reparse): same version, same times."""
        ensure_codes(self.db, record)
        with self.db.atomic():
            columns = self.report_columns(record, report["source"])
            if report["is_latest"]:
                unindex_report(self.db, report["id"])  # with the values it was indexed with
            self.db["reports"].update(report["id"], columns)
            agencies.link(self.db, [report["id"]])
            self.write_cells(report["id"], record)
            if report["is_latest"]:
                index_report(self.db, report["id"], columns["title"], columns["agency"], columns["text"])

    def write_cells(self, report_id: int, record: dict) -> None:
        """Replace the report's cells (with their raw text) and checks (archive.cells)."""
        cells.write(self.db, report_id, record)
        derived.mark(self.db, [report_id])  # its summaries move at the next refresh
