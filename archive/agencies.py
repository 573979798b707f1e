"""Agencies as entities: one identity across years and spellings, and who published for which year.

Identity. An agency is its region (the region reader's code) plus its *core* name (the name
without the region's place names, short forms written out, a government's 办公室 read as the
government: govreports.parser.agency). Two spellings are one agency only when both agree, so
洪泽区人民政府 (2023) and 淮安市洪泽区人民政府 (2024) are one, 上海市科委 and 上海市科学技术委员会 are
one, OCR'd 沐阳县人民政府 is 沭阳县人民政府, and 财政局 of two counties stay two. What rules cannot
settle a maintainer writes in ``agency_aliases.yaml`` beside this module, applied before the rules
(and again by every ``reparse``)::

    aliases:
      - name: 市科委            # a spelling as printed
        region_code: "310000"   # optional: only reports in this region
        agency: 上海市科学技术委员会  # the agency it is
        agency_region_code: "310000"  # optional: that agency's region, when not the same

Tables (see docs/record.md):

- ``agencies``: one row per identity: ``key`` (region code | core), canonical ``name``, region,
  ``level``, ``government_level``, ``sector``, ``parent_id`` (the government it belongs to, when
  archived), first and last report year, report count, ``in_sources`` (listed in the sources).
- ``agency_aliases``: every spelling seen for each agency, with the ``kind`` of difference
  (canonical, region_prefix, short_form, ocr, office, printed, source, yaml) and how many reports use it.
- ``reports.agency_id``: the agency of each report (the printed name stays in ``reports.agency``).
- ``coverage``: agency x year from the first year any report is for to the latest: ``published``
  (a current report), ``removed`` (reports, all taken down) or ``missing``. The expected publishers
  are every agency seen and every source in the sources list.
- ``coverage_provinces``: per province and year, agencies with and without a report.
- ``coverage_facet_counts``: the coverage page's facets counted ahead (archive.counts), by
  year, status and province, moved with the coverage rows a refresh redoes; coverage_provinces
  is summed from them.

:func:`refresh` derives all of it; archive.derived.refresh_derived runs it at the end of an
ingest, a crawl or a reparse.
"""

import contextlib
import json
import pathlib
import re
from functools import lru_cache

import yaml

from govreports.parser.agency import canonical_name, clean_name, describe
from govreports.parser.region import find_region, gazetteer

from . import counts

ALIASES_FILE = pathlib.Path(__file__).with_name("agency_aliases.yaml")

TABLES = {
    "agencies": (
        {
            "id": int,
            "key": str,
            "name": str,
            "core": str,
            "province": str,
            "city": str,
            "county": str,
            "region_code": str,
            "level": str,
            "government_level": str,
            "sector": str,
            "parent_id": int,
            "first_year": int,
            "last_year": int,
            "reports": int,
            "in_sources": int,
        },
        "id",
        [("parent_id", "agencies", "id")],
    ),
    "agency_aliases": (
        {"id": int, "agency_id": int, "alias": str, "region_code": str, "kind": str, "reports": int},
        "id",
        [("agency_id", "agencies", "id")],
    ),
    "coverage": (
        {
            "agency_id": int,
            "year": int,
            "status": str,
            "report_id": int,
            "agency": str,
            "province": str,
            "city": str,
            "county": str,
            "level": str,
            "government_level": str,
            "sector": str,
        },
        ("agency_id", "year"),
        [("agency_id", "agencies", "id"), ("report_id", "reports", "id")],
    ),
    "coverage_provinces": (
        {"province": str, "year": int, "agencies": int, "published": int, "not_published": int},
        ("province", "year"),
        [],
    ),
}
REPORT_COLUMNS = {"agency_id": int, "government_level": str}
SOURCE_COLUMNS = {"agency_id": int}  # the agency a source stands for, once linked (_link_sources)
INDEXES = {
    "reports": [["agency_id", "year"]],
    "sources": [["agency_id"]],
    "agencies": [["region_code"], ["level"], ["sector"], ["province"]],
    "agency_aliases": [["alias"]],
    "coverage": [["year", "status", "province"], ["report_id"], ["level"], ["sector"]],
}
UNIQUE = {"agencies": ["key"], "agency_aliases": ["agency_id", "alias"]}
# The coverage page's facets (all columns of coverage) and the filters they are split by
COVERAGE_FACETS = dict.fromkeys(["status", "year", "province", "level", "sector"], "column")
COVERAGE_DIMENSIONS = ("year", "status", "province")
COVERAGE_COUNTS = "coverage_facet_counts"
_COVERAGE_GROUP = "year, status, province, level, sector"
_SOURCE_SUFFIX = re.compile(r"(?:\s.*|[（(].*?[)）])$")


