"""Agencies benchmark: the agency tables, the coverage tables and the agency pages at 1M reports.

    .venv/bin/python benchmarks/agencies.py [--reports 1000000] [--requests 30] [--keep DIR]

Builds the reports of benchmarks/datasette.py's synthetic archive (its rows: 31 provinces x 12
cities x 3 counties x 12 sectors, 2019 to 2024; without the full-text index, which these pages do
not read), then times:

* ``agencies.refresh(db)``: every report linked to its agency, aliases, figures, coverage (what
  ``reparse`` runs; goal: minutes, not hours, at 1M reports);
* ``agencies.refresh(db, report_ids)`` for 100 reports just filed (what the end of an ingest or a
  crawl runs; goal < 5 s);

then serves the archive with ``govreports serve`` and times over HTTP, after one warm-up each
(goal p95 < 300 ms, issue 12's page goal): an agency page, the home page (with its coverage table
per province), the coverage table with its five facets for one year, and the canned query
``published_last_year_not_this_year``.
"""

import argparse
import importlib.util
import json
import pathlib
import shutil
import sqlite3
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_datasette", ROOT / "benchmarks" / "datasette.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

from publish_site import Site  # noqa: E402  (tests/, on sys.path through benchmarks/datasette.py)

from govreports.archive import agencies  # noqa: E402
from govreports.archive.db import Archive  # noqa: E402

GOAL_MS = 300


def build(db_path, n) -> float:
    """The schema from Archive, then n synthetic reports in one transaction; seconds taken."""
    Archive(db_path).close()
    started = time.monotonic()
    conn = sqlite3.connect(db_path)
    conn.execute("pragma journal_mode = off")
    conn.execute("pragma synchronous = off")
    columns = list(next(bench.synthetic_rows(1)))
    insert = f"insert into reports ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
    batch = []
    with conn:
        for row in bench.synthetic_rows(n):
            batch.append([row[c] for c in columns])
            if len(batch) == 20_000:
                conn.executemany(insert, batch)
                batch = []
        conn.executemany(insert, batch)
    conn.execute("analyze")
    conn.close()
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--keep", type=pathlib.Path, help="build (or reuse) the archive in this folder")
    args = parser.parse_args()
    folder = args.keep or pathlib.Path(tempfile.mkdtemp(prefix="govreports-bench-agencies-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        run(args, folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder)


def run(args, folder):
    db_path = folder / "bench.db"
    if not db_path.exists():
        print(f"building {args.reports} synthetic reports in {db_path} ...", flush=True)
        print(f"  built in {build(db_path, args.reports):.0f} s", flush=True)
    archive = Archive(db_path)
    started = time.monotonic()
    counts = agencies.refresh(archive.db)
    full = time.monotonic() - started
    print(f"full refresh {full:.1f} s: {counts}", flush=True)
    filed = [r[0] for r in archive.db.execute("select id from reports order by random() limit 100")]
    started = time.monotonic()
    agencies.refresh(archive.db, report_ids=filed)
    incremental = time.monotonic() - started
    print(f"refresh after 100 reports filed {incremental:.2f} s", flush=True)
    agency_id, year = archive.db.execute(
        "select agency_id, max(year) from reports where agency_id = (select agency_id from reports limit 1)"
    ).fetchone()
    archive.db.execute("analyze")
    archive.close()

    site = Site(db_path, folder / "datasette.log")  # `govreports serve` on a free port
    try:
        paths = {
            "agency page": f"/agency/{agency_id}",
            "home page (coverage per province)": "/",
            # its five facets are the metadata's counted ones (coverage_facet_counts)
            "coverage, one year, 5 facets": f"/bench/coverage?year={year}",
            "published last year, not this year": "/bench/published_last_year_not_this_year?year=&province=",
        }
        print(f"timing {args.requests} requests each through {site.base}:", flush=True)
        latency = bench.measure(site.base, paths, args.requests)
    finally:
        site.stop()
    worst = max(v["p95_ms"] for v in latency.values())
    print(
        json.dumps(
            {
                "reports": args.reports,
                "full_refresh_s": round(full, 1),
                "refresh_after_100_filed_s": round(incremental, 2),
                "tables": counts,
                "latency": latency,
                "worst_p95_ms": worst,
                "page_goal_ratio": round(worst / GOAL_MS, 2),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
