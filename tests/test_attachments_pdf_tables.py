"""Real reports printed to PDF by Chromium read cell by cell as their truth says.

Chromium's PDFs show the two ways ruled tables go wrong in PDFs: a table continued on the next
page whose continuation is ruled into other columns than its first part (the Shuyang
application table: the first part never splits （三）不予公开 from its items, the continuation
does), and Word tables printed without their right-hand border (the Pingtan pages), whose last
column has no closing line.
"""

import subprocess

import pytest
from truth import UNSEEN, flatten, load_truth, unseen_truth_files

from govreports.crawler.settings import CHROMIUM, CHROMIUM_ARGS
from govreports.parser import parse
from govreports.parser.layout import Block, Page, assemble, missing_frame_lines

STEMS = [t.name[: -len(".truth.json")] for t in unseen_truth_files()]


def print_to_pdf(html, pdf):
    subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_ARGS,
            "--headless",
            f"--print-to-pdf={pdf}",
            "--no-pdf-header-footer",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pdf.read_bytes()


@pytest.mark.browser
@pytest.mark.parametrize("stem", STEMS)
def test_every_cell_of_the_report_printed_to_pdf_matches_the_truth(stem, tmp_path):
    truth = load_truth(UNSEEN / f"{stem}.truth.json")
    record = parse(print_to_pdf(UNSEEN / truth["file"], tmp_path / "report.pdf"), url="report.pdf")
    got = flatten(record)
    wrong = {k: (v, got.get(k, "missing")) for k, v in truth["cells"].items() if got.get(k, "missing") != v}
    assert record["format"] == "pdf"
    assert wrong == {}


def edge(orientation, x0, top, x1, bottom):
    return {"orientation": orientation, "x0": x0, "top": top, "x1": x1, "bottom": bottom}


def test_a_table_without_its_right_border_gets_it_back_row_by_row():
    # two rows, ruled left and in the middle, the right border missing; a rule far below ends at
    # the same x but no ruled row leads to it
    h = [edge("h", 10, y, 200, y) for y in (0, 20, 40, 300)]
    v = [edge("v", 10, 0, 10, 40), edge("v", 100, 0, 100, 40)]
    added = missing_frame_lines(h + v)
    assert sorted((e["orientation"], e["x0"], e["top"], e["bottom"]) for e in added) == [
        ("v", 200, 0, 20),
        ("v", 200, 20, 40),
    ]


def test_a_fully_ruled_table_gets_nothing_added():
    h = [edge("h", 10, y, 200, y) for y in (0, 20, 40)]
    v = [edge("v", x, 0, x, 40) for x in (10, 100, 200)]
    assert missing_frame_lines(h + v) == []


def test_a_continuation_ruled_into_finer_columns_is_aligned_to_the_first_part():
    """The first part has one label column (50-150) where the continuation splits it at 90: both
    parts go onto the finer columns, the first part's label repeated as a merged cell is."""
    first = Block([["（一）予以公开", "5"]], [[0, 1]], (50, 700, 200, 740), 0, [50, 150, 200])
    rest = Block(
        [["（三）不予公开", "1.属于国家秘密", "0"]], [[0, 1, 2]], (50, 30, 200, 70), 0, [50, 90, 150, 200]
    )
    _, tables, _ = assemble([Page([(700, first)]), Page([(30, rest)])])
    assert tables == [[["（一）予以公开", "（一）予以公开", "5"], ["（三）不予公开", "1.属于国家秘密", "0"]]]