def ensure(db) -> None:
    """Create the agency tables and the reports columns they add (idempotent)."""
    for name, (columns, pk, foreign_keys) in TABLES.items():
        if not db[name].exists():
            db[name].create(columns, pk=pk, foreign_keys=foreign_keys)
    for name, added in (("reports", REPORT_COLUMNS), ("sources", SOURCE_COLUMNS)):
        table = db[name]
        for column, type_ in added.items():
            if table.exists() and column not in table.columns_dict:
                table.add_column(column, type_)
    for name, indexes in INDEXES.items():
        for columns in indexes:
            if db[name].exists():
                db[name].create_index(columns, if_not_exists=True)
    for name, columns in UNIQUE.items():
        db[name].create_index(columns, unique=True, if_not_exists=True)
    counts.create(db, COVERAGE_COUNTS, COVERAGE_DIMENSIONS, "agencies")


# -- identity --------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _alias_rules(path: str, mtime: float) -> dict:
    """(printed name, region code or None) -> (agency name, agency region code or None)."""
    data = yaml.safe_load(pathlib.Path(path).read_text(encoding="utf-8")) or {}
    rules = {}
    for i, entry in enumerate(data.get("aliases") or []):
        if not entry.get("name") or not entry.get("agency"):
            raise ValueError(f"{path}: alias {i + 1} needs both name and agency: {entry!r}")
        code = entry.get("region_code")
        rules[(clean_name(entry["name"]), str(code) if code else None)] = (
            clean_name(entry["agency"]),
            str(entry.get("agency_region_code") or code or "") or None,
        )
    return rules


def alias_rules(path=None) -> dict:
    path = pathlib.Path(path or ALIASES_FILE)
    return _alias_rules(str(path), path.stat().st_mtime) if path.exists() else {}


def _region_of(code: str | None, fallback: dict) -> dict:
    g = gazetteer()
    unit = g.units.get(code) if code else None
    if unit is None:
        return fallback
    city = g.city(unit)
    region = {"province": g.province(unit).name, "city": city.name if city else None, "code": code}
    region["county"] = unit.name if unit.level == "county" else None
    return region


def identify(name: str | None, region: dict, rules: dict) -> dict | None:
    """The identity of an agency printed ``name`` in ``region``: {key, name (canonical), kind
    (how the printed spelling differs from the canonical one), level, government_level, sector,
    region}; None when there is no name."""
    printed = clean_name(name)
    if not printed:
        return None
    code = region.get("code")
    rule = rules.get((printed, code)) or rules.get((printed, None))
    kind = None
    if rule:
        printed_as, rule_code = rule
        region = _region_of(rule_code, region) if rule_code and rule_code != code else region
        name, kind = printed_as, "yaml"
    described = describe(name, region)
    canonical = canonical_name(name, region)
    kind = kind or _kind(printed, canonical, described["core"])
    return {
        "key": f"{region.get('code') or ''}|{described['core']}",
        "name": canonical,
        "core": described["core"],
        "kind": kind,
        "level": described["level"],
        "government_level": described["government_level"],
        "sector": described["sector"],
        "region": region,
    }


def _kind(printed: str, canonical: str, core: str) -> str:
    if printed == canonical:
        return "canonical"
    if "办公室" in printed and not canonical.endswith("办公室"):
        return "office"
    if len(printed) == len(canonical) and printed[-len(core) :] == canonical[-len(core) :]:
        return "ocr"  # 沐阳县 for 沭阳县: one place character misread
    if printed.endswith(core) or canonical.endswith(printed):
        return "region_prefix"
    if len(printed) < len(canonical) and printed[-1] in "委局厅办":
        return "short_form"
    return "printed"


