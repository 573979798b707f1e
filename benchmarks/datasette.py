"""Datasette benchmark: a synthetic archive of 1M reports served by ``govreports serve``.

    .venv/bin/python benchmarks/datasette.py [--reports 1000000] [--requests 40] [--keep DIR]

Builds the archive with the real schema (``archive.Archive`` creates it) and fills ``reports``
and the Chinese full-text index (``archive.search.segment``, as ingest does) with executemany in
one transaction: synthetic agencies in 31 provinces x 12 cities x 3 counties x 12 sectors, 2019 to
2024, a failed cross-check on about one report in eight, and ~600 characters of report-like text
each. The long cell tables are left empty here: facets and search do not read them; their size is
measured on real reports instead (below).

Then starts ``govreports serve`` (a real Datasette process, the project's metadata: 8 facets on
the reports page, the Chinese search plugin) and times over HTTP, after one warm-up request each:

* the reports page with its facets (goal p95 < 300 ms);
* search, through the table's search box and the canned ``search`` query (goal p95 < 100 ms),
  for words of 2, 3 and 4 characters;

and prints database bytes per report: for the synthetic archive, and for an archive of real
reports (the seed report as HTML under other agency names, through ``Archive.ingest_document``:
cells, checks, full text, index), per table from SQLite's dbstat.
"""

import argparse
import json
import pathlib
import random
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from govreports.archive.db import Archive  # noqa: E402
from govreports.archive.search import FTS_TABLE, segment  # noqa: E402
from govreports.crawler.demo import free_port  # noqa: E402

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
PHRASES = (
    "坚持以公开为常态、不公开为例外，",
    "全年主动公开政府信息{n}条，",
    "收到政府信息公开申请{n}件，",
    "因政府信息公开被申请行政复议{k}件，",
    "行政诉讼{k}件，",
    "本机关不掌握相关政府信息{k}件，",
    "依法不予公开{k}件，",
    "通过政府网站、政务新媒体等渠道发布信息，",
    "加强政府信息管理，规范发布审核流程，",
    "存在的主要问题是公开内容不够全面、解读回应不够及时，",
    "下一步将加强业务培训，提升公开质量。",
)
QUERIES = ("复议", "不掌握", "卫生健康", "行政诉讼")


