"""The archive's own pages in Datasette.

- ``/report/<id>``: one report the way it was printed (the 25-row application grid, the active
  disclosure and review/litigation tables), its failed cross-checks, where it came from, and the
  agency's other years.
- ``/-/search?q=``: full-text search that finds Chinese words of any length, with highlighted
  snippets; the reports table's own search box gets the same snippets under each row.
- ``/-/export/<table>.jsonl``: a whole table as JSON lines, streamed (Datasette streams CSV
  itself: ``<table>.csv?_stream=on``).
- ``/-/raw/<sha256>``: the archived original file, as a download (never rendered: the original
  HTML is somebody else's markup).
- the reports page's default facets counted ahead (``counted`` facets, archive.derived), a facet
  "has failed checks" (yes/no), and links from report titles to the report pages.
"""

import json
import pathlib
import sqlite3
import urllib.parse

import markupsafe
import sqlite_utils
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ArrayFacet, ColumnFacet, Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args, tilde_encode
from datasette.utils.asgi import AsgiStream, NotFound, Response

from govreports.archive import derived
from govreports.archive.search import (
    FTS_TABLE,
    TABLE_SEARCH_SCOPE,
    passage,
    search,
    searches_in,
    table_search,
)
from govreports.archive.store import RawStore
from govreports.parser import labels as L

STATIC_MOUNT = "govreports-static"  # datasette --static govreports-static:datasette/static
SEARCH_PAGE = 20  # results on the search page; ?limit= asks for more, up to SEARCH_LIMIT
SEARCH_LIMIT = 200
# The reports table as the home and search pages open it: current versions, the columns a reader
# scans first (the cog menu of any column brings the others back).
BROWSE_COLUMNS = [
    "title", "agency", "province", "city", "county", "level", "sector", "year", "template",
    "published_date", "check_failures", "failed_checks", "url",
]  # fmt: skip
BROWSE_QUERY = urllib.parse.urlencode([("is_latest", "1")] + [("_col", column) for column in BROWSE_COLUMNS])
SNIPPET_WIDTH = 60