def _agency_row(identity: dict) -> dict:
    region = identity["region"]
    return {
        "key": identity["key"],
        "name": identity["name"],
        "core": identity["core"],
        "province": region.get("province"),
        "city": region.get("city"),
        "county": region.get("county"),
        "region_code": region.get("code"),
        "level": identity["level"],
        "government_level": identity["government_level"],
        "sector": identity["sector"],
        "in_sources": 0,
        "reports": 0,
    }


def _agency_id(db, identity: dict, ids: dict) -> int:
    key = identity["key"]
    if key not in ids:
        row = db.execute("select id from agencies where key = ?", [key]).fetchone()
        if row:
            ids[key] = row[0]
        else:
            values = _agency_row(identity)
            sql = f"insert into agencies ({', '.join(values)}) values ({', '.join('?' * len(values))})"
            ids[key] = db.execute(sql, list(values.values())).lastrowid
    return ids[key]


@contextlib.contextmanager
def transaction(db, name: str = "agencies"):
    """One transaction (a savepoint: it nests in the caller's), not one commit per statement."""
    db.execute(f"savepoint {name}")
    try:
        yield
    except BaseException:
        db.execute(f"rollback to {name}")
        db.execute(f"release {name}")
        raise
    db.execute(f"release {name}")


def link(db, report_ids=None, rules=None) -> set:
    """Give reports (all when None) their agency_id, creating agencies as needed; returns the
    agency ids touched. Aliases and the derived tables are brought up to date by refresh()."""
    rules = alias_rules() if rules is None else rules
    where, params = "", []
    if report_ids is not None:
        report_ids = list(report_ids)
        if not report_ids:
            return set()
        # one JSON parameter, not one per report: a crawl run may change more than SQLite's 32,766
        where, params = "where id in (select value from json_each(?))", [json.dumps(report_ids)]
    rows = db.execute(
        f"select id, agency, province, city, county, region_code, agency_id from reports {where}", params
    ).fetchall()
    ids, touched, seen = {}, set(), {}
    for report_id, agency, province, city, county, code, old in rows:
        key = (agency, province, city, county, code)
        if key not in seen:  # an agency's reports are many, its spellings few
            region = {"province": province, "city": city, "county": county, "code": code}
            identity = identify(agency, region, rules)
            seen[key] = _agency_id(db, identity, ids) if identity else None
        agency_id = seen[key]
        if agency_id != old:
            db.execute("update reports set agency_id = ? where id = ?", [agency_id, report_id])
            touched.update(x for x in (old, agency_id) if x)
        elif agency_id:
            touched.add(agency_id)
    return touched


def source_agency(source: dict) -> str | None:
    """The agency a source entry stands for: its name without a description after a space or in
    brackets (宁波市北仑区人民政府 政府信息公开年报 -> 宁波市北仑区人民政府)."""
    return clean_name(_SOURCE_SUFFIX.sub("", (source.get("name") or "").strip()))


def _link_sources(db, rules, everything) -> set:
    """Mark the agencies the sources list names (in_sources), creating those never seen, and
    give each source its ``agency_id``; only the sources not linked before (an index lookup,
    whatever the length of the list) unless ``everything``. Returns the agency ids marked."""
    if not db["sources"].exists():
        return set()
    if everything:
        db.execute("update agencies set in_sources = 0 where in_sources = 1")
        db.execute("delete from agency_aliases where kind = 'source'")
        db.execute("update sources set agency_id = null where agency_id is not null")
    ids, marked = {}, set()
    for source in list(db.query("select * from sources where agency_id is null")):
        name = source_agency(source)
        if not name:
            continue
        context = {k: source.get(k) for k in ("province", "city", "county")}
        identity = identify(name, find_region(name, "", context), rules)
        agency_id = _agency_id(db, identity, ids)
        db.execute("update agencies set in_sources = 1 where id = ?", [agency_id])
        db.execute("update sources set agency_id = ? where name = ?", [agency_id, source["name"]])
        _add_alias(db, agency_id, name, identity, "source")
        marked.add(agency_id)
    return marked


def _add_alias(db, agency_id, alias, identity, kind=None, reports=0) -> None:
    db.execute(
        """insert into agency_aliases (agency_id, alias, region_code, kind, reports) values (?, ?, ?, ?, ?)
        on conflict (agency_id, alias) do update set reports = max(reports, excluded.reports)""",
        [agency_id, alias, identity["region"].get("code"), kind or identity["kind"], reports],
    )