def synthetic_rows(n, seed=7):
    rng = random.Random(seed)
    for i in range(1, n + 1):
        province = PROVINCES[i % len(PROVINCES)]
        city = f"{province[:2]}第{i // 31 % 12 + 1}市"
        county = f"第{i // 372 % 3 + 1}区"
        sector = SECTORS[i // 1116 % len(SECTORS)]
        year = 2019 + i // 13392 % 6
        agency = f"{city}{county}{sector}局"
        failed = ["balance"] if rng.random() < 0.125 else []
        text = "".join(
            rng.choice(PHRASES).format(n=rng.randint(10, 900), k=rng.randint(0, 9)) for _ in range(22)
        )
        title = f"{agency}{year}年政府信息公开工作年度报告"
        yield {
            "id": i,
            "url": f"http://www.example{i % 5000}.gov.cn/art/{year}/{i}.html",
            "version": 1,
            "is_latest": 1,
            "title": title,
            "agency": agency,
            "province": province,
            "city": city,
            "county": county,
            "level": LEVELS[i % 4],
            "sector": sector,
            "year": year,
            "template": "2021" if year >= 2021 else "2019",
            "published_date": f"{year + 1}-01-{i % 28 + 1:02d}",
            "format": "html",
            "check_failures": len(failed),
            "failed_checks": json.dumps(failed),
            "first_seen": "2026-11-01T00:00:00+00:00",
            "last_seen": "2026-11-20T00:00:00+00:00",
            "sha256": f"{i:064x}",
            "text": text,
        }


def build(db_path, n) -> float:
    """Create the schema with Archive, then bulk-load n reports and their index; return seconds."""
    Archive(db_path).close()
    started = time.monotonic()
    import sqlite3

    conn = sqlite3.connect(db_path)
    conn.execute("pragma journal_mode = off")
    conn.execute("pragma synchronous = off")
    columns = list(next(synthetic_rows(1)))
    insert = f"insert into reports ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
    index = f"insert into {FTS_TABLE}(rowid, title, agency, text) values (?, ?, ?, ?)"
    batch, fts = [], []
    with conn:
        for row in synthetic_rows(n):
            batch.append([row[c] for c in columns])
            fts.append([row["id"], segment(row["title"]), segment(row["agency"]), segment(row["text"])])
            if len(batch) == 20_000:
                conn.executemany(insert, batch)
                conn.executemany(index, fts)
                batch, fts = [], []
        conn.executemany(insert, batch)
        conn.executemany(index, fts)
    conn.execute("analyze")
    conn.execute("vacuum")
    conn.close()
    return time.monotonic() - started


def real_archive_size(folder, n=200) -> dict:
    """Bytes per report of an archive of n real reports ingested the normal way, per table."""
    from local_portals import report_page

    archive = Archive(folder / "real.db")
    for i in range(n):
        body = report_page(f"某市第{i + 1}局", 2022)
        fetch = archive.record_fetch(
            url=f"http://127.0.0.1/art/{i}.html", content_type="text/html", body=body
        )
        archive.ingest_document(fetch.document_id)
    archive.db.execute("vacuum")
    rows = archive.db.execute("select name, sum(pgsize) from dbstat group by name order by 2 desc").fetchall()
    total = sum(size for _, size in rows)
    archive.close()
    tables = {}
    for name, size in rows:
        key = "reports_fts (index)" if name.startswith(FTS_TABLE) else name
        tables[key] = tables.get(key, 0) + size
    top = dict(sorted(tables.items(), key=lambda kv: -kv[1])[:6])
    return {"bytes_per_report": round(total / n), "by_table": {k: round(v / n) for k, v in top.items()}}


def get(url) -> tuple[float, bytes]:
    """(milliseconds, body); an error answer (Datasette's 400 when a query passes the SQL time
    limit) is timed like the others and its body returned."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            body = response.read()
    except urllib.error.HTTPError as e:
        body = b"HTTP %d " % e.code + e.read()
    return (time.perf_counter() - started) * 1000, body


def percentiles(samples) -> dict:
    ordered = sorted(samples)
    return {
        "p50_ms": round(ordered[len(ordered) // 2], 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1),
    }


def measure(base, paths, requests) -> dict:
    results = {}
    for name, path in paths.items():
        get(base + path)  # warm-up: page cache, Datasette's table counts
        answers = [get(base + path) for _ in range(requests)]
        results[name] = percentiles([ms for ms, _ in answers])
        failed = sum(body.startswith(b"HTTP ") for _, body in answers)
        timed_out = sum(b"timed out" in body.lower() or b"too long" in body.lower() for _, body in answers)
        if failed or timed_out:
            results[name].update(error_answers=failed, answers_with_a_time_out=timed_out)
        print(f"  {name:<28} {results[name]}", flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--keep", type=pathlib.Path, help="build (or reuse) the archive in this folder")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(args, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="govreports-bench-") as tmp:
            run(args, pathlib.Path(tmp))


def run(args, folder):
    db = folder / "bench.db"
    if not db.exists():
        print(f"building {args.reports} synthetic reports in {db} ...", flush=True)
        print(f"  built in {build(db, args.reports):.0f} s", flush=True)
    size = db.stat().st_size
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "govreports.crawler.cli", "serve", str(db), "--port", str(port), "--no-open"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                get(base + "/-/versions.json")
                break
            except OSError:
                time.sleep(0.2)
        paths = {
            "reports page, 8 facets": "/bench/reports",
            # the same page without Datasette's facet suggestions (one query per column)
            "reports page, no suggestions": "/bench/reports?_nosuggest=1",
        }
        for q in QUERIES:
            paths[f"search box {q}"] = "/bench/reports?" + urllib.parse.urlencode({"_search": q})
            paths[f"canned search {q}"] = "/bench/search?" + urllib.parse.urlencode({"q": q})
        print(f"timing {args.requests} requests each through {base}:", flush=True)
        latency = measure(base, paths, args.requests)
    finally:
        server.terminate()
        server.wait()
    with tempfile.TemporaryDirectory(prefix="govreports-bench-real-") as tmp:
        real = real_archive_size(pathlib.Path(tmp))
    facet = latency["reports page, 8 facets"]["p95_ms"]
    search = max(v["p95_ms"] for k, v in latency.items() if "search" in k)
    summary = {
        "reports": args.reports,
        "latency": latency,
        "facet_page_p95_ms": facet,
        "facet_goal_ratio": round(facet / 300, 2),
        "search_worst_p95_ms": search,
        "search_goal_ratio": round(search / 100, 2),
        "synthetic_db_bytes": size,
        "synthetic_bytes_per_report": round(size / args.reports),
        "real_reports": real,
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
