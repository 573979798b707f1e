"""A synthetic national archive: N reports filled the way ingest leaves them, in bulk.

    .venv/bin/python benchmarks/national.py --reports 100000 /work/bench/national-100k.db

Used by benchmarks/datasette.py (``--reports N --keep DIR``). What is in it, and what code made it:

* the schema: ``archive.Archive`` (tables, indexes, partial indexes, the contentless search
  index, the derived tables and their triggers);
* ``reports``: 31 provinces x 12 cities x 3 counties x 12 sectors x 4 levels of agencies,
  2019-2024 (about one report per agency and year), one in eight failing a check. The text of
  each is a real report (the seed report of tests/local_portals.py, parsed by the real parser,
  about 2,750 characters) under the agency's own title, its numbers redrawn; its six sections
  are spans of that text (``db.section_spans``, as ingest stores them);
* the cells of all three tables and the parser's checks: the codes of the parsed seed report
  (175 application cells, 10 active-disclosure cells, 15 review/litigation cells, 43 checks) for
  every report, values drawn in SQL (mostly 0, some small counts), raw text as printed; a
  failing report fails its row_total check, and check_failures / failed_checks say so;
* the search index: ``search.INSERT_SQL`` with ``search.segment`` of title, agency and text (the
  text's segmented body is computed once per body variant: segment() of a text is the segments
  of its lines joined, checked on the first report);
* the derived tables: ``derived.refresh_derived``, the function ingest, reparse and crawl runs
  call at their end.

Left out, and why: documents rows and the raw store (the public pages do not read them), the
cross-year check (``lifecycle.cross_year``, a per-report loop; its rows would be 1 check in 43).

Bulk SQL throughout (executemany for reports and index, INSERT ... SELECT for the cells), in one
transaction with journal and sync off (everything, the index's final merge too, is committed:
with the journal off a rollback leaves a malformed file), the indexes of reports and checks made
after the load; ANALYZE at the end. The file is laid out as every new archive
(``schema.NEW_FILE_PRAGMAS``: UTF-16, 32 KB pages).
"""

import argparse
import json
import pathlib
import random
import re
import sqlite3
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from govreports import parser  # noqa: E402
from govreports.archive import derived  # noqa: E402
from govreports.archive.cells import STORE_RAW, VIEWS  # noqa: E402
from govreports.archive.db import Archive, section_spans  # noqa: E402
from govreports.archive.search import INSERT_SQL, index_values, segment  # noqa: E402

PROVINCES = [
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
]
SECTORS = [
    "卫生健康",
    "教育",
    "人力资源社会保障",
    "生态环境",
    "公安",
    "民政",
    "财政",
    "交通运输",
    "住房城乡建设",
    "农业农村",
    "市场监管",
    "自然资源",
]
LEVELS = ("province", "city", "county", "department")
YEARS = range(2019, 2025)
VARIANTS = 400  # distinct report bodies (numbers redrawn), segmented once each
BATCH = 20_000


def seed_record() -> dict:
    """The seed report, parsed by the real parser: text, sections, cells, checks."""
    from local_portals import report_page

    body = report_page("某市第1局", 2022)
    return parser.parse(body, content_type="text/html", url="http://127.0.0.1/seed.html")


def bodies(record: dict, rng: random.Random) -> list[tuple[str, dict, str]]:
    """(body text, sections, segmented body) variants: the seed's text after its title line, its
    digits redrawn (same length, so every section stays a span of the text)."""
    text = record["text"]
    start = text.index("\n") + 1 if "\n" in text else 0
    variants = []
    for _ in range(VARIANTS):
        body = re.sub(r"\d", lambda _m: str(rng.randint(0, 9)), text[start:])
        sections = {}
        for name, section in (record.get("sections") or {}).items():
            at = text.find(section or "")
            sections[name] = (
                body[at - start : at - start + len(section)] if section and at >= start else section
            )
        variants.append((body, sections, segment(body)))
    return variants