# The application table's fixed top rows (with the numbering the forms print) and the groups of
# 三、本年度办理结果 whose rows are numbered 1., 2., ... under a group label.
TOP_ROWS = {"new": "一、", "carried_over": "二、", "carried_forward": "四、"}
RESULTS_LABEL = "三、本年度办理结果"
GROUP_LABELS = {
    "denied": "（三）不予公开",
    "unable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}
LITIGATION_LABEL = "行政诉讼"


# Which database is the archive, and its metadata under whatever name it is served


def archive_names(datasette) -> list[str]:
    return [name for name, db in datasette.databases.items() if not db.is_memory]


async def archive_db(datasette, request):
    """The archive database, once the actor may see its reports (the pages here show them all)."""
    names = archive_names(datasette)
    if not names:
        raise NotFound("No archive database is being served")
    await datasette.ensure_permissions(
        request.actor, [("view-table", (names[0], "reports")), ("view-database", names[0]), "view-instance"]
    )
    return datasette.get_database(names[0])


# Routes


@hookimpl
def register_routes():
    return [
        (r"^/report/(?P<id>\d+)$", report_page),
        (r"^/-/search$", search_page),
        (r"^/-/raw/(?P<sha256>[0-9a-f]{64})$", raw_file),
        (r"^/-/export/(?P<table>[A-Za-z_]+)\.jsonl$", export_jsonl),
    ]


EXPORT_BATCH = 1000
EXPORT_REPORTS = 10  # reports per batch of a table or view read by report (about 2,000 cells)


async def export_jsonl(request, datasette):
    """Every row of a table or view, one JSON object a line, read a batch at a time (the SQL time
    limit applies to each batch, never to the whole export): in rowid order, or report by report
    for what has no rowid (the cells' views and compact tables, archive.cells)."""
    db = await archive_db(datasette, request)
    table = request.url_vars["table"]
    tables = await db.table_names()
    if table not in tables + await db.view_names() or table.startswith(FTS_TABLE):
        raise NotFound(f"There is no table {table} to export")
    await datasette.ensure_permissions(request.actor, [("view-table", (db.name, table))])
    sql = (await db.execute("select sql from sqlite_master where name = ?", [table])).first()[0]
    by_report = table not in tables or "WITHOUT ROWID" in sql.upper()
    if by_report and "report_id" not in await db.table_columns(table):
        raise NotFound(f"{table} has no rowid and no report_id to export it by")

    async def write_rows(writer, rows, skip):
        columns = rows.columns[skip:]
        for row in rows:
            record = dict(zip(columns, tuple(row)[skip:], strict=True))
            await writer.write(json.dumps(record, ensure_ascii=False) + "\n")

    async def stream(writer):
        last = -(2**63)  # the smallest rowid
        while True:
            if by_report:
                ids = await db.execute(
                    f"select id from reports where id > ? order by id limit {EXPORT_REPORTS}", [last]
                )
                if not ids.rows:
                    return
                top = ids.rows[-1][0]
                rows = await db.execute(
                    f"select * from [{table}] where report_id > ? and report_id <= ?", [last, top]
                )
                await write_rows(writer, rows, 0)
                last = top
                continue
            rows = await db.execute(
                f"select rowid as _export_rowid, * from [{table}] where rowid > ? order by rowid "
                f"limit {EXPORT_BATCH}",
                [last],
            )
            await write_rows(writer, rows, 1)
            if len(rows) < EXPORT_BATCH:
                return
            last = rows.rows[-1]["_export_rowid"]

    headers = {"content-disposition": f'attachment; filename="{table}.jsonl"'}
    return AsgiStream(stream, headers=headers, content_type="application/x-ndjson; charset=utf-8")


async def report_page(request, datasette):
    db = await archive_db(datasette, request)
    report_id = int(request.url_vars["id"])
    report = (await db.execute("select * from reports where id = ?", [report_id])).first()
    if report is None:
        raise NotFound(f"There is no report {report_id} in this archive")
    report = dict(report)

    async def rows(sql, params):
        return [dict(r) for r in await db.execute(sql, params)]

    cells = {
        table: await rows(f"select * from {table} where report_id = ?", [report_id])
        for table in ("applications", "active_disclosure", "review_litigation")
    }
    failed = await rows(
        """select c.*, r.label_zh as rule_label from checks c left join codes_rule r on r.code = c.rule
        where c.report_id = ? and c.passed = 0""",
        [report_id],
    )
    other_years = []
    if report["agency_id"]:  # the agency in any spelling (govreports.archive.agencies)
        other_years = await rows(
            """select id, year, title, check_failures, published_date from reports
            where is_latest = 1 and agency_id = :agency_id and id != :id
            order by year desc, id desc""",
            report,
        )
    versions = await rows(
        "select id, version, is_latest, first_seen, last_seen, sha256 from reports where url = ? order by version",
        [report["url"]],
    )
    document = (await db.execute("select * from documents where id = ?", [report["document_id"]])).first()
    marks = failed_cells(failed)
    context = {
        "database": db.name,
        "report": report,
        "document": dict(document) if document else None,
        "source_row": tilde_encode(report["source"]) if report["source"] else None,
        "raw_available": bool(report["sha256"]) and raw_path(db, report["sha256"]).is_file(),
        "failed": [{**c, "where": check_where(c)} for c in failed],
        "application_grid": application_grid(report["template"], cells["applications"], marks),
        "applicant_labels": L.APPLICANT_LABELS,
        "active_tables": active_tables(report["template"], cells["active_disclosure"]),
        "review_cells": review_cells(cells["review_litigation"], marks),
        "proceeding_labels": L.PROCEEDING_LABELS,
        "outcome_labels": L.OUTCOME_LABELS,
        "litigation_label": LITIGATION_LABEL,
        "other_years": other_years,
        "versions": versions,
        "warnings": json.loads(report["parse_warnings"] or "[]"),
    }
    return Response.html(await datasette.render_template("report.html", context, request=request))


async def search_page(request, datasette):
    db = await archive_db(datasette, request)
    query = (request.args.get("q") or "").strip()
    asked = request.args.get("limit") or ""
    limit = min(int(asked), SEARCH_LIMIT) if asked.isdigit() and int(asked) > 0 else SEARCH_PAGE
    results = []
    if query:
        hits = await db.execute_fn(lambda conn: search(sqlite_utils.Database(conn), query, limit))
        texts = await report_texts(db, [hit["id"] for hit in hits])
        results = [
            {
                **hit,
                "title_marked": highlight(
                    hit["title"] or hit["agency"] or f"报告 {hit['id']}", query, width=200
                ),
                "snippet": highlight(texts.get(hit["id"]), query),
            }
            for hit in hits
        ]
    context = {
        "q": query,
        "results": results,
        "limit": limit,
        "more_query": urllib.parse.urlencode({"q": query, "limit": min(limit * 5, SEARCH_LIMIT)}),
        "database": db.name,
        "table_query": BROWSE_QUERY + "&" + urllib.parse.urlencode({"_search": query}),
    }
    return Response.html(await datasette.render_template("search.html", context, request=request))


async def raw_file(request, datasette):
    db = await archive_db(datasette, request)
    digest = request.url_vars["sha256"]
    row = (
        await db.execute(
            """select d.content_type, r.format from documents d left join reports r on r.sha256 = d.sha256
            where d.sha256 = ? limit 1""",
            [digest],
        )
    ).first()
    path = raw_path(db, digest)
    if row is None or not path.is_file():
        raise NotFound(f"The file {digest} is not in this copy of the archive's raw store")
    extension = {"text": "txt", "html": "html"}.get(row["format"], row["format"] or "bin")
    return Response(
        path.read_bytes(),
        content_type=row["content_type"] or "application/octet-stream",
        headers={
            # A download, never a page of this site: archived HTML may carry any script.
            "content-disposition": f'attachment; filename="{digest[:16]}.{extension}"',
            "content-security-policy": "sandbox",
            "x-content-type-options": "nosniff",
        },
    )


def raw_path(db, digest: str) -> pathlib.Path:
    """Where archive.Archive keeps a body: ``<db stem>.raw/`` beside the database file."""
    db_path = pathlib.Path(db.path)
    return RawStore(db_path.parent / (db_path.stem + ".raw")).path(digest)


async def report_texts(db, ids) -> dict:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {
        row["id"]: row["text"]
        for row in await db.execute(f"select id, text from reports where id in ({marks})", ids)
    }


# The reports page's facets: counted ahead while the archive's derived tables are current
# (archive.derived), counted live otherwise; "has failed checks" is a yes/no facet over the count
# column check_failures.

FLAG_NAME = "有未通过的校验"
FLAG_COLUMN = "check_failures"
# request arguments that a counted facet can answer, per table (archive.derived.COUNTED): argument
# -> (dimension, whether its value is a number)
COUNTED_FILTERS = {
    "reports": {"is_latest": ("is_latest", True), "province": ("province", False), "year": ("year", True)},
    "coverage": {"year": ("year", True), "status": ("status", False), "province": ("province", False)},
}
FAILING_FILTERS = {("check_failures__gt", "0"): 1, ("check_failures__exact", "0"): 0}
# arguments that change neither the rows counted nor the counts
NEUTRAL_ARGS = {
    "_col", "_nocol", "_sort", "_sort_desc", "_size", "_labels", "_nolabels", "_facet_size", "_nosuggest",
    "_shape", "_json", "_trace", "_nocount", "_extra", "_facet", "_facet_array", "_facet_counted",
    "_facet_has_failed_checks",
}  # fmt: skip


@hookimpl
def register_facet_classes():
    return [CountedFacet, HasFailedChecksFacet]


def counted_filters(request, table: str) -> dict | None:
    """The request's filters as the dimensions of the table's counts (derived.facet_counts), or
    None when it has any other (or the table has no counts)."""
    if table not in COUNTED_FILTERS:
        return None
    filters = {}
    for key, value in urllib.parse.parse_qsl(request.query_string, keep_blank_values=True):
        if key in NEUTRAL_ARGS:
            continue
        column = key.removesuffix("__exact")
        if table == "reports" and (key, value) in FAILING_FILTERS:
            dimension, value = "failing", FAILING_FILTERS[(key, value)]
        elif column in COUNTED_FILTERS[table]:
            dimension, number = COUNTED_FILTERS[table][column]
            if number:
                if not value.lstrip("-").isdigit():
                    return None
                value = int(value)
        else:
            return None
        if filters.get(dimension, value) != value:
            return None  # two values of one filter: no row has both
        filters[dimension] = value
    return filters


def toggle(facet, request, arg: tuple[str, str]) -> tuple[str, bool]:
    """(toggle URL, selected) of one facet value whose filter is the query argument ``arg``."""
    selected = arg in facet.get_querystring_pairs()
    change = path_with_removed_args if selected else path_with_added_args
    path = change(request, {arg[0]: arg[1]})
    return facet.ds.absolute_url(request, facet.ds.urls.path(path)), selected


def facet_info(facet, name: str, kind: str, rows, source: str, size: int) -> dict:
    """A facet's results the way Datasette's own facets give them, from [(value, count)]."""
    if kind == "flag":
        rows = sorted(rows, key=lambda row: -row[0])  # yes first
    values = []
    for value, count in rows[:size]:
        if kind == "flag":
            arg = (f"{FLAG_COLUMN}__gt", "0") if value else (f"{FLAG_COLUMN}__exact", "0")
            label = "是 yes" if value else "否 no"
        elif kind == "array":
            arg, label = (f"{name}__arraycontains", str(value)), value
        else:
            arg, label = (name, str(value)), value
        url, selected = toggle(facet, facet.request, arg)
        values.append(
            {"value": value, "label": label, "count": count, "toggle_url": url, "selected": selected}
        )
    shown_type = {"column": "column", "array": "array", "flag": HasFailedChecksFacet.type}[kind]
    return {
        "name": FLAG_NAME if kind == "flag" else name,
        "type": shown_type,
        "hideable": source != "metadata",
        "toggle_url": facet.ds.urls.path(
            path_with_removed_args(facet.request, {f"_facet_{facet.type}": name})
        ),
        "results": values,
        "truncated": len(rows) > size,
    }


# a facet counted over the page's rows, per kind: (value, count), most common first
LIVE_COUNTS = {
    "column": """select {column} as value, count(*) as count from ({sql}) where {column} is not null
      group by {column} order by count desc, value limit {limit}""",
    "array": """select j.value as value, count(*) as count from ({sql}) as page, json_each(page.{column}) as j
      where json_valid(page.{column}) group by j.value order by count desc, value limit {limit}""",
    "flag": """select {column} > 0 as value, count(*) as count from ({sql}) where {column} is not null
      group by value order by value desc limit {limit}""",
}


def live_counts(conn, kind: str, facet: str, sql: str, params: dict, limit: int) -> list[tuple]:
    """A facet of ``kind`` (``derived.COUNTED``'s) counted over the rows of ``sql``."""
    column = escape_sqlite(FLAG_COLUMN if kind == "flag" else facet)
    return [
        tuple(row)
        for row in conn.execute(LIVE_COUNTS[kind].format(column=column, sql=sql, limit=limit), params)
    ]


class CountedFacet(Facet):
    """``facets: [{counted: province}, ...]``: a facet counted ahead (archive.derived.COUNTED:
    the reports page's columns, the yes/no has_failed_checks, the JSON array failed_checks; the
    coverage page's columns), read from the counts when the page's filters are among the counted
    ones (and, for reports, the counts are current); counted live otherwise."""

    type = "counted"

    async def facet_results(self):
        results, timed_out = [], []
        configs = self.get_configs()
        filters = counted_filters(self.request, self.table)
        size = self.get_facet_size()
        facets = derived.COUNTED[self.table][2] if self.table in derived.COUNTED else {}
        wanted = [c["config"]["simple"] for c in configs if c["config"]["simple"] in facets]

        def read_counts(conn):  # every counted facet in one call to the database thread
            if filters is None or not wanted or (self.table == "reports" and not derived.is_current(conn)):
                return {}
            try:
                return {
                    facet: derived.facet_counts(conn, facet, filters, size + 1, self.table)
                    for facet in wanted
                }
            except sqlite3.OperationalError:  # an archive from before these counts: counted live
                return {}

        def read_live(conn):  # a search's few matches: every facet counted over them in one call
            return {
                facet: live_counts(conn, facets[facet], facet, self.sql, self.params, size + 1)
                for facet in wanted
            }

        db = self.ds.get_database(self.database)
        counted = await db.execute_fn(read_counts)
        searched = await self.search_answer() if filters is None else None
        if searched and searched.common:
            # counted live over hundreds of thousands of matches, 8 facets would take seconds:
            # Datasette lists them as timed out, and the page answers
            return [], [c["config"]["simple"] for c in configs if c["config"]["simple"] not in counted]
        if searched:
            counted = await db.execute_fn(read_live)
        for source_and_config in configs:
            facet = source_and_config["config"]["simple"]
            kind = facets.get(facet, "column")
            if facet in counted:
                results.append(
                    facet_info(self, facet, kind, counted[facet], source_and_config["source"], size)
                )
                continue
            live = await self.live(facet, kind, source_and_config["source"])
            results.extend(live[0])
            timed_out.extend(live[1])
        return results, timed_out

    async def search_answer(self):
        """How the reports page searches (search.TableSearch), None when it does not."""
        searches = searches_in(self.request.args)
        if not searches or self.table != "reports":
            return None
        found = self.request.scope.get(TABLE_SEARCH_SCOPE)  # worked out by plugins/table_search.py
        if found is None:
            found = await self.ds.get_database(self.database).execute_fn(
                lambda conn: table_search(conn, searches)
            )
        return found

    async def live(self, facet, kind, source):
        """The facet counted over the page's rows by Datasette's own facet of its kind."""
        klass = {"column": ColumnFacet, "array": ArrayFacet, "flag": HasFailedChecksFacet}[kind]
        column = FLAG_COLUMN if kind == "flag" else facet
        counter = klass(
            self.ds, self.request, self.database, sql=self.sql, table=self.table, params=self.params,
            metadata={"facets": [{klass.type: column}]}, row_count=self.row_count,
        )  # fmt: skip
        results, timed_out = await counter.facet_results()
        for result in results:
            result["hideable"] = source != "metadata"
        return results, timed_out


class HasFailedChecksFacet(Facet):
    """``facets: [{has_failed_checks: check_failures}]``: 是 yes (column > 0) / 否 no (= 0)."""

    type = "has_failed_checks"

    async def facet_results(self):
        results, timed_out = [], []
        for source_and_config in self.get_configs():
            column = source_and_config["config"]["simple"]
            sql = LIVE_COUNTS["flag"].format(column=escape_sqlite(column), sql=self.sql, limit=2)
            try:
                rows = await self.ds.execute(
                    self.database, sql, self.params, custom_time_limit=self.ds.setting("facet_time_limit_ms")
                )
            except QueryInterrupted:
                timed_out.append(self.type)
                continue
            info = facet_info(
                self, column, "flag", [tuple(row) for row in rows], source_and_config["source"], 2
            )
            results.append(info)
        return results, timed_out


# Templates: snippets in the reports table search, links to the report pages


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path(f"{STATIC_MOUNT}/govreports.css")]


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    names = archive_names(datasette)
    extra = {"archive_database": names[0] if names else None, "browse_reports_query": BROWSE_QUERY}
    query = " ".join(searches_in(request.args).values()) if request is not None else None
    if view_name == "table" and table == "reports" and query:

        async def report_snippets(rows) -> list:
            """The passage under each row of the page, in the page's order: one query for the page."""
            ids = [row["id"] for row in rows]
            texts = await report_texts(datasette.get_database(database), ids)
            return [highlight(texts.get(report_id), query) for report_id in ids]

        extra["report_snippets"] = report_snippets
    if view_name == "index" and names:
        extra["archive_summary"] = lambda: archive_summary(datasette.get_database(names[0]))
        extra["archive_queries"] = lambda: datasette.get_canned_queries(names[0], request.actor)
    return extra


