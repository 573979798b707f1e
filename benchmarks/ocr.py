"""OCR speed: seconds per scanned page (RapidOCR + ruling-line table rebuild + number re-reads).

    .venv/bin/python benchmarks/ocr.py [--rounds 2] [FILE.pdf|FILE.png ...]

Without FILEs it uses tests/fixtures/attachments/scanned.pdf (one A4 page scanned at 150 dpi,
rendered at parser.ocr.OCR_DPI) and table-page.png (the same page as an image). One process;
onnxruntime uses every core it finds, so note the machine's core count with the figure.
"""

import argparse
import os
import pathlib
import time
from io import BytesIO

from govreports.parser.attachments import read_attachment
from govreports.parser.formats import sniff
from govreports.parser.ocr import engine

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "attachments"
DEFAULT = [FIXTURES / "scanned.pdf", FIXTURES / "table-page.png"]


def pdf_pages(data: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(BytesIO(data)) as pdf:
        return len(pdf.pages)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=pathlib.Path)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    start = time.perf_counter()
    engine()
    print(f"model load: {time.perf_counter() - start:.2f} s (once per process); cores: {os.cpu_count()}")
    for path in args.files or DEFAULT:
        data = path.read_bytes()
        kind = sniff(data)
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            read_attachment(kind, data)
            times.append(time.perf_counter() - start)
        pages = pdf_pages(data) if kind == "pdf" else 1
        print(f"{path.name:24} {pages} page(s): {min(times) / pages:6.2f} s per page (best of {args.rounds})")


if __name__ == "__main__":
    main()