def agency_of(i: int) -> dict:
    """The i-th agency of the country (0-based): region, sector, level, name."""
    province = PROVINCES[i % len(PROVINCES)]
    city = f"{province[:2]}第{i // 31 % 12 + 1}市"
    county = f"第{i // 372 % 3 + 1}区"
    sector = SECTORS[i // 1116 % len(SECTORS)]
    level = LEVELS[i % len(LEVELS)]
    return {
        "province": province,
        "city": city,
        "county": county,
        "sector": sector,
        "level": level,
        "agency": f"{city}{county}{sector}{'局' if level != 'department' else '办公室'}{i // 13392 or ''}",
    }


REPORT_COLUMNS = [
    "id",
    "url",
    "version",
    "is_latest",
    "title",
    "agency",
    "province",
    "city",
    "county",
    "level",
    "sector",
    "year",
    "template",
    "published_date",
    "format",
    "check_failures",
    "failed_checks",
    "first_seen",
    "last_seen",
    "source",
    "document_id",
    "sha256",
    "parse_warnings",
    "attachments",
    "section_spans",
    "text",
]


def report_rows(n: int, variants, rng: random.Random):
    """(reports row, index row) for reports 1..n: agency by agency, each for one year after
    another, so that an agency has consecutive years as in a real archive."""
    agencies = max(1, n // len(YEARS))
    for i in range(1, n + 1):
        a = agency_of((i - 1) % agencies)
        year = YEARS[0] + (i - 1) // agencies % len(YEARS)
        failing = rng.random() < 0.125
        title = f"{a['agency']}{year}年政府信息公开工作年度报告"
        body, sections, segmented = variants[i % len(variants)]
        text = f"{title}\n{body}"
        row = {
            "id": i,
            "url": f"http://www.gov{(i - 1) % agencies % 5000}.example.cn/art/{year}/{i}.html",
            "version": 1,
            "is_latest": 1,
            "title": title,
            **a,
            "year": year,
            "template": "2021" if year >= 2021 else "2019",
            "published_date": f"{year + 1}-01-{i % 28 + 1:02d}",
            "format": "html",
            "check_failures": int(failing),
            "failed_checks": json.dumps(["row_total"] if failing else []),
            "first_seen": "2026-11-01T00:00:00+00:00",
            "last_seen": "2026-11-20T00:00:00+00:00",
            "source": None,
            "document_id": None,
            "sha256": f"{i:064x}",
            "parse_warnings": "[]",
            "attachments": "[]",
            "section_spans": json.dumps(section_spans(text, sections), ensure_ascii=False),
            "text": text,
        }
        indexed = [i, segment(title), segment(a["agency"]), segment(title) + "\n" + segmented]
        if i == 1:
            assert indexed == index_values(i, title, a["agency"], text), "segment() is not line by line"
        yield [row[c] for c in REPORT_COLUMNS], indexed


# A cell's value, drawn from (report id, cell number): mostly 0, some small counts, a few larger.
VALUE_SQL = """case when (r.id * 7919 + t.k * 104729) % 100 < 72 then 0
  when (r.id * 7919 + t.k * 104729) % 100 < 95 then (r.id * 31 + t.k * 17) % 9 + 1
  else (r.id * 131 + t.k * 71) % 300 + 10 end"""


def fill_cells(conn, record: dict) -> dict:
    """Every report's cells and checks, from the seed record's codes, in INSERT ... SELECT into
    the compact tables of archive.cells (the codes' integer ids looked up once, raw stored as
    cells.STORE_RAW stores it)."""
    counts = {}
    for view, (table, seq, coded, _) in VIEWS.items():
        ids = [f"{column}_id" for column, _, _ in coded]
        conn.execute("drop table if exists temp.cell_template")
        conn.execute(f"create temp table cell_template (k integer primary key, {', '.join(ids)})")
        lookups = ", ".join(f"(select id from [{code}] where code = ?)" for _, _, code in coded)
        conn.executemany(
            f"insert into cell_template values (?, {lookups})",
            [[k] + [cell.get(key) for _, key, _ in coded] for k, cell in enumerate(record.get(view) or [])],
        )
        columns = ", ".join(f"t.[{i}]" for i in ids)
        named = ", ".join(f"[{i}]" for i in ids)
        if seq:
            # the first row_total check fails on failing reports (expected is what the cells add up to)
            rule = conn.execute("select id from codes_rule where code = 'row_total'").fetchone()[0]
            first = conn.execute("select min(k) from cell_template where rule_id = ?", [rule]).fetchone()[0]
            conn.execute(
                f"""insert into [{table}] (report_id, {seq}, {named}, passed, expected, found)
                select r.id, t.k, {columns}, not (r.check_failures > 0 and t.k = {first}),
                  {VALUE_SQL}, {VALUE_SQL} + (r.check_failures > 0 and t.k = {first})
                from reports r, cell_template t order by r.id, t.k"""
            )
        else:
            conn.execute(
                f"""insert into [{table}] (report_id, {named}, value, raw)
                select id, {named}, value, {STORE_RAW.format(p="")} from (
                  select r.id, {columns}, {VALUE_SQL} as value, cast({VALUE_SQL} as text) as raw
                  from reports r, cell_template t order by r.id, {named}
                )"""
            )
        counts[view] = len(record.get(view) or [])
    conn.execute("drop table temp.cell_template")
    return counts


def build(db_path, n: int, echo=print) -> dict:
    """Build the archive of n reports at db_path; returns seconds per step."""
    started = time.monotonic()
    Archive(db_path).close()
    record = seed_record()
    rng = random.Random(7)
    variants = bodies(record, rng)
    times = {"schema and seed": time.monotonic() - started}
    conn = sqlite3.connect(db_path)
    # a rollback journal in memory (new pages need none, so it stays small): with the journal off,
    # a 1M build ended with its search index damaged (docs/benchmarks.md)
    conn.execute("pragma journal_mode = memory")
    conn.execute("pragma synchronous = off")
    conn.execute("pragma cache_size = -1000000")
    insert = (
        f"insert into reports ({', '.join(REPORT_COLUMNS)}) values ({', '.join('?' * len(REPORT_COLUMNS))})"
    )
    # the indexes of the big tables are made after the bulk load (sorted once, not updated per row)
    later = conn.execute(
        "select name, sql from sqlite_master where type = 'index' and sql is not null "
        "and tbl_name in ('reports', 'check_results')"
    ).fetchall()
    for name, _ in later:
        conn.execute(f"drop index [{name}]")
    step = time.monotonic()
    with conn:
        reports, index = [], []
        for row, indexed in report_rows(n, variants, rng):
            reports.append(row)
            index.append(indexed)
            if len(reports) == BATCH:
                conn.executemany(insert, reports)
                conn.executemany(INSERT_SQL, index)
                reports, index = [], []
                echo(f"  {row[0]:,} reports", flush=True)
        conn.executemany(insert, reports)
        conn.executemany(INSERT_SQL, index)
        times["reports and search index"] = time.monotonic() - step
        step = time.monotonic()
        cells = fill_cells(conn, record)
        times["cells and checks"] = time.monotonic() - step
        step = time.monotonic()
        for _, sql in later:
            conn.execute(sql)
        times["indexes"] = time.monotonic() - step
        # inside the transaction: with the journal off a rollback (close() without commit, as
        # this statement had) cannot undo the pages already written and leaves a malformed file
        step = time.monotonic()
        conn.execute("insert into reports_fts(reports_fts) values ('optimize')")
        times["search index merged"] = time.monotonic() - step
    conn.close()
    step = time.monotonic()
    archive = Archive(db_path)
    derived.refresh_derived(archive.db, force=True)
    times["derived tables (derived.refresh_derived)"] = time.monotonic() - step
    step = time.monotonic()
    archive.db.execute("analyze")
    archive.close()
    times["analyze"] = time.monotonic() - step
    times["total"] = time.monotonic() - started
    echo(f"  cells per report: {cells}", flush=True)
    return {k: round(v, 1) for k, v in times.items()}


def main():
    arguments = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    arguments.add_argument("db", type=pathlib.Path)
    arguments.add_argument("--reports", type=int, default=100_000)
    args = arguments.parse_args()
    if args.db.exists():
        sys.exit(f"{args.db} exists: the builder fills a new archive")
    args.db.parent.mkdir(parents=True, exist_ok=True)
    print(json.dumps(build(args.db, args.reports), indent=2))


if __name__ == "__main__":
    main()
