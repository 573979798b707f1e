"""Agencies and coverage in Datasette (tables from govreports.archive.agencies).

- ``/agency/<id>``: one agency over the years: each year's report (linked to its report page),
  key figures over the years as a small chart and a table (new applications, share granted,
  share 不掌握 / 不予公开, reviews and suits, corrected outcomes), failed checks per year, and the
  spellings its reports print.
- canned queries: agencies that published last year but not this year; the coverage of one
  province (who published which year).
- on the home page: per province, agencies with and without a report for the latest year.

Every page query reads by an index: reports by (agency_id, year), cells and checks by report_id,
coverage by (year, status, province); nothing scans a whole table.
"""

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

# The figures of the agency page, in column order: (key in year_figures rows, label)
FIGURES = [
    ("new", "本年新收申请 New applications"),
    ("granted_share", "予以公开(含部分) Share granted"),
    ("not_held_share", "不掌握 Share 'not held'"),
    ("denied_share", "不予公开 Share denied"),
    ("reviews", "行政复议 Reviews"),
    ("suits", "行政诉讼 Suits"),
    ("corrected", "结果纠正 Corrected"),
]
CELLS_SQL = """
select report_id,
  sum(case when row = 'new' then value end) as new,
  sum(case when row = 'handled_total' then value end) as handled,
  sum(case when row in ('granted', 'partially_granted') then value end) as granted,
  sum(case when row = 'unable.not_held' then value end) as not_held,
  sum(case when row like 'denied.%' then value end) as denied
from applications where applicant = 'total' and report_id in ({ids})
group by report_id
"""
REVIEW_SQL = """
select report_id,
  sum(case when proceeding = 'review' and outcome = 'total' then value end) as reviews,
  sum(case when proceeding != 'review' and outcome = 'total' then value end) as suits,
  sum(case when outcome = 'corrected' then value end) as corrected
from review_litigation where report_id in ({ids})
group by report_id
"""
CHECKS_SQL = """
select c.report_id, c.rule, coalesce(r.label_zh, c.rule) as label, count(*) as n
from checks c left join codes_rule r on r.code = c.rule
where c.passed = 0 and c.report_id in ({ids})
group by c.report_id, c.rule order by c.rule
"""
CHART = {"width": 480, "height": 140, "pad": 28}

CANNED_QUERIES = {
    "published_last_year_not_this_year": {
        "title": "去年发布、今年未发布 Published last year, not this year",
        "description": "Agencies (from the sources list and every agency ever archived) with a current report "
        "for the year before :year and none for :year (missing or taken down). Leave year empty for the latest "
        "year in the archive.",
        "sql": """select c.agency_id, a.name as agency, c.province, c.city, c.county, c.level,
  c.government_level, c.sector, c.status as this_year, p.report_id as last_year_report
from coverage c
join coverage p on p.agency_id = c.agency_id and p.year = c.year - 1 and p.status = 'published'
join agencies a on a.id = c.agency_id
where c.year = coalesce(nullif(:year, ''), (select max(year) from coverage))
  and c.status in ('missing', 'removed')
  and (:province = '' or c.province = :province)
order by c.province, c.city, a.name
limit 2000""",
    },
    "never_published": {
        "title": "从未发布的机关 Expected publishers with no report in any year",
        "description": "Agencies of the sources list that no archived report is for.",
        "sql": """select a.id as agency_id, a.name as agency, a.province, a.city, a.county, a.level, a.sector
from agencies a
where a.in_sources = 1 and a.reports = 0 and (:province = '' or a.province = :province)
order by a.province, a.city, a.name
limit 2000""",
    },
}


def _archive(datasette):
    names = [name for name, db in datasette.databases.items() if not db.is_memory]
    return names[0] if names else None


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("govreports-static/agencies.css")]


@hookimpl
def canned_queries(datasette, database):
    return CANNED_QUERIES if database == _archive(datasette) else {}


@hookimpl
def register_routes():
    return [(r"^/agency/(?P<id>\d+)$", agency_page)]


@hookimpl
def extra_template_vars(view_name, datasette):
    name = _archive(datasette)
    if view_name != "index" or not name:
        return {}
    return {"coverage_by_province": lambda: coverage_by_province(datasette.get_database(name))}


