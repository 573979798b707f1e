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
* RSS of the crawl process (sampled every second against the reports served so far) at 1k and
  10k reports, its peak and its slope in KB per report after the first 1k (goals: < 300 MB at
  10k reports, < 2 KB per report), and the largest other process (a parse worker);
* the recrawl's time against the first crawl's (goal: below 1).

``--workers N`` runs the distributed mode instead (N scrapy-redis workers, one writer) on a
redis-server this script starts. Nothing here runs in the test suite.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from local_portals import Portal, sources_yaml  # noqa: E402
from redis_server import redis_server  # noqa: E402

from govreports.crawler import settings  # noqa: E402


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    """A process's resident memory now (VmRSS) or at its peak (VmHWM), in KB; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(f"{field}:"))
    except (OSError, StopIteration):
        return 0


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (the parse pool's forkserver and workers, distributed workers),
    whichever of its threads started them (the pool is started from the writer's thread)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = []
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    kids += [int(k) for k in f.read().split()]
        except OSError:
            pass
        found += kids
        todo += kids
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` itself so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def own_cpu() -> float:
    """CPU time of this process: the portals' HTTP servers (and the sampling)."""
    t = os.times()
    return t.user + t.system


def slope(samples: list[tuple[int, int]], after: int) -> float | None:
    """Least-squares KB of RSS per report over the samples (reports, KB) from ``after`` reports on."""
    points = [(x, y) for x, y in samples if x >= after]
    if len(points) < 3 or points[-1][0] == points[0][0]:
        return None
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    return sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)


def crawl(db, sources, portals, redis_url=None, workers=0) -> dict:
    """Run govreports crawl once, sampling every second the RSS of the crawl process (the one
    this starts) against the reports the portals have served so far."""
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
    started, server_cpu = time.monotonic(), own_cpu()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    samples, others, cpu, kids_cpu = [], 0, 0.0, {}
    while proc.poll() is None:
        served = sum(n for p in portals for path, n in list(p.requests.items()) if path.startswith("/art/"))
        if kb := rss_kb(proc.pid):
            if samples and served // 1000 > samples[-1][0] // 1000:  # progress, for a long run
                print(
                    f"  {served} reports served: crawl process {kb // 1024} MB", file=sys.stderr, flush=True
                )
            samples.append((served, kb))
        cpu = max(cpu, cpu_seconds(proc.pid))
        for kid in children(proc.pid):  # parse workers (recycled: each one's last figure)
            others = max(others, rss_kb(kid))
            kids_cpu[kid] = max(kids_cpu.get(kid, 0.0), cpu_seconds(kid))
        time.sleep(0.5)
    if proc.returncode:
        raise SystemExit(f"govreports crawl failed (exit {proc.returncode})")
    seconds = time.monotonic() - started
    at = {n: next((kb for x, kb in samples if x >= n), None) for n in (1000, 10000)}
    per_report = slope(samples, 1000)
    two_point = at[1000] and at[10000] and (at[10000] - at[1000]) / 9000
    return {
        "seconds": round(seconds, 1),
        "crawl_process_cpu_seconds": round(cpu, 1),
        "parse_workers_cpu_seconds": round(sum(kids_cpu.values()), 1),
        "portal_servers_cpu_seconds": round(own_cpu() - server_cpu, 1),
        "rss_slope_kb_per_report_1k_to_10k": two_point and round(two_point, 2),
        "crawl_process_peak_rss_mb": round(max(kb for _, kb in samples) / 1024, 1) if samples else None,
        "crawl_process_rss_mb_at_1k": at[1000] and round(at[1000] / 1024, 1),
        "crawl_process_rss_mb_at_10k": at[10000] and round(at[10000] / 1024, 1),
        "crawl_process_rss_mb_at_end": samples and round(samples[-1][1] / 1024, 1),
        "rss_slope_kb_per_report_after_1k": per_report and round(per_report, 2),
        "largest_other_process_rss_mb": round(others / 1024, 1),
    }


def fetch_window(portals) -> float:
    """Seconds from the first to the last request any portal saw."""
    times = [t for p in portals for t in p.times]
    return max(times) - min(times) if times else 0.0