async def archive_summary(db) -> dict | None:
    """The home page's totals: from archive.derived's archive_summary while the derived tables
    are current, counted live otherwise; the last crawl from crawl_runs."""
    if not await db.table_exists("reports"):
        return None
    current = await db.execute_fn(derived.is_current)
    sql = "select * from archive_summary" if current else derived.LIVE_SUMMARY
    summary = dict((await db.execute(sql)).first())
    summary["last_crawl"] = (await db.execute("select max(finished) from crawl_runs")).first()[0]
    return summary


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    # Titles in the reports table, and "report" columns of canned queries, open the report page.
    if value is None:
        return None
    if table == "reports" and column == "title":
        report_id = row["id"]
    elif table is None and column == "report" and isinstance(value, int):
        report_id = value
    else:
        return None
    return markupsafe.Markup('<a href="{}">{}</a>').format(datasette.urls.path(f"report/{report_id}"), value)


def highlight(text: str | None, query: str, width: int = SNIPPET_WIDTH) -> markupsafe.Markup:
    """A piece of ``text`` around the first query term found, every term in it in <mark>."""
    return markupsafe.Markup("").join(
        markupsafe.Markup("<mark>{}</mark>").format(part) if term else part
        for part, term in passage(text, query, width)
    )


# The report's tables, laid out like the printed forms


