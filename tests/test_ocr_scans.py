"""Scanned reports read as well as typed ones.

Each scan is made here (tests/scans.py: seeded, so always the same pixels) from a document whose
cells are known: the official template filled in (its text layer read exactly, see
test_attachments.py), a real report with hand-typed truth, and the blank template. Turned,
blurred, speckled and JPEG-compressed as scanners do, at 150-300 dpi, as an image-only PDF or as
PNG, JPEG and TIFF pages; one carries a red seal over a table corner.
"""

import io
import re
import unicodedata

import cv2
import numpy as np
import pytest
from PIL import Image
from scans import BLANK, REPORT, SHARED, Scanner
from truth import flatten as cells
from truth import load_truth

from govreports.parser import ParseError, layout, ocr, parse
from govreports.parser.formats import read_document


def failed(record: dict) -> list[str]:
    return sorted({c["rule"] for c in record["checks"] if not c["passed"]})


def wrong_cells(got: dict, want: dict) -> dict:
    return {k: (v, got.get(k, "missing")) for k, v in want.items() if got.get(k, "missing") != v}


@pytest.fixture(scope="module")
def typed():
    """The filled-in template read from its text layer: the truth of its scans."""
    return parse(REPORT.read_bytes())


def test_a_tilted_blurred_noisy_180_dpi_scan_reads_like_the_typed_report(typed):
    scan = Scanner(dpi=180, angle=1.4, blur=0.7, noise=12, quality=60, seed=1).pdf(REPORT.read_bytes())
    record = parse(scan)
    assert wrong_cells(cells(record), cells(typed)) == {}
    assert (record["agency"], record["year"], record["template"]) == (
        typed["agency"],
        typed["year"],
        typed["template"],
    )
    assert failed(record) == failed(typed) == []
    # the table broken across pages 2 and 3 is one table: its rows after the break are there
    assert {c["row"] for c in record["applications"] if c["value"] is not None} >= {
        "handled_total",
        "carried_forward",
    }
    # every number read from the scan keeps the recogniser's confidence
    numbers = [c for c in record["applications"] if c["value"] is not None]
    assert all(0 < c["confidence"] <= 1 for c in numbers)


def test_a_real_report_scanned_at_150_dpi_turned_the_other_way_matches_its_hand_typed_truth():
    source = SHARED / "realworld" / "hongze-district-2023.pdf"
    truth = load_truth(source.with_name("hongze-district-2023.truth.json"))
    scan = Scanner(dpi=150, angle=-2.5, blur=0.6, noise=10, quality=50, seed=2).pdf(source.read_bytes())
    record = parse(scan)
    assert wrong_cells(cells(record), truth["cells"]) == {}
    assert record["year"] == truth["year"] and record["template"] == truth["template"]
    # the report's own review row does not add up: the scan shows it as the typed PDF does
    assert failed(record) == sorted(truth["failed_checks"]) == ["review_sum"]


def test_a_multi_page_tiff_at_300_dpi_turned_3_degrees_and_blurred(typed):
    tiff = Scanner(dpi=300, angle=3.0, blur=1.2, noise=15, quality=70, seed=3).tiff(REPORT.read_bytes())
    record = parse(tiff)
    assert record["format"] == "image"
    assert wrong_cells(cells(record), cells(typed)) == {}


def grid_rows(doc) -> dict[str, list[str]]:
    """The numbers of each grid row, by its label cells (NFKC: OCR reads （ as ( )."""
    rows = {}
    for table in doc.tables:
        for row in table:
            if any(layout.is_number(c) for c in row):
                label = unicodedata.normalize(
                    "NFKC", "".join(dict.fromkeys(c for c in row if not layout.is_number(c)))
                )
                label = re.sub(r"^[一二三四]、", "", label.replace(" ", ""))  # OCR may drop the "一、"
                rows[label] = [c for c in row if layout.is_number(c)]
    return rows


