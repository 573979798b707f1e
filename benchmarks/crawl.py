"""Crawl benchmark: many local portals, with the crawler's real politeness settings.

    .venv/bin/python benchmarks/crawl.py [--hosts 20] [--reports 50] [--workers 0] [--redis-port 0]

Starts ``--hosts`` portals, each on its own loopback address (127.0.0.2, 127.0.0.3 ...: another
host to Scrapy's per-host limits), each listing ``--reports`` report pages (the real seed report
as HTML under other agency names, ETags, 304 on If-None-Match). Then runs ``govreports crawl``
twice as a user would, with the default settings (robots.txt, AutoThrottle, 2 requests per host,
DOWNLOAD_DELAY between requests to one host), and prints:

* throughput: requests per second while the crawl was fetching (first to last request the
  portals saw), and its ratio to the politeness limit, hosts / DOWNLOAD_DELAY requests per
  second (goal >= 90%);
* reports per second end to end (process start to exit, parsing and archiving included);
* requests per report on the recrawl of the unchanged portals, split into list pages and
  conditional report requests (goal: list pages only);
* peak RSS of the largest crawl process (goal < 500 MB at 10k reports: --hosts 100 --reports 100).

``--workers N`` runs the distributed mode instead (N scrapy-redis workers, one writer) on a
redis-server this script starts. Nothing here runs in the test suite.
"""

import argparse
import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from local_portals import Portal, sources_yaml  # noqa: E402
from redis_server import redis_server  # noqa: E402

from govreports.crawler.settings import SETTINGS  # noqa: E402


def crawl(db, sources, redis_url=None, workers=0) -> tuple[float, float]:
    """Run govreports crawl once; return (seconds, peak RSS in MB of the largest process so far)."""
    cmd = [
        sys.executable,
        "-m",
        "govreports.crawler.cli",
        "crawl",
        str(db),
        "--sources",
        str(sources),
        "--no-browser",
    ]
    if workers:
        cmd += ["--workers", str(workers), "--redis", redis_url]
    started = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    seconds = time.monotonic() - started
    # ru_maxrss of waited-for descendants: the largest single process (KB on Linux)
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def fetch_rate(portals) -> tuple[int, float]:
    """(requests, requests per second from the first to the last request any portal saw)."""
    times = sorted(t for p in portals for t in p.times)
    if len(times) < 2:
        return len(times), 0.0
    return len(times), (len(times) - 1) / (times[-1] - times[0])


def run(args, folder, redis_url=None):
    portals = [
        Portal(f"基准{i + 1:03d}区人民政府", args.reports, per_page=args.per_page, host=f"127.0.0.{i + 2}")
        for i in range(args.hosts)
    ]
    for p in portals:
        p.__enter__()
    try:
        sources = sources_yaml(folder / "sources.yaml", portals)
        db = folder / "bench.db"
        total = args.hosts * args.reports
        limit = args.hosts / SETTINGS["DOWNLOAD_DELAY"]

        seconds, rss = crawl(db, sources, redis_url, args.workers)
        requests, rate = fetch_rate(portals)
        first = {
            "reports": total,
            "requests": requests,
            "seconds": round(seconds, 1),
            "fetch_rate": round(rate, 1),
            "politeness_limit": limit,
            "ratio": round(rate / limit, 3),
            "reports_per_second": round(total / seconds, 2),
            "peak_rss_mb": round(rss, 1),
        }

        for p in portals:
            p.requests.clear()
            p.times.clear()
        seconds, rss = crawl(db, sources, redis_url, args.workers)
        lists = sum(n for p in portals for path, n in p.requests.items() if path.startswith("/col/"))
        reports = sum(n for p in portals for path, n in p.requests.items() if path.startswith("/art/"))
        second = {
            "seconds": round(seconds, 1),
            "list_requests": lists,
            "report_requests": reports,
            "requests_per_report": round((lists + reports) / total, 3),
            "list_requests_per_report": round(lists / total, 3),
            "peak_rss_mb": round(rss, 1),
        }
        size = db.stat().st_size
        return {"first_crawl": first, "recrawl_unchanged": second, "db_bytes_per_report": round(size / total)}
    finally:
        for p in portals:
            p.__exit__(None, None, None)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--reports", type=int, default=50, help="reports per host")
    parser.add_argument("--per-page", type=int, default=20, help="reports per list page")
    parser.add_argument("--workers", type=int, default=0, help="distributed mode with N workers")
    args = parser.parse_args()
    mode = f"distributed, {args.workers} workers" if args.workers else "one process"
    print(f"crawl benchmark: {args.hosts} hosts x {args.reports} reports ({mode})", flush=True)
    with tempfile.TemporaryDirectory(prefix="govreports-bench-") as tmp:
        folder = pathlib.Path(tmp)
        if args.workers:
            with redis_server(folder) as url:
                result = run(args, folder, url)
        else:
            result = run(args, folder)
    print(
        json.dumps({"hosts": args.hosts, "reports_per_host": args.reports, "mode": mode, **result}, indent=2)
    )


if __name__ == "__main__":
    main()
