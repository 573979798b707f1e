"""Derived tables benchmark: what the refresh at the end of an ingest costs in a national archive,
and the pages that read what it computes.

    .venv/bin/python benchmarks/derived.py /work/bench/derived/bench.db [--reports 100000] [--requests 20]

The archive is built by benchmarks/national.py's builder when the file does not exist (an archive
built before is used as it is; the benchmark files up to 105 reports into it). Then it times:

* ``derived.refresh_derived(db, force=True)``: everything from the reports (facet counts,
  summaries, agencies, coverage and its counts), what ``reparse`` and ``govreports refresh --full``
  run;
* the incremental refresh after one report filed (``Archive.ingest_document``, no refresh),
  for: a new agency, the next year of an agency, a new version of a report, a report taken down
  (goal: well under a second), and the first report for a new year (once a year: it adds every
  agency's coverage row for that year);
* ``govreports ingest`` of one file end to end (``ingest_paths``: parse pool start-up, parse,
  file, cross-year check, refresh);
* the incremental refresh after 100 reports filed;

then serves the archive with ``govreports serve`` and times over HTTP, after one warm-up each,
the home page (goal p95 < 200 ms) and the coverage page with its five counted facets,
unfiltered and filtered (goal p95 < 300 ms).
"""

import argparse
import importlib.util
import json
import pathlib
import statistics
import sys
import tempfile
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


national = _load("national")  # puts tests/ on sys.path
bench = _load("datasette")

from local_portals import report_page  # noqa: E402
from publish_site import Site  # noqa: E402

from govreports.archive import derived, lifecycle  # noqa: E402
from govreports.archive.db import Archive  # noqa: E402
from govreports.archive.ingest import ingest_paths  # noqa: E402

GOAL_S = 1.0  # "well under a second"


def timed(step) -> tuple[float, object]:
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def file_one(archive, url, body, status=200):
    fetched = archive.record_fetch(url=url, status=status, content_type="text/html", body=body)
    if body is not None:
        archive.ingest_document(fetched.document_id)


def refreshes(archive) -> dict:
    """The incremental refresh after each kind of one-report change: seconds."""
    db = archive.db
    agency, province, year, url = db.execute(
        "select agency, province, year, url from reports where is_latest = 1 order by id desc limit 1"
    ).fetchone()
    newest = db.execute("select max(year) from reports").fetchone()[0]
    steps = {
        "a new agency": lambda: file_one(
            archive, "http://127.0.0.1/new.html", report_page("新建区卫生健康局", year)
        ),
        "the next year of an agency": lambda: file_one(
            archive, "http://127.0.0.1/next.html", report_page(agency, year + 1)
        ),
        "a new version of a report": lambda: file_one(archive, url, report_page(agency, year)),
        "a report taken down": lambda: lifecycle.mark_removed(db, [url]),
        # a year no report was for yet: every agency's coverage row for it, missing years anew
        "the first report of a new year": lambda: file_one(
            archive, "http://127.0.0.1/new-year.html", report_page(agency, newest + 1)
        ),
    }
    seconds = {}
    for name, change in steps.items():
        change()
        took, done = timed(lambda: derived.refresh_derived(db))
        assert done == "incremental", (name, done)
        seconds[name] = round(took, 3)
        print(f"  refresh after {name:<30} {took * 1000:8.0f} ms", flush=True)
    return seconds


def main():
    arguments = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    arguments.add_argument("db", type=pathlib.Path)
    arguments.add_argument(
        "--reports", type=int, default=100_000, help="reports to build when db does not exist"
    )
    arguments.add_argument("--requests", type=int, default=20, help="timed requests per page")
    args = arguments.parse_args()
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {args.reports} reports in {args.db} ...", flush=True)
        print(json.dumps(national.build(args.db, args.reports, echo=lambda *a, **k: None)), flush=True)
    archive = Archive(args.db)
    reports = archive.db.execute("select count(*) from reports").fetchone()[0]
    print(f"{args.db}: {reports:,} reports", flush=True)
    full, _ = timed(lambda: derived.refresh_derived(archive.db, force=True))
    print(f"  full refresh {full:.1f} s", flush=True)
    one = refreshes(archive)
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "one.html"
        path.write_bytes(report_page("新建区教育局", 2024))
        ingest_one, _ = timed(lambda: ingest_paths(archive, [path], echo=lambda _: None, jobs=1))
    print(f"  govreports ingest of one file, end to end {ingest_one:.2f} s", flush=True)
    for i in range(100):
        file_one(archive, f"http://127.0.0.1/batch/{i}.html", report_page(f"批量{i}局", 2023 + i % 2))
    hundred, _ = timed(lambda: derived.refresh_derived(archive.db))
    print(f"  refresh after 100 reports filed {hundred:.2f} s", flush=True)
    year = archive.db.execute("select max(year) from coverage").fetchone()[0]
    archive.db.execute("analyze")
    archive.close()

    name = args.db.stem
    paths = {
        "home page": ("/", "home"),
        "coverage, 5 counted facets": (f"/{name}/coverage", "page"),
        "coverage, one year": (f"/{name}/coverage?year={year}", "page"),
        "coverage, missing in a province": (
            f"/{name}/coverage?status=missing&province={urllib.parse.quote('浙江省')}",
            "page",
        ),
    }
    site = Site(args.db, args.db.with_suffix(".datasette.log"))
    try:
        print(f"timing {args.requests} requests each through {site.base}:", flush=True)
        latency = bench.measure(site.base, paths, args.requests)
    finally:
        site.stop()
    worst = max(one.values())
    print(
        json.dumps(
            {
                "reports": reports,
                "full_refresh_s": round(full, 1),
                "refresh_after_one_report_s": one,
                "refresh_after_one_report_median_s": round(statistics.median(one.values()), 3),
                "refresh_goal_ratio": round(worst / GOAL_S, 2),
                "ingest_one_file_s": round(ingest_one, 2),
                "refresh_after_100_reports_s": round(hundred, 2),
                "latency": latency,
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