@pytest.mark.parametrize(
    ("page", "fmt", "scanner"),
    [
        (1, "PNG", Scanner(dpi=200, angle=-3.0, blur=0.8, noise=14, seed=4)),
        (1, "JPEG", Scanner(dpi=150, angle=2.0, blur=0.5, noise=8, quality=45, seed=5)),
        (0, "JPEG", Scanner(dpi=200, angle=-1.0, blur=0.6, noise=10, quality=70, stamp=True, seed=6)),
    ],
    ids=["png-200dpi-minus3deg", "jpeg-150dpi-2deg", "jpeg-red-seal-over-a-table-corner"],
)
def test_single_page_images_give_the_rows_of_the_typed_page(page, fmt, scanner):
    typed_rows = grid_rows(read_document(REPORT.read_bytes()))
    doc = read_document(scanner.image(REPORT.read_bytes(), page, fmt))
    got = grid_rows(doc)
    assert len(got) >= 4
    assert {label: got[label] for label in got} == {label: typed_rows.get(label) for label in got}


def test_the_seal_is_not_read_into_the_table():
    image = Scanner(dpi=200, angle=-1.0, blur=0.6, noise=10, quality=70, stamp=True, seed=6).image(
        REPORT.read_bytes(), 0, "PNG"
    )
    doc = read_document(image)
    heads = [t[0] for t in doc.tables]
    assert ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"] in heads


def test_the_blank_template_scanned_has_its_tables_and_no_number_from_its_ruling_lines():
    scan = Scanner(dpi=200, angle=1.0, blur=0.7, noise=12, quality=60, seed=7).pdf(BLANK.read_bytes())
    record = parse(scan)
    assert record["template"] == "2021"
    assert {k: v for k, v in cells(record).items() if v is not None} == {}
    assert "the report's tables hold no numbers (a blank form?)" in record["warnings"]


def test_a_blank_scan_is_an_error_not_a_record_of_nulls():
    blank = Image.new("L", (1654, 2339), 255)
    noisy = np.clip(np.asarray(blank, float) + np.random.default_rng(8).normal(0, 10, (2339, 1654)), 0, 255)
    buf = io.BytesIO()
    Image.fromarray(noisy.astype(np.uint8)).save(buf, "PDF", resolution=200)
    with pytest.raises(ParseError, match="OCR found no text"):
        parse(buf.getvalue())


