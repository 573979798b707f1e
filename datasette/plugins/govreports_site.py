"""The archive's own pages in Datasette.

- ``/report/<id>``: one report the way it was printed (the 25-row application grid, the active
  disclosure and review/litigation tables), its failed cross-checks, where it came from, and the
  agency's other years.
- ``/-/search?q=``: full-text search that finds Chinese words of any length, with highlighted
  snippets; the reports table's own search box gets the same snippets under each row.
- ``/-/raw/<sha256>``: the archived original file, as a download (never rendered: the original
  HTML is somebody else's markup).
- a facet "has failed checks" (yes/no) and links from report titles to the report pages.
"""

import json
import pathlib
import re
import unicodedata
import urllib.parse

import markupsafe
import sqlite_utils
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args, tilde_encode
from datasette.utils.asgi import NotFound, Response

from govreports.archive.search import search
from govreports.archive.store import RawStore
from datasette import hookimpl
from govreports.parser import labels as L

STATIC_MOUNT = "govreports-static"  # datasette --static govreports-static:datasette/static
SEARCH_LIMIT = 100
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


@hookimpl
def get_metadata(datasette, key, database, table):
    # datasette-dashboards needs the database name in every chart and query-backed filter, and
    # the name is the served file's. Datasette 0.65 has no public accessor for the --metadata
    # file's own content; reading it through datasette.metadata() would call this hook again.
    if key not in (None, "plugins"):
        return {}
    names = archive_names(datasette)
    dashboards = ((datasette._metadata_local or {}).get("plugins") or {}).get("datasette-dashboards")
    if not names or not dashboards:
        return {}
    db = {"db": names[0]}
    return {
        "plugins": {
            "datasette-dashboards": {
                slug: {
                    "charts": {name: dict(db) for name in board.get("charts") or {}},
                    "filters": {
                        name: dict(db) for name, f in (board.get("filters") or {}).items() if "query" in f
                    },
                }
                for slug, board in dashboards.items()
            }
        }
    }


# Routes


@hookimpl
def register_routes():
    return [
        (r"^/report/(?P<id>\d+)$", report_page),
        (r"^/-/search$", search_page),
        (r"^/-/raw/(?P<sha256>[0-9a-f]{64})$", raw_file),
    ]


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
        table: await rows(f"select * from {table} where report_id = ? order by id", [report_id])
        for table in ("applications", "active_disclosure", "review_litigation")
    }
    failed = await rows(
        """select c.*, r.label_zh as rule_label from checks c left join codes_rule r on r.code = c.rule
        where c.report_id = ? and c.passed = 0 order by c.id""",
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
    results = []
    if query:
        hits = await db.execute_fn(lambda conn: search(sqlite_utils.Database(conn), query, SEARCH_LIMIT))
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
        "limit": SEARCH_LIMIT,
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


# A yes/no facet "has failed checks" over the count column check_failures


@hookimpl
def register_facet_classes():
    return [HasFailedChecksFacet]


class HasFailedChecksFacet(Facet):
    """``facets: [{has_failed_checks: check_failures}]``: 是 yes (column > 0) / 否 no (= 0)."""

    type = "has_failed_checks"

    async def facet_results(self):
        results, timed_out = [], []
        pairs = self.get_querystring_pairs()
        for source_and_config in self.get_configs():
            column = source_and_config["config"]["simple"]
            sql = f"""select {escape_sqlite(column)} > 0 as failing, count(*) as count from ({self.sql})
                where {escape_sqlite(column)} is not null group by failing order by failing desc"""
            try:
                rows = await self.ds.execute(
                    self.database, sql, self.params, custom_time_limit=self.ds.setting("facet_time_limit_ms")
                )
            except QueryInterrupted:
                timed_out.append(self.type)
                continue
            values = []
            for row in rows:
                arg = (f"{column}__gt", "0") if row["failing"] else (f"{column}__exact", "0")
                selected = arg in pairs
                change = path_with_removed_args if selected else path_with_added_args
                path = change(self.request, {arg[0]: arg[1]})
                values.append(
                    {
                        "value": row["failing"],
                        "label": "是 yes" if row["failing"] else "否 no",
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": "有未通过的校验",
                    "type": self.type,
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": self.ds.urls.path(
                        path_with_removed_args(self.request, {f"_facet_{self.type}": column})
                    ),
                    "results": values,
                    "truncated": False,
                }
            )
        return results, timed_out


# Templates: snippets in the reports table search, links to the report pages


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path(f"{STATIC_MOUNT}/govreports.css")]


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    names = archive_names(datasette)
    extra = {"archive_database": names[0] if names else None, "browse_reports_query": BROWSE_QUERY}
    query = request.args.get("_search") if request is not None else None
    if view_name == "table" and table == "reports" and query:

        async def report_snippet(report_id):
            texts = await report_texts(datasette.get_database(database), [int(report_id)])
            return highlight(texts.get(int(report_id)), query)

        extra["report_snippet"] = report_snippet
    if view_name == "index" and names:
        extra["archive_summary"] = lambda: archive_summary(datasette.get_database(names[0]))
        extra["archive_queries"] = lambda: datasette.get_canned_queries(names[0], request.actor)
    return extra


# The home page's totals, one small query each so that every one can use an index of the schema
# (one query computing them all scans the whole reports table: seconds on 200k reports).
SUMMARY = {
    "reports": "select count(*) from reports where is_latest = 1",
    "agencies": "select count(distinct agency) from reports",
    "provinces": "select count(distinct province) from reports",
    "first_year": "select min(year) from reports",
    "last_year": "select max(year) from reports",
    "failing": "select count(*) from reports where check_failures > 0 and is_latest = 1",
    "last_crawl": "select max(finished) from crawl_runs",
}


async def archive_summary(db) -> dict | None:
    if not await db.table_exists("reports"):
        return None
    return {name: (await db.execute(sql)).first()[0] for name, sql in SUMMARY.items()}


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
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip()
    terms = unicodedata.normalize("NFKC", query).replace('"', " ").split()
    # longest first, so that a term inside another is not marked alone; (?!) matches nothing
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) or "(?!)", re.I)
    found = pattern.search(text)
    at = found.start() if found else 0
    start, end = max(0, at - width), min(len(text), at + width * 2)
    pieces = pattern.split(text[start:end])
    marked = pattern.findall(text[start:end])
    out = markupsafe.Markup("…") if start else markupsafe.Markup("")
    for i, piece in enumerate(pieces):
        out += piece
        if i < len(marked):
            out += markupsafe.Markup("<mark>{}</mark>").format(marked[i])
    return out + ("…" if end < len(text) else "")


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
