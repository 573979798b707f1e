"""Datasette benchmark: a national archive (benchmarks/national.py) served by ``govreports serve``.

    .venv/bin/python benchmarks/datasette.py --reports 1000000 --keep /work/bench/1m [--requests 20]

Builds the archive with benchmarks/national.py (the real schema, reports with a real report's
text, all three cell tables, checks, the search index, the derived tables by the code ingest runs)
unless ``--keep DIR`` already has one, then starts ``govreports serve`` (a real Datasette process
with the project's metadata and plugins; no cache in front of it) and times over HTTP, after one
warm-up request each, p95 of ``--requests`` requests per page, against the goals of issue 12:

* the reports page with its default facets, and the same page filtered (a province, a year,
  failed checks only, current versions): 300 ms;
* search for words in every report (复议, 行政诉讼, 不掌握), one and two characters (局, 北仑) and a
  rare agency name, first page of results: /-/search, the canned ``search`` query and the
  reports table's own search box (``?_search=``), 100 ms;
* every canned query of the metadata with its default parameters: 1 s;
* a report page: 100 ms; the home page: 200 ms;

then the time to the first megabyte of a streamed CSV export of the applications table, and the
bytes per report in the file, per table (SQLite's dbstat), against the goal of 20 KB.
"""

import argparse
import json
import pathlib
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from national import build  # noqa: E402

from govreports.crawler.demo import free_port  # noqa: E402
from govreports.datasette.serve import METADATA, METADATA_DB_NAME  # noqa: E402

WORDS = ("复议", "行政诉讼", "不掌握", "局", "北仑", "新疆第3市第2区财政局")
GOALS_MS = {"page": 300, "search": 100, "canned": 1000, "report": 100, "home": 200}
BYTES_GOAL = 20_000


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
    """{name: {p50_ms, p95_ms, goal_ms, ratio}} for paths {name: (path, goal kind or None)}."""
    results = {}
    for name, (path, goal) in paths.items():
        get(base + path)  # warm-up
        answers = [get(base + path) for _ in range(requests)]
        result = percentiles([ms for ms, _ in answers])
        if goal:
            result.update(goal_ms=GOALS_MS[goal], ratio=round(result["p95_ms"] / GOALS_MS[goal], 2))
        failed = sum(body.startswith(b"HTTP ") for _, body in answers)
        if failed:
            result["error_answers"] = failed
        results[name] = result
        print(f"  {name:<44} {result}", flush=True)
    return results


def canned_paths(db_name) -> dict:
    """Every canned query of the metadata with its default parameters (all empty)."""
    queries = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"][METADATA_DB_NAME]["queries"]
    paths = {}
    for name, query in queries.items():
        if name == "search":
            continue
        params = dict.fromkeys(sorted(set(re.findall(r":(\w+)", query["sql"]))), "")
        paths[f"canned {name}"] = (f"/{db_name}/{name}?" + urllib.parse.urlencode(params), "canned")
    return paths


