"""Parser speed: reports per second per core, and the ratio to trafilatura.extract alone.

    .venv/bin/python benchmarks/parse.py [--rounds 20] [--ingest 280] [--jobs N] [FILE ...]

Without FILEs it uses every HTML report under tests/fixtures (but the real CMS markup of
tests/fixtures/shared) and crawler/portals, plus HTML pages
made from the shared seed texts. The parse figure runs on one core (a plain loop in one process,
rounds of parse and of extract alternating, so both see the same machine load, timed in CPU
time), so it is per core. Goals: at least 50 reports/s per core; parse at most 2x trafilatura alone.

Then `govreports ingest` (a new process: start-up, raw store, worker pool, SQLite, all included)
of --ingest report pages (the pages above, each made a distinct body), against
trafilatura.extract alone over the same bytes in this process. Goal: at most 2x.
"""

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import trafilatura

from govreports.crawler.portals.build import paragraphs_and_tables
from govreports.parser import parse

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from truth import SHARED  # noqa: E402


def page_from_text(text: str) -> bytes:
    """An HTML report page like a CMS renders one (the sample portals' own builder)."""
    body = paragraphs_and_tables(text)
    return f"<html><head><meta charset='utf-8'><title>report</title></head><body><div class='article'>{body}</div></body></html>".encode()


def corpus(files: list[str]) -> list[tuple[str, bytes]]:
    if files:
        return [(f, pathlib.Path(f).read_bytes()) for f in files]
    pages = [
        (str(p.relative_to(ROOT)), p.read_bytes())
        for base in (ROOT / "tests" / "fixtures", ROOT / "crawler" / "portals")
        for p in sorted(base.rglob("*.htm*"))
        if SHARED not in p.parents and b"\xe5\xb9\xb4\xe5\xba\xa6\xe6\x8a\xa5\xe5\x91\x8a" in p.read_bytes()
    ]
    pages += [
        (f"seed {p.name} as html", page_from_text(p.read_text(encoding="utf-8")))
        for p in sorted(SHARED.glob("seeds/*.txt"))
    ]
    return pages


def timed(fn, pages, rounds: int = 1, clock=time.process_time) -> float:
    """Seconds of ``clock`` (default: this process's CPU time, so that the figure is per core
    whatever else the machine runs) to run ``fn`` over the pages ``rounds`` times."""
    start = clock()
    for _ in range(rounds):
        for _, data in pages:
            fn(data)
    return clock() - start


def extract(data: bytes):
    return trafilatura.extract(data, favor_recall=True, include_tables=True)


def parse_or_skip(data: bytes):
    try:
        return parse(data, content_type="text/html")
    except Exception:  # a page that is not a report still costs its parse time
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--ingest", type=int, default=280, metavar="N", help="report pages to ingest (0: none)")
    ap.add_argument("--jobs", type=int, default=None, help="govreports ingest --jobs (default: its own)")
    args = ap.parse_args()
    pages = corpus(args.files)
    timed(parse_or_skip, pages)  # warm caches (label keys, OpenCC tables, lxml)
    ours = alone = 0.0
    for _ in range(args.rounds):
        ours += timed(parse_or_skip, pages)
        alone += timed(extract, pages)
    n = len(pages) * args.rounds
    print(
        f"pages: {len(pages)} x {args.rounds} rounds, {sum(len(d) for _, d in pages) / 1024:.0f} KiB per round;"
        f" CPU time; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    print(f"govreports parse:       {n / ours:8.1f} reports/s per core ({ours / n * 1000:.1f} ms each)")
    print(f"trafilatura.extract:    {n / alone:8.1f} pages/s per core ({alone / n * 1000:.1f} ms each)")
    print(f"ratio parse/extract:    {ours / alone:8.2f}x (goal: at most 2x; goal parse >= 50 reports/s)")
    if args.ingest:
        ingest(pages, args.ingest, args.jobs)


def ingest(pages, n: int, jobs: int | None):
    bodies = [pages[i % len(pages)][1] + f"<!-- copy {i} -->".encode() for i in range(n)]
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = pathlib.Path(tmp) / "pages"
        folder.mkdir()
        for i, body in enumerate(bodies):
            (folder / f"page-{i:05d}.html").write_bytes(body)
        alone = timed(extract, [(None, b) for b in bodies], clock=time.perf_counter)  # both wall time
        command = [str(pathlib.Path(sys.executable).with_name("govreports")), "ingest"]
        command += [str(pathlib.Path(tmp) / "bench.db"), str(folder)] + (
            ["--jobs", str(jobs)] if jobs else []
        )
        start = time.perf_counter()
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        wall = time.perf_counter() - start
    print(f"govreports ingest of {n} report pages (--jobs {jobs or os.cpu_count()}, start-up included):")
    print(f"  {next(line for line in out.splitlines() if ' files: ' in line)}")
    print(
        f"  ingest {wall:.1f} s ({wall / n * 1000:.1f} ms per page), trafilatura.extract alone {alone:.1f} s"
    )
    print(f"  ratio ingest/extract: {wall / alone:.2f}x (goal: at most 2x)")


if __name__ == "__main__":
    main()
