"""Pathological inputs: each through `govreports parse` and `govreports ingest`, timed, with the
peak RSS of the process (and of the ingest's parse workers).

    .venv/bin/python benchmarks/limits.py

The inputs are made here at run time (tests/pathological.py): a 50 MB report page, a page
under the size cap with 4 MB of text, a 200,000-deep tree, a 300-page PDF, a sheet of 10^6
cells. Goal: each an answer (a record or a refusal naming its limit) in under 10 s and 400 MB.
"""

import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

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


def measured(cmd: list[str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB of the largest process, the output's line that says what became
    of the file) of one command, under GNU time."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd], capture_output=True, text=True)
    *said, timing = (out.stdout + out.stderr).strip().splitlines()
    seconds, kb = timing.split()
    answer = next(
        (line for line in said if line.startswith(("Error", "  ", "title", "error", "new"))), said[0]
    )
    return float(seconds), int(kb) / 1024, answer.strip()[:150]


def main():
    with tempfile.TemporaryDirectory(prefix="bench-limits-") as tmp:
        tmp = pathlib.Path(tmp)
        for name, (filename, make) in INPUTS.items():
            path = tmp / filename
            path.write_bytes(make())
            print(f"{name} ({path.stat().st_size / 2**20:.1f} MB):")
            s, mb, said = measured([GOVREPORTS, "parse", str(path)])
            print(f"  parse   {s:5.1f} s  peak {mb:6.0f} MB  {said}")
            s, mb, said = measured([GOVREPORTS, "ingest", str(tmp / f"{filename}.db"), str(path)])
            print(f"  ingest  {s:5.1f} s  peak {mb:6.0f} MB  {said}")
            path.unlink()


if __name__ == "__main__":
    main()
