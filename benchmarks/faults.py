"""Hostile-web benchmark: faults, traps, soft-404s, off-source redirects and kill -9, as a new
user would meet them, with the crawler's real settings (timeouts, retries, politeness).

    .venv/bin/python benchmarks/faults.py [--portals 4] [--reports 12] [--faults 0.3] [--kills 5]

Starts ``--portals`` portals (tests/hostile_portals.py) on 127.0.0.1, each listing ``--reports``
report pages, where a seeded ``--faults`` share of requests fail: by default 30%, that is 20%
HTTP 500/502/503, 5% connection resets and 5% stalls of 30 s (past the 20 s DOWNLOAD_TIMEOUT).
Each portal also has an endless 下一页 pager, a query-string pager that never repeats, a soft-404
page titled like a report, and report links that redirect to a witness server on 127.0.0.2, to
another port of 127.0.0.1, to file:// and to ftp://. Then ``govreports crawl`` runs twice and the
script prints, beside each goal:

* reports filed after run 1 and after run 2 (goal: all after at most two runs), and the URLs the
  summary still names as pending;
* list pages spent in traps (goal: 2 per trap, not 500);
* off-source hits at the witnesses (goal: 0);
* bodies fetched per report (goal: <= 2 in all).

``--kills N`` then crawls fresh portals without faults, killing the crawl with SIGKILL N times at
seeded random moments and running it again each time, and prints reports lost and duplicated,
``PRAGMA integrity_check`` and bodies fetched per report (goals: 0, 0, ok, <= 2).
Nothing here runs in the test suite.
"""

import argparse
import os
import pathlib
import random
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hostile_portals import HostilePortal, Witness  # noqa: E402
from local_portals import crawl_command, sources_yaml  # noqa: E402

from govreports.archive.check import check, whole  # noqa: E402


def filed(db) -> int:
    import sqlite_utils

    return sqlite_utils.Database(db).execute("select count(distinct url) from reports").fetchone()[0]


def faults(args, folder):
    db = folder / "faults.db"
    with Witness("127.0.0.2") as witness:
        portals = [
            HostilePortal(
                f"测试{i}区人民政府",
                args.reports,
                per_page=4,
                faults=args.faults,
                seed=i,
                stall=30,
                trap=True,
                query_trap=True,
                soft_404=True,
                off_source=witness,
            )
            for i in range(args.portals)
        ]
        for portal in portals:
            portal.__enter__()
        try:
            sources = sources_yaml(folder / "faults.yaml", portals)
            after = []
            for _ in (1, 2):
                started = time.monotonic()
                out = subprocess.run(
                    crawl_command(db, sources, "--no-browser"), capture_output=True, text=True, check=True
                ).stdout
                pending = next((line for line in out.splitlines() if "still pending" in line), "none pending")
                traps = sum(p.trap_pages for p in portals) - sum(a[3] for a in after)
                after.append((filed(db), time.monotonic() - started, pending, traps))
            hits = sum(p.off_source_hits for p in portals)
            bodies = [n for p in portals for path, n in p.bodies.items() if path in p.report_paths]
            injected = sum(sum(p.faulted.values()) for p in portals)
            asked = sum(sum(p.requests.values()) for p in portals)
        finally:
            for portal in portals:
                portal.__exit__(None, None, None)
    total = args.portals * args.reports
    print(f"faults injected: {injected} of {asked} requests ({injected / asked:.0%})")
    traps_goal = 2 * 2 * args.portals  # two fruitless pages per trap, two traps per portal
    for run, (n, seconds, pending, traps) in enumerate(after, 1):
        print(
            f"run {run}: {n} of {total} reports filed ({n / total:.0%}; goal 100% by run 2) in {seconds:.0f} s"
        )
        print(f"        {pending[:200]}")
        print(
            f"        list pages spent in traps: {traps} (goal <= {traps_goal}: 2 per trap, {traps_goal // 2} traps)"
        )
    print(f"off-source hits: {hits} (goal 0)")
    print(f"bodies fetched per report: max {max(bodies)}, mean {sum(bodies) / len(bodies):.2f} (goal <= 2)")
    report = check(db)
    print(f"archive check: integrity {report['integrity']}, whole {whole(report)}")


def kills(args, folder):
    rng = random.Random(15)
    db = folder / "kills.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    portals = [HostilePortal(f"测试{i}县人民政府", args.reports, per_page=4) for i in range(args.portals)]
    for portal in portals:
        portal.__enter__()
    try:
        sources = sources_yaml(folder / "kills.yaml", portals)
        killed = 0
        for _ in range(args.kills):
            proc = subprocess.Popen(
                crawl_command(db, sources, "--no-browser"), env=env, stdout=subprocess.DEVNULL
            )
            try:
                proc.wait(timeout=rng.uniform(2.0, 12.0))  # a Python + Scrapy start takes ~2 s
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                killed += 1
            proc.wait()
        subprocess.run(
            crawl_command(db, sources, "--no-browser"), env=env, stdout=subprocess.DEVNULL, check=True
        )
        bodies = [n for p in portals for path, n in p.bodies.items() if path in p.report_paths]
    finally:
        for portal in portals:
            portal.__exit__(None, None, None)
    import sqlite_utils

    total = args.portals * args.reports
    rows, urls = (
        sqlite_utils.Database(db).execute("select count(*), count(distinct url) from reports").fetchone()
    )
    report = check(db)
    print(f"kill -9: {killed} kills at seeded random moments, then the same command to the end")
    print(f"  reports lost: {total - urls} (goal 0); duplicated: {rows - urls} (goal 0)")
    print(f"  integrity_check: {report['integrity']} (goal ok); archive whole: {whole(report)}")
    print(f"  bodies fetched per report: max {max(bodies)}, mean {sum(bodies) / len(bodies):.2f} (goal <= 2)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portals", type=int, default=4)
    parser.add_argument("--reports", type=int, default=12)
    parser.add_argument("--faults", type=float, default=0.3)
    parser.add_argument("--kills", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        faults(args, pathlib.Path(folder))
        if args.kills:
            kills(args, pathlib.Path(folder))


if __name__ == "__main__":
    main()