async def coverage_by_province(db) -> dict | None:
    """{year, provinces: [{province, agencies, published, not_published}]} for the latest year."""
    if not await db.table_exists("coverage_provinces"):
        return None
    year = (await db.execute("select max(year) from coverage_provinces")).first()[0]
    if year is None:
        return None
    rows = await db.execute(
        """select province, agencies, published, not_published from coverage_provinces
        where year = ? order by not_published desc, province""",
        [year],
    )
    return {"year": year, "provinces": [dict(r) for r in rows]}


async def agency_page(request, datasette):
    name = _archive(datasette)
    if not name:
        raise NotFound("No archive database is being served")
    await datasette.ensure_permissions(
        request.actor, [("view-table", (name, "agencies")), ("view-database", name), "view-instance"]
    )
    db = datasette.get_database(name)
    agency_id = int(request.url_vars["id"])
    agency = (await db.execute("select * from agencies where id = ?", [agency_id])).first()
    if agency is None:
        raise NotFound(f"There is no agency {agency_id} in this archive")
    reports = [
        dict(r)
        for r in await db.execute(
            """select id, year, title, agency, published_date, check_failures, removed_at, url from reports
            where agency_id = ? and is_latest = 1 order by year, id""",
            [agency_id],
        )
    ]
    figures = await year_figures(db, reports)
    parent = None
    if agency["parent_id"]:
        parent = (
            await db.execute("select id, name from agencies where id = ?", [agency["parent_id"]])
        ).first()
    aliases = await db.execute(
        "select alias, kind, reports from agency_aliases where agency_id = ? order by reports desc, alias",
        [agency_id],
    )
    coverage = await db.execute(
        "select year, status from coverage where agency_id = ? order by year", [agency_id]
    )
    context = {
        "database": name,
        "agency": dict(agency),
        "parent": dict(parent) if parent else None,
        "reports": reports,
        "figures": figures,
        "figure_labels": FIGURES,
        "chart": chart(figures),
        "aliases": [dict(a) for a in aliases],
        "coverage": [dict(c) for c in coverage],
    }
    return Response.html(await datasette.render_template("agency.html", context, request=request))


def _share(part, whole):
    return round(100 * part / whole, 1) if part is not None and whole else None


async def year_figures(db, reports) -> list[dict]:
    """One row per report: year, the FIGURES, and its failed checks [{rule, label, n}]."""
    if not reports:
        return []
    ids = ",".join(str(int(r["id"])) for r in reports)
    cells = {r["report_id"]: dict(r) for r in await db.execute(CELLS_SQL.format(ids=ids))}
    review = {r["report_id"]: dict(r) for r in await db.execute(REVIEW_SQL.format(ids=ids))}
    checks: dict[int, list] = {}
    for r in await db.execute(CHECKS_SQL.format(ids=ids)):
        checks.setdefault(r["report_id"], []).append(dict(r))
    rows = []
    for report in reports:
        c = cells.get(report["id"], {})
        v = review.get(report["id"], {})
        rows.append(
            {
                "report_id": report["id"],
                "year": report["year"],
                "new": c.get("new"),
                "granted_share": _share(c.get("granted"), c.get("handled")),
                "not_held_share": _share(c.get("not_held"), c.get("handled")),
                "denied_share": _share(c.get("denied"), c.get("handled")),
                "reviews": v.get("reviews"),
                "suits": v.get("suits"),
                "corrected": v.get("corrected"),
                "checks": checks.get(report["id"], []),
            }
        )
    return rows


def chart(figures) -> dict | None:
    """An SVG line of new applications per year: {width, height, points, marks: [{x, y, year, value}]}."""
    marks = [(f["year"], f["new"]) for f in figures if f["year"] is not None and f["new"] is not None]
    if not marks:
        return None
    width, height, pad = CHART["width"], CHART["height"], CHART["pad"]
    years = [y for y, _ in marks]
    top = max(v for _, v in marks) or 1
    span = (max(years) - min(years)) or 1

    def x(year):
        return pad + (width - 2 * pad) * ((year - min(years)) / span if len(set(years)) > 1 else 0.5)

    def y(value):
        return height - pad - (height - 2 * pad) * value / top

    points = [{"x": round(x(yr), 1), "y": round(y(v), 1), "year": yr, "value": v} for yr, v in marks]
    return {
        "width": width,
        "height": height,
        "points": " ".join(f"{p['x']},{p['y']}" for p in points),
        "marks": points,
        "baseline": height - pad,
    }