# -- the derived tables ----------------------------------------------------------------------


def refresh(db, report_ids=None, rules=None, agency_ids=()) -> dict:
    """Link reports to agencies, then bring the aliases, the agencies' figures and the coverage
    tables up to date: for the agencies of ``report_ids`` (reports just filed or changed) and
    ``agency_ids`` (the agencies such reports had before: a report deleted or moved), or for
    everything when ``report_ids`` is None (reparse: agency_aliases.yaml applied to every
    report again). Returns what the tables hold."""
    rules = alias_rules() if rules is None else rules
    everything = report_ids is None
    with transaction(db):
        touched = link(db, report_ids, rules) | set(agency_ids)
        touched |= _link_sources(db, rules, everything)
        if everything:  # statistics taken before reports had agencies would make SQLite scan them
            db.execute("analyze idx_reports_agency_id_year")
        db.execute("create temp table if not exists agency_scope (id integer primary key)")
        db.execute("delete from temp.agency_scope")
        db.conn.executemany(
            "insert or ignore into temp.agency_scope (id) values (?)", [(i,) for i in touched]
        )
        scope = "1" if everything else "{column} in (select id from temp.agency_scope)"
        if not everything:
            _count_coverage(db, scope, -1, fresh=True)  # the coverage rows as they were
        _rebuild_aliases(db, rules, scope)
        _update_agencies(db, scope)
        _rebuild_coverage(db, scope)
    return {
        "agencies": db.execute("select count(*) from agencies").fetchone()[0],
        "aliases": db.execute("select count(*) from agency_aliases").fetchone()[0],
        "coverage": db.execute("select count(*) from coverage").fetchone()[0],
    }


def _rebuild_aliases(db, rules, scope) -> None:
    db.execute(f"delete from agency_aliases where kind != 'source' and {scope.format(column='agency_id')}")
    spellings = db.execute(
        f"""select agency_id, agency, province, city, county, region_code, count(*) from reports
        where agency_id is not null and {scope.format(column="agency_id")}
        group by agency_id, agency, region_code"""
    ).fetchall()
    for agency_id, agency, province, city, county, code, n in spellings:
        identity = identify(
            agency, {"province": province, "city": city, "county": county, "code": code}, rules
        )
        _add_alias(db, agency_id, clean_name(agency), identity, reports=n)
    db.execute(
        f"""insert into agency_aliases (agency_id, alias, region_code, kind, reports)
        select id, name, region_code, 'canonical', 0 from agencies where {scope.format(column="id")}
        on conflict (agency_id, alias) do update set kind = 'canonical'"""
    )


def _update_agencies(db, scope) -> None:
    # agencies no report and no source names any more (a maintainer's alias merged them away)
    orphans = f"""select id from agencies a where {scope.format(column="a.id")} and coalesce(in_sources, 0) = 0
        and not exists (select 1 from reports r where r.agency_id = a.id)"""
    db.execute(f"delete from coverage where agency_id in ({orphans})")
    db.execute(f"delete from agency_aliases where agency_id in ({orphans})")
    db.execute(f"delete from agencies where id in ({orphans})")
    db.execute(
        f"""update agencies set
          first_year = (select min(year) from reports r where r.agency_id = agencies.id and r.is_latest = 1),
          last_year = (select max(year) from reports r where r.agency_id = agencies.id and r.is_latest = 1),
          reports = (select count(*) from reports r where r.agency_id = agencies.id and r.is_latest = 1)
        where {scope.format(column="id")}"""
    )
    # the parent: the government of the agency's region (a government's: the next region up)
    db.execute(
        f"""update agencies set parent_id = (
          select g.id from agencies g where g.id != agencies.id and g.core = '人民政府' and g.region_code = (
            case when agencies.level in ('department', 'township') then agencies.region_code
                 when agencies.level = 'county' then substr(agencies.region_code, 1, 4) || '00'
                 when agencies.level = 'city' then substr(agencies.region_code, 1, 2) || '0000' end))
        where region_code is not null and ({scope.format(column="id")} or core = '人民政府')"""
    )


