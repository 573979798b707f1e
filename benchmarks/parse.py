"""Parser speed: reports per second per core, and the ratio to trafilatura.extract alone.

    .venv/bin/python benchmarks/parse.py [--rounds 20] [FILE ...]

Without FILEs it uses every HTML report under tests/fixtures (but the real CMS markup
of tests/fixtures/shared) and crawler/portals, plus HTML pages made from the shared seed texts. Runs on one core (a plain
loop in one process), so the figure is per core. Goal: parse at most 2x trafilatura alone.
"""

import argparse
import pathlib
import sys
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


def timed(fn, pages, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for _, data in pages:
            fn(data)
    return time.perf_counter() - start


def parse_or_skip(data: bytes):
    try:
        return parse(data, content_type="text/html")
    except Exception:  # a page that is not a report still costs its parse time
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    pages = corpus(args.files)
    timed(parse_or_skip, pages, 1)  # warm caches (label keys, OpenCC tables, lxml)
    ours = timed(parse_or_skip, pages, args.rounds)
    extract = timed(
        lambda d: trafilatura.extract(d, favor_recall=True, include_tables=True), pages, args.rounds
    )
    n = len(pages) * args.rounds
    print(
        f"pages: {len(pages)} x {args.rounds} rounds, {sum(len(d) for _, d in pages) / 1024:.0f} KiB per round"
    )
    print(f"govreports parse:       {n / ours:8.1f} reports/s per core ({ours / n * 1000:.1f} ms each)")
    print(f"trafilatura.extract:    {n / extract:8.1f} pages/s per core ({extract / n * 1000:.1f} ms each)")
    print(f"ratio parse/extract:    {ours / extract:8.2f}x (goal: at most 2x)")


if __name__ == "__main__":
    main()
