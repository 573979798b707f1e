"""Big and pathological inputs get an answer, not minutes of work: each is refused by a cap of
parser/limits.py that the error names, or read within it. The inputs are made at run time
(tests/pathological.py); how fast and how small each answer is, benchmarks/limits.py measures."""

import pytest
from pathological import big_sheet, deep_page, long_pdf, page_with_inline_picture, report_page

from govreports.parser import NotAReport, ParseError, limits, parse


def refusal(data: bytes) -> str:
    with pytest.raises(ParseError) as e:
        parse(data)
    return str(e.value)


def test_a_50_mb_page_is_refused_by_its_size_before_it_is_parsed():
    assert "MAX_HTML_BYTES" in refusal(report_page(filler_bytes=50 * 2**20))


def test_a_page_under_the_size_cap_but_with_too_much_text_is_refused_by_the_text_cap():
    page = report_page(filler_bytes=limits.MAX_HTML_BYTES - 100_000)
    assert "MAX_TEXT_CHARS" in refusal(page)


def test_inline_pictures_do_not_count_against_the_page_size():
    page = page_with_inline_picture(2 * limits.MAX_HTML_BYTES)
    assert len(page) > limits.MAX_HTML_BYTES
    assert parse(page)["title"] == "2021年政府信息公开工作年度报告"


def test_a_200k_deep_tree_is_read_not_recursed_into():
    with pytest.raises(NotAReport):
        parse(deep_page(200_000))


def test_a_pdf_over_the_page_cap_is_refused_by_its_page_count():
    assert f"300 pages (limit MAX_PAGES {limits.MAX_PAGES})" in refusal(long_pdf(300))


def test_a_sheet_of_a_million_cells_is_refused_before_it_is_loaded():
    assert "MAX_SHEET_CELLS" in refusal(big_sheet(100_000, columns=10))


def test_a_sheet_under_the_cell_cap_is_read():
    with pytest.raises(NotAReport):  # numbers only: read, and not a report
        parse(big_sheet(50, columns=5))