def _rebuild_coverage(db, scope) -> None:
    """The coverage rows of the agencies in ``scope`` redone, and every agency's rows for the
    years the archive's span gained or lost (a first report for a new year adds a row for every
    agency: only those are written); the facet counts moved by the rows redone."""
    first, latest = db.execute("select min(year), max(year) from reports").fetchone()
    if first is None:
        for table in ("coverage", "coverage_provinces", COVERAGE_COUNTS):
            db.execute(f"delete from {table}")
        return
    was_first, was_latest = db.execute("select min(year), max(year) from coverage").fetchone()
    counted = db.execute(f"select 1 from {COVERAGE_COUNTS} limit 1").fetchone()
    if scope == "1" or was_first is None or not counted:  # everything
        stale = fresh = new = "1"
    elif (was_first, was_latest) == (first, latest):  # the same years: the agencies in scope
        stale = fresh = scope.format(column="agency_id")
        new = scope.format(column="a.id")
    else:
        agencies_in = scope.format(column="agency_id")
        outside = f"(year < {int(first)} or year > {int(latest)})"
        # the other agencies' rows for years no longer spanned: counted out, then deleted
        db.execute(
            f"""insert into temp.coverage_groups select {_COVERAGE_GROUP}, -count(*) from coverage
            where {outside} and not ({agencies_in}) group by {_COVERAGE_GROUP}"""
        )
        stale = f"({agencies_in}) or {outside}"
        # the years every agency gains
        fresh = f"({agencies_in}) or year < {int(was_first)} or year > {int(was_latest)}"
        new = f"({scope.format(column='a.id')}) or y.year < {int(was_first)} or y.year > {int(was_latest)}"
    db.execute(f"delete from coverage where {stale}")
    db.execute(
        f"""
        with recursive years(year) as (select ? union all select year + 1 from years where year < ?)
        insert into coverage (agency_id, year, status, report_id, agency, province, city, county, level,
                              government_level, sector)
        select a.id, y.year,
               case when r.id is null then 'missing' when r.removed_at is null then 'published' else 'removed' end,
               r.id, a.name, a.province, a.city, a.county, a.level, a.government_level, a.sector
        from agencies a cross join years y
        left join reports r on r.id = (
          select id from reports where agency_id = a.id and year = y.year and is_latest = 1
          order by removed_at is not null, id desc limit 1)
        where {new}
        """,
        [first, latest],
    )
    if fresh == "1":  # counted whole
        db.execute(f"delete from {COVERAGE_COUNTS}")
        _count_coverage(db, "1", 1, fresh=True)
        counts.insert(
            db, "temp.coverage_groups", COVERAGE_COUNTS, COVERAGE_FACETS, COVERAGE_DIMENSIONS, "agencies"
        )
    else:  # moved by the rows redone: as they were (counted by refresh and above) against as they are
        _count_coverage(db, fresh, 1)
        db.execute("drop table if exists temp.coverage_delta")
        db.execute(f"create temp table coverage_delta as select * from {COVERAGE_COUNTS} where 0")
        counts.insert(
            db,
            "temp.coverage_groups",
            "temp.coverage_delta",
            COVERAGE_FACETS,
            COVERAGE_DIMENSIONS,
            "agencies",
        )
        counts.add(db, COVERAGE_COUNTS, "temp.coverage_delta", COVERAGE_DIMENSIONS, "agencies")
    db.execute("delete from coverage_provinces")
    db.execute(
        f"""insert into coverage_provinces (province, year, agencies, published, not_published)
        select coalesce(province, ''), year, sum(agencies), sum(case when value = 'published' then agencies else 0 end),
          sum(case when value != 'published' then agencies else 0 end)
        from {COVERAGE_COUNTS} where facet = 'status' group by coalesce(province, ''), year"""
    )


def _count_coverage(db, scope, sign, fresh=False) -> None:
    """Add the coverage rows in ``scope``, grouped, with the count signed, to temp.coverage_groups
    (emptied first when ``fresh``)."""
    if fresh:
        db.execute("drop table if exists temp.coverage_groups")
        db.execute(
            f"create temp table coverage_groups as select {_COVERAGE_GROUP}, 0 as n from coverage where 0"
        )
    db.execute(
        f"""insert into temp.coverage_groups select {_COVERAGE_GROUP}, {sign} * count(*) from coverage
        where {scope.format(column="agency_id")} group by {_COVERAGE_GROUP}"""
    )