def server_capacity(portals, seconds=3.0) -> dict:
    """The portals' own rate, without a crawl: two client processes ask every portal for its
    report pages as fast as they are answered (one connection per host and client, kept alive),
    for ``seconds``; requests per second and the servers' CPU time per request."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    targets = [(*p.server.server_address, p.report_paths) for p in portals]
    queue = context.Queue()
    clients = [context.Process(target=_hammer, args=(targets[k::2], seconds, queue)) for k in range(2)]
    started, cpu = time.monotonic(), own_cpu()
    for c in clients:
        c.start()
    served = sum(queue.get() for _ in clients)
    for c in clients:
        c.join()
    wall, cpu = time.monotonic() - started, own_cpu() - cpu
    for p in portals:
        p.requests.clear()
        p.times.clear()
        p.statuses.clear()
    return {
        "requests_per_second": round(served / wall),
        "server_cpu_ms_per_request": round(1000 * cpu / served, 2),
    }


def _hammer(targets, seconds, queue):
    import http.client
    import threading

    counts = []

    def one(host, port, paths):
        connection, n, end = http.client.HTTPConnection(host, port), 0, time.monotonic() + seconds
        while time.monotonic() < end:
            connection.request("GET", paths[n % len(paths)])
            connection.getresponse().read()
            n += 1
        connection.close()
        counts.append(n)

    threads = [threading.Thread(target=one, args=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(sum(counts))


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
        limit = args.hosts / settings.DOWNLOAD_DELAY

        capacity = server_capacity(portals)
        first = crawl(db, sources, portals, redis_url, args.workers)
        requests, rate = fetch_rate(portals)
        first = {
            "reports": total,
            "requests": requests,
            "fetch_rate": round(rate, 1),
            "politeness_limit": limit,
            "fetch_ratio": round(rate / limit, 3),
            "fetch_seconds": round(fetch_window(portals), 1),
            "reports_per_second_end_to_end": round(total / first["seconds"], 2),
            "crawl_process_cpu_ms_per_request": round(
                1000 * first["crawl_process_cpu_seconds"] / requests, 2
            ),
            **first,
        }

        for p in portals:
            p.requests.clear()
            p.times.clear()
        second = crawl(db, sources, portals, redis_url, args.workers)
        requests, rate = fetch_rate(portals)
        lists = sum(n for p in portals for path, n in p.requests.items() if path.startswith("/col/"))
        reports = sum(n for p in portals for path, n in p.requests.items() if path.startswith("/art/"))
        second = {
            "seconds": second["seconds"],
            "crawl_process_cpu_seconds": second["crawl_process_cpu_seconds"],
            "recrawl_over_first_crawl_time": round(second["seconds"] / first["seconds"], 2),
            "fetch_rate": round(rate, 1),
            "fetch_ratio": round(rate / limit, 3),
            "list_requests": lists,
            "report_requests": reports,
            "requests_per_report": round((lists + reports) / total, 3),
            "list_requests_per_report": round(lists / total, 3),
            "crawl_process_peak_rss_mb": second["crawl_process_peak_rss_mb"],
        }
        size = db.stat().st_size
        return {
            "portal_servers_alone": capacity,
            "first_crawl": first,
            "recrawl_unchanged": second,
            "db_bytes_per_report": round(size / total),
        }
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
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="govreports-bench-") as tmp:
        folder = pathlib.Path(tmp)
        if args.workers:
            with redis_server(folder) as url:
                result = run(args, folder, url)
        else:
            result = run(args, folder)
    result["load_average_start_end"] = [round(load[0], 2), round(os.getloadavg()[0], 2)]
    result["cores"] = os.cpu_count()
    print(
        json.dumps({"hosts": args.hosts, "reports_per_host": args.reports, "mode": mode, **result}, indent=2)
    )
    print(summary(result))


def summary(result) -> str:
    """The issue's figures, each beside its goal with the ratio (measured in this one run)."""
    first, second = result["first_crawl"], result["recrawl_unchanged"]
    rows = [
        ("fetch rate / politeness limit", first["fetch_ratio"], ">= 0.95", first["fetch_ratio"] / 0.95),
        (
            "end to end reports/s (fetching alone: reports / fetch seconds)",
            f"{first['reports_per_second_end_to_end']} ({first['reports'] / max(first['fetch_seconds'], 0.1):.1f})",
            "bounded by fetching",
            first["fetch_seconds"] / first["seconds"],
        ),
        ("peak RSS of the crawl process, MB", first["crawl_process_peak_rss_mb"], "< 300", None),
        (
            "RSS at 1k / 10k reports, MB",
            f"{first['crawl_process_rss_mb_at_1k']} / {first['crawl_process_rss_mb_at_10k']}",
            "< 300 at 10k",
            None,
        ),
        ("RSS slope 1k -> 10k, KB per report", first["rss_slope_kb_per_report_1k_to_10k"], "< 2", None),
        (
            "recrawl time / first crawl time",
            second["recrawl_over_first_crawl_time"],
            "< 1",
            second["recrawl_over_first_crawl_time"],
        ),
        (
            "recrawl fetch rate / politeness limit",
            second["fetch_ratio"],
            ">= 0.95",
            second["fetch_ratio"] / 0.95,
        ),
    ]
    lines = [f"{'figure':<64} {'measured':>18} {'goal':>20} {'ratio':>7}"]
    for name, value, goal, ratio in rows:
        r = "" if ratio is None else f"{ratio:.2f}"
        lines.append(f"{name:<64} {value!s:>18} {goal:>20} {r:>7}")
    cpu = (
        first["crawl_process_cpu_seconds"],
        first["parse_workers_cpu_seconds"],
        first["portal_servers_cpu_seconds"],
    )
    lines.append(
        f"CPU s, first crawl: crawl process {cpu[0]}, parse workers {cpu[1]}, portal servers {cpu[2]}"
        f" ({first['crawl_process_cpu_ms_per_request']} ms of the crawl process per request);"
        f" servers alone {result['portal_servers_alone']['requests_per_second']} req/s;"
        f" load average {result['load_average_start_end']} on {result['cores']} cores"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