def test_a_photo_is_an_error_not_a_record_of_nulls():
    rng = np.random.default_rng(9)
    y, x = np.mgrid[0:900, 0:1200]
    photo = np.stack([(x / 5 + 40 * np.sin(y / 60)) % 255, (y / 4) % 255, (x + y) / 9 % 255], axis=2)
    for _ in range(12):  # objects: discs of colour
        cx, cy, r = rng.integers(100, 1100), rng.integers(100, 800), rng.integers(30, 150)
        photo[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.integers(0, 255, 3)
    buf = io.BytesIO()
    Image.fromarray(photo.astype(np.uint8)).save(buf, "JPEG", quality=80)
    with pytest.raises(ParseError):
        parse(buf.getvalue())


# --- the parts, on drawn pages ----------------------------------------------------------------


@pytest.mark.parametrize("angle", [-5.0, -3.0, -0.7, 0.0, 1.4, 3.0, 5.0])
def test_the_turn_of_a_page_is_measured_from_its_lines_up_to_5_degrees(angle):
    page = Scanner(dpi=100).pages(REPORT.read_bytes())[1]
    turned = np.asarray(page.rotate(angle, resample=Image.BICUBIC, fillcolor=255))
    assert abs(ocr.skew(turned) + angle) <= 0.1


def grid(style: str) -> np.ndarray:
    """A 6x4 ruled grid as a scanner shows it: clean, faint, broken or doubled rules."""
    page = np.full((900, 1200), 255, np.uint8)
    xs, ys = [100, 500, 700, 900, 1100], [100, 160, 220, 280, 340, 400, 460]
    shade = 175 if style == "faint" else 0
    for offset in (0, 4) if style == "doubled" else (0,):
        for y in ys:
            cv2.line(page, (xs[0], y + offset), (xs[-1], y + offset), shade, 2)
        for x in xs:
            cv2.line(page, (x + offset, ys[0]), (x + offset, ys[-1]), shade, 2)
    if style == "broken":  # toner dropouts: a gap of 5 pixels every 90 along every rule
        for k in range(30, 1200, 90):
            page[:, k : k + 5] = 255
            page[k : k + 5, :] = 255
    noisy = page + np.random.default_rng(10).normal(0, 12, page.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("style", ["faint", "broken", "doubled"])
def test_faint_broken_and_doubled_rules_give_the_cells_of_clean_ones(style):
    clean, _ = ocr.ruled_tables(grid("clean"))
    found, _ = ocr.ruled_tables(grid(style))
    assert [len(t) for t in found] == [len(t) for t in clean] == [24]
    for a, b in zip(sorted(found[0]), sorted(clean[0]), strict=True):
        assert max(abs(p - q) for p, q in zip(a, b, strict=True)) <= 6


def test_a_rest_of_a_ruling_line_is_never_read_as_a_digit():
    cell = np.full((60, 140), 255, np.uint8)
    cell[:, 2:5] = 0  # the stub of a vertical rule left inside the cell
    cell[54:57, :] = 0  # and of a horizontal one
    cell[20:23, 60:63] = 90  # a speck of paper noise
    assert ocr.read_cells(cell, [(0, 0, 140, 60)], height=40.0) == [("", None)]


def test_a_reading_that_is_no_plausible_value_is_doubtful():
    assert ocr.is_plausible("108") and ocr.is_plausible("12.5") and ocr.is_plausible("减3")
    assert ocr.is_plausible("") and ocr.is_plausible("—") and ocr.is_plausible("0件")
    assert ocr.is_plausible("本年新收")
    assert not ocr.is_plausible("1|1") and not ocr.is_plausible("8-") and not ocr.is_plausible("2-——")


def small_grid_with(text: str) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A 4x4 ruled grid as small as a table pasted as a picture (300 pixels high: the finder's
    shortest vertical run, 20 pixels, is as long as a digit there), ``text`` in a tall cell."""
    page = np.full((300, 700), 255, np.uint8)
    xs, ys = [20, 250, 400, 550, 680], [20, 60, 134, 174, 214]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 2)
    for x in xs:
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 0, 2)
    cv2.putText(page, text, (xs[3] + 10, 90), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    return page, (xs[3] + 10, 68, xs[3] + 40, 92)


def test_the_stem_of_a_1_is_no_ruling_line():
    page, (x0, top, x1, bottom) = small_grid_with("17")
    tables, rules = ocr.ruled_tables(page)
    # the stroke is not among the rules erased before a cell is read, nor a column edge
    assert not rules[top:bottom, x0:x1].any()
    assert [len(t) for t in tables] == [16]
    cell = next(c for c in tables[0] if c[0] > 500 and 60 <= c[1] < 100)
    assert ocr.read_cells(np.where(rules, 255, page).astype(np.uint8), [cell], 22.0)[0][0] == "17"


def test_a_vertical_run_is_a_rule_when_it_crosses_a_rule_or_covers_most_of_its_row_band():
    across = [(0, 500, 100.0), (0, 500, 200.0), (0, 500, 300.0)]
    crossing = (99, 150, 3, 100)  # from the middle of one row into the next
    broken = [(199, 100, 3, 40), (199, 145, 3, 55)]  # one rule with a gap: 95 of 100 pixels
    stem = (299, 120, 3, 40)  # a digit's stroke inside a cell
    no_band = (399, 320, 3, 60)  # below the last rule: no cell to bound
    kept = ocr.vertical_rules(across, [crossing, *broken, stem, no_band], reach=20, tolerance=3)
    assert kept == [crossing, *broken]
