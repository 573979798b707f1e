"""PDF reading speed: seconds per page, and the ratio to pdfplumber reading the same pages alone.

    .venv/bin/python benchmarks/pdf.py [--rounds 5] [FILE.pdf ...]

Without FILEs it uses every PDF with a text layer in tests/fixtures/shared/realworld
(copies of ../shared/realworld) and tests/fixtures/attachments. "pdfplumber alone" is what any pdfplumber user would run on each
page: extract_text() and extract_tables(). Ours (parser.pdf.read_pdf) also rebuilds merged cells,
joins tables across pages and orders text and rows. One process, so the figures are per core.
Goal: at most 1.5x pdfplumber alone.
"""

import argparse
import pathlib
import sys
import time
from io import BytesIO

import pdfplumber

from govreports.parser.pdf import read_pdf

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from truth import SHARED  # noqa: E402

DEFAULT = sorted((SHARED / "realworld").glob("*.pdf")) + [
    ROOT / "tests" / "fixtures" / "attachments" / "report.pdf"
]


def pdfplumber_alone(data: bytes) -> int:
    with pdfplumber.open(BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
        return len(pdf.pages)


def best_of(fn, data: bytes, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn(data)
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=pathlib.Path)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    total_ours = total_alone = total_pages = 0
    print(f"{'file':32} {'pages':>5} {'ours s/page':>12} {'alone s/page':>13} {'ratio':>6}")
    for path in args.files or DEFAULT:
        data = path.read_bytes()
        pages = pdfplumber_alone(data)  # also warms imports and caches
        read_pdf(data)
        ours = best_of(read_pdf, data, args.rounds)
        alone = best_of(pdfplumber_alone, data, args.rounds)
        total_ours, total_alone, total_pages = total_ours + ours, total_alone + alone, total_pages + pages
        print(
            f"{path.name[:32]:32} {pages:5} {ours / pages:12.3f} {alone / pages:13.3f} {ours / alone:6.2f}x"
        )
    print(
        f"{'all':32} {total_pages:5} {total_ours / total_pages:12.3f} {total_alone / total_pages:13.3f} "
        f"{total_ours / total_alone:6.2f}x (goal: at most 1.5x)"
    )


if __name__ == "__main__":
    main()