def check_where(check: dict) -> str:
    parts = [
        L.APPLICATION_ROW_LABELS.get(check.get("row") or "", check.get("row")),
        L.APPLICANT_LABELS.get(check.get("applicant") or "", check.get("applicant")),
        L.PROCEEDING_LABELS.get(check.get("proceeding") or "", check.get("proceeding")),
    ]
    return " · ".join(p for p in parts if p)


def failed_cells(failed: list[dict]) -> dict:
    """Which printed cell each failed check points at: {(table, row, column): [checks]}."""
    marks = {}
    for check in failed:
        row, applicant, proceeding = check.get("row"), check.get("applicant"), check.get("proceeding")
        if proceeding:
            key = ("review", proceeding, "total")
        elif row:
            key = ("applications", row, applicant or "total")
        elif applicant:
            key = ("applications", "handled_total", applicant)
        else:
            continue  # narrative checks are about the text, not one cell
        marks.setdefault(key, []).append(check)
    return marks


def shown(cell: dict | None, checks: list | None = None) -> dict:
    """A cell as the report printed it (its raw text), with its number and any failed check."""
    if cell is None:
        return {"text": "", "missing": True, "failed": checks}
    raw = (cell.get("raw") or "").strip()
    value = cell.get("value")
    text = raw or ("" if value is None else str(value))
    title = []
    if value is not None and raw != str(value):
        title.append(f"读作 read as {value}")
    for c in checks or []:
        title.append(
            f"{c['rule_label'] or c['rule']}: 应为 expected {c['expected']}, 实为 found {c['found']}"
        )
    return {"text": text, "value": value, "title": "; ".join(title), "failed": checks}


