"""Archive speed and size: ingest per file, search per query, and what the Chinese index costs.

    .venv/bin/python benchmarks/ingest_search.py [--reports 500] [--db /tmp/bench.db]

Makes N reports from the three seed reports (each copy with its own agency name and one number
changed, so every file is a new body), ingests them with `ingest_paths` (raw store + parser +
SQLite), ingests them again (all unchanged), then times `archive.search` for 1-, 2-, 4- and
8-character queries and prints the database size by table (SQLite's dbstat).
"""

import argparse
import pathlib
import sys
import tempfile
import time

from govreports.archive import Archive
from govreports.archive.ingest import ingest_paths
from govreports.archive.search import search

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from truth import SHARED  # noqa: E402

SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
AGENCIES = {"乐清市": "县", "沙河市": "市", "卫东区": "区"}
QUERIES = ["局", "复议", "北仑", "卫生健康", "第一七", "政府信息公开申请"]
DIGITS = "〇一二三四五六七八九"
ROUNDS = 20  # searches per query


def chinese_number(i: int) -> str:
    return "第" + "".join(DIGITS[int(d)] for d in str(i))


def make_reports(folder: pathlib.Path, n: int) -> None:
    texts = [seed.read_text(encoding="utf-8") for seed in SEEDS]
    for i in range(n):
        text = texts[i % len(texts)]
        for place, suffix in AGENCIES.items():
            text = text.replace(place, chinese_number(i) + suffix)
        (folder / f"report-{i:05d}.txt").write_text(text + f"\n编号{i}\n", encoding="utf-8")


def timed(fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    return result, seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=500)
    ap.add_argument("--db", type=pathlib.Path)
    args = ap.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-archive-"))
    db = args.db or work / "bench.db"
    reports = work / "reports"
    reports.mkdir()
    make_reports(reports, args.reports)
    archive = Archive(db)
    quiet = lambda line: None  # noqa: E731
    first, seconds = timed(lambda: ingest_paths(archive, [reports], echo=quiet))
    print(
        f"ingest {args.reports} new reports: {seconds:.1f} s, {1000 * seconds / args.reports:.1f} ms per file"
    )
    print(f"  {first.summary().splitlines()[0]}")
    again, seconds = timed(lambda: ingest_paths(archive, [reports], echo=quiet))
    print(
        f"ingest them again: {seconds:.1f} s, {1000 * seconds / args.reports:.1f} ms per file (all unchanged)"
    )
    for query in QUERIES:
        rows, seconds = timed(lambda q=query: [search(archive.db, q, limit=20) for _ in range(ROUNDS)])
        print(f"search {query!r} ({len(query)} chars): {1000 * seconds / ROUNDS:.1f} ms, {len(rows[0])} rows")
    sizes = archive.db.query(
        """select case when name like 'reports_fts%' then 'reports_fts (all)' else name end as part,
        sum(pgsize) as bytes from dbstat group by part order by bytes desc"""
    )
    total = db.stat().st_size
    print(f"database {total / 1e6:.1f} MB:")
    for row in sizes:
        if row["bytes"] > total / 100:
            print(f"  {row['part']:<22} {row['bytes'] / 1e6:7.1f} MB")
    text_bytes = next(archive.db.query("select sum(length(cast(text as blob))) as n from reports"))["n"]
    print(f"  (report text itself: {text_bytes / 1e6:.1f} MB UTF-8)")


if __name__ == "__main__":
    main()
