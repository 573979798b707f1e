"""Pathological inputs through every path: `govreports parse`, `govreports ingest` (the parse
pool) and `govreports crawl` of a local portal serving them, each timed, with peak RSS.

    .venv/bin/python benchmarks/limits.py [--only NAME]

The inputs are made here at run time (tests/pathological.py): a 50 MB report page, a page
under the size cap with 4 MB of text, a page with a 30 MB inline picture, a 200,000-deep tree,
a 300-page PDF, a sheet of 10^6 cells. The ingest gets the input beside a real report page, and
the crawl a portal (127.0.0.1, a free port) listing two real report pages and the input: each
prints what became of the input and whether the real reports were filed too.

Peak RSS is the high-water mark (VmHWM) of the largest process of the command's process tree
(the parse workers included), sampled every 50 ms, and of the whole tree at once. Goal: each an
answer (a record or a refusal naming its limit) in under 10 s and 400 MB, and nothing else lost.
"""

import argparse
import json
import os
import pathlib
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from crawl import children, rss_kb  # noqa: E402  (benchmarks/crawl.py: the process tree, its memory)
from local_portals import Portal, sources_yaml  # noqa: E402
from local_portals import report_page as real_report  # noqa: E402
from pathological import big_sheet, deep_page, long_pdf, page_with_inline_picture, report_page  # noqa: E402

from govreports.parser import limits  # noqa: E402

INPUTS = {
    "report page of 50 MB": ("huge.html", lambda: report_page(filler_bytes=50 * 2**20)),
    "page just under MAX_HTML_BYTES": (
        "text.html",
        lambda: report_page(filler_bytes=limits.MAX_HTML_BYTES - 2**17),
    ),
    "page with a 30 MB inline picture": ("picture.html", lambda: page_with_inline_picture(30 * 2**20)),
    "tree 200,000 deep": ("deep.html", lambda: deep_page(200_000)),
    "PDF of 300 pages": ("long.pdf", lambda: long_pdf(300)),
    "sheet of 10^6 cells": ("big.xlsx", lambda: big_sheet(100_000, columns=10)),
}
GOVREPORTS = str(pathlib.Path(sys.executable).with_name("govreports"))
CRAWL_SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0}


def measured(cmd: list[str], env: dict | None = None) -> tuple[float, float, float, str]:
    """(seconds, peak MB of the largest process, peak MB of the tree, output) of one command."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        largest = tree = 0
        while proc.poll() is None:
            peaks = [rss_kb(p, "VmHWM") for p in [proc.pid, *children(proc.pid)]]
            largest, tree = max(largest, *peaks), max(tree, sum(peaks))
            time.sleep(0.05)
        seconds = time.monotonic() - started
        out.seek(0)
        said = out.read().decode("utf-8", "replace")
    return seconds, largest / 1024, tree / 1024, said


def answer(said: str, name: str) -> str:
    line = next((line for line in said.splitlines() if name in line or line.startswith("title")), said)
    return " ".join(line.split())[:140]


def documents(db: pathlib.Path) -> list[tuple[str, str, str | None]]:
    """(url, parse status, reason) of every document of the archive."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "select d.url, d.parse_status, (select reason from ingest_errors e where e.document_id = d.id"
            " order by e.id desc limit 1) from documents d where d.kind = 'report' order by d.id"
        ).fetchall()


def filed(db: pathlib.Path, name: str) -> str:
    """What the archive says of the input, and how many of the other documents are reports."""
    rows = documents(db)
    mine = [r for r in rows if r[0].endswith(name)]
    others = [r for r in rows if not r[0].endswith(name)]
    said = f"{mine[0][1]}: {mine[0][2] or ''}"[:110] if mine else "input not recorded"
    return f"{said} | others filed: {sum(1 for r in others if r[1] == 'report')}/{len(others)}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="run only the inputs whose name contains this")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores, shared)")
    print(f"{'input / path':<34} {'s':>6} {'MB':>6} {'tree MB':>8}  answer")
    with tempfile.TemporaryDirectory(prefix="bench-limits-") as tmp:
        tmp = pathlib.Path(tmp)
        for name, (filename, make) in INPUTS.items():
            if args.only and args.only not in name:
                continue
            data = make()
            folder = tmp / name.replace(" ", "_").replace("/", "_")
            folder.mkdir()
            path = folder / filename
            path.write_bytes(data)
            (folder / "a-real-report.html").write_bytes(real_report("卫东区卫生健康委员会", 2022))
            print(f"{name} ({len(data) / 2**20:.1f} MB):")
            s, mb, tree_mb, said = measured([GOVREPORTS, "parse", str(path)])
            print(f"  {'parse':<32} {s:6.1f} {mb:6.0f} {tree_mb:8.0f}  {answer(said, filename)}")
            db = tmp / f"{filename}.ingest.db"
            s, mb, tree_mb, said = measured([GOVREPORTS, "ingest", str(db), str(folder)])
            print(f"  {'ingest (pool)':<32} {s:6.1f} {mb:6.0f} {tree_mb:8.0f}  {filed(db, filename)}")
            with Portal("测试县", reports=2) as portal:
                portal.add(f"/art/2022/{filename}", data, "测试县某局2022年政府信息公开工作年度报告")
                sources = sources_yaml(tmp / "sources.yaml", [portal])
                db = tmp / f"{filename}.crawl.db"
                cmd = [GOVREPORTS, "crawl", str(db), "--sources", str(sources), "--no-browser"]
                env = {"GOVREPORTS_CRAWL_SETTINGS": json.dumps(CRAWL_SETTINGS)}
                s, mb, tree_mb, said = measured(cmd, env)
            print(f"  {'crawl (local portal)':<32} {s:6.1f} {mb:6.0f} {tree_mb:8.0f}  {filed(db, filename)}")
            path.unlink()


if __name__ == "__main__":
    main()