def application_grid(template: str | None, cells: list[dict], marks: dict) -> list[dict]:
    """Rows of the application table: label cells (with row/colspans, as printed) and 7 values."""
    if not cells:
        return []
    printed = {c["row"] for c in cells if c["value"] is not None or (c["raw"] or "").strip()}
    wanted = set(L.ROWS_2019 if template == "2019" else L.ROWS_2021) | printed
    if "other" in printed and not any(code.startswith("other.") for code in printed):
        wanted -= {code for code in wanted if code.startswith("other.")}  # (六)其他处理 printed as one row
    codes = [code for code, _, _ in L.APPLICATION_ROWS if code in wanted]
    codes += sorted(printed - set(codes))
    results = [code for code in codes if code not in TOP_ROWS]
    by_cell = {(c["row"], c["applicant"]): c for c in cells}
    grid = []
    for code in codes:
        name = L.APPLICATION_ROW_LABELS.get(code, code)
        if code in TOP_ROWS:
            labels = [{"text": TOP_ROWS[code] + name, "colspan": 3}]
        else:
            labels = [{"text": RESULTS_LABEL, "rowspan": len(results)}] if code == results[0] else []
            group = code.split(".")[0] if "." in code else None
            if group:
                members = [c for c in results if c.startswith(group + ".")]
                if code == members[0]:
                    labels.append({"text": GROUP_LABELS.get(group, group), "rowspan": len(members)})
                labels.append({"text": f"{members.index(code) + 1}.{name}"})
            else:
                labels.append({"text": name, "colspan": 2})
        values = [shown(by_cell.get((code, a)), marks.get(("applications", code, a))) for a in L.APPLICANTS]
        grid.append({"code": code, "labels": labels, "cells": values})
    return grid