def first_megabyte(url) -> float:
    """Milliseconds to the first 1 MB of a streamed export."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:
        got = 0
        while got < 1_000_000:
            chunk = response.read(65536)
            if not chunk:
                break
            got += len(chunk)
    return round((time.perf_counter() - started) * 1000, 1)


def size_split(db, reports) -> dict:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute("select name, sum(pgsize) from dbstat group by name").fetchall()
    conn.close()
    tables = {}
    for name, size in rows:
        key = "reports_fts (search index)" if name.startswith("reports_fts") else name
        tables[key] = tables.get(key, 0) + size
    top = sorted(tables.items(), key=lambda kv: -kv[1])
    return {name: round(size / reports) for name, size in top if size / reports >= 20}


def main():
    arguments = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    arguments.add_argument("--reports", type=int, default=1_000_000)
    arguments.add_argument("--requests", type=int, default=20, help="timed requests per page (p95 of them)")
    arguments.add_argument("--keep", type=pathlib.Path, help="build (or reuse) the archive in this folder")
    args = arguments.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(args, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="govreports-bench-") as tmp:
            run(args, pathlib.Path(tmp))


def run(args, folder):
    db = folder / "bench.db"
    built = None
    if not db.exists():
        print(f"building {args.reports:,} reports in {db} ...", flush=True)
        built = build(db, args.reports)
        print(f"  built: {built}", flush=True)
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        reports = conn.execute("select count(*) from reports").fetchone()[0]
        ids = [row[0] for row in conn.execute("select id from reports order by random() limit 20")]
    size = db.stat().st_size
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "govreports.crawler.cli", "serve", str(db), "--port", str(port), "--no-open"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    name = db.stem
    try:
        started = time.monotonic()
        for _ in range(3000):
            try:
                get(base + "/-/versions.json")
                break
            except OSError:
                time.sleep(0.2)
        startup = round(time.monotonic() - started, 1)
        print(
            f"serving {reports:,} reports at {base} (up in {startup} s); {args.requests} requests each:",
            flush=True,
        )
        paths = {
            "home page": ("/", "home"),
            "reports page, default facets": (f"/{name}/reports", "page"),
            "reports page, current versions": (f"/{name}/reports?is_latest=1", "page"),
            "reports page, a province": (
                f"/{name}/reports?" + urllib.parse.urlencode({"province": "浙江省"}),
                "page",
            ),
            "reports page, a year": (f"/{name}/reports?year=2022", "page"),
            "reports page, failed checks only": (f"/{name}/reports?check_failures__gt=0", "page"),
            "reports page, province + year + failing": (
                f"/{name}/reports?"
                + urllib.parse.urlencode({"province": "浙江省", "year": 2022, "check_failures__gt": 0}),
                "page",
            ),
        }
        for word in WORDS:
            q = urllib.parse.urlencode({"q": word})
            paths[f"search page {word}"] = (f"/-/search?{q}", "search")
            paths[f"canned search {word}"] = (f"/{name}/search?{q}", "search")
            paths[f"table search box {word}"] = (
                f"/{name}/reports?" + urllib.parse.urlencode({"_search": word}),
                "search",
            )
        paths["table search box 复议, a province (no goal)"] = (
            f"/{name}/reports?" + urllib.parse.urlencode({"_search": "复议", "province": "浙江省"}),
            None,
        )
        paths.update(canned_paths(name))
        rng = random.Random(1)
        report_ids = iter(rng.choice(ids) for _ in range(10**6))
        latency = measure(base, paths, args.requests)
        # a report page: a different report each request
        get(f"{base}/report/{next(report_ids)}")
        pages = percentiles([get(f"{base}/report/{next(report_ids)}")[0] for _ in range(args.requests)])
        pages.update(goal_ms=GOALS_MS["report"], ratio=round(pages["p95_ms"] / GOALS_MS["report"], 2))
        latency["report page"] = pages
        print(f"  {'report page':<44} {pages}", flush=True)
        # the public view (Datasette pages a view by offset) and the compact table (by its key)
        stream = {
            table: first_megabyte(f"{base}/{name}/{table}.csv?_stream=on&_size=max")
            for table in ("applications", "application_cells")
        }
        print(f"  streamed CSV export, first MB in ms: {stream}", flush=True)
    finally:
        server.terminate()  # a stream still being written would hold a graceful stop
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    per_table = size_split(db, reports)
    summary = {
        "reports": reports,
        "built_seconds": built,
        "server_start_s": startup,
        "latency": latency,
        "worst_ratio": max(v["ratio"] for v in latency.values() if "ratio" in v),
        "csv_stream_first_mb_ms": stream,
        "db_bytes": size,
        "bytes_per_report": round(size / reports),
        "bytes_goal_ratio": round(size / reports / BYTES_GOAL, 2),
        "bytes_per_report_by_table": per_table,
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