def active_tables(template: str | None, cells: list[dict]) -> list[dict]:
    """The active-disclosure table as printed: items sharing the same metrics form one block."""
    metrics = {item: list(ms) for item, ms in (L.ACTIVE_METRICS.get(template or "") or {}).items()}
    if not cells:
        return []
    for c in cells:
        known = metrics.setdefault(c["item"], [])
        if c["metric"] not in known:
            known.append(c["metric"])
    by_cell = {(c["item"], c["metric"]): c for c in cells}
    blocks = []
    for item, ms in metrics.items():
        row = {
            "label": L.ACTIVE_ITEMS.get(item, (item,))[0],
            "cells": [shown(by_cell.get((item, m))) for m in ms],
        }
        if blocks and blocks[-1]["metrics"] == ms:
            blocks[-1]["rows"].append(row)
        else:
            blocks.append({"metrics": ms, "headers": [L.METRIC_LABELS.get(m, m) for m in ms], "rows": [row]})
    return blocks


def review_cells(cells: list[dict], marks: dict) -> list[dict]:
    """The review/litigation table's one row: 3 proceedings x 5 outcomes."""
    if not cells:
        return []
    by_cell = {(c["proceeding"], c["outcome"]): c for c in cells}
    return [
        shown(by_cell.get((p, o)), marks.get(("review", p, o))) for p in L.PROCEEDINGS for o in L.OUTCOMES
    ]
