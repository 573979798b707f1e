"""How page contents become one document: tables continued across pages, running lines dropped.

These build pages by hand (what the PDF and OCR readers hand over) to show the rules plainly.
"""

from govreports.parser.layout import Block, Page, assemble, clean_cell, clean_text


def block(rows, top=100.0):
    ids = [[r * 100 + c for c in range(len(row))] for r, row in enumerate(rows)]
    headers = next((i for i, row in enumerate(rows) if any(c.isdigit() for c in "".join(row))), len(rows))
    return Block([list(r) for r in rows], ids, (0, top, 500, top + 20 * len(rows)), headers)


HEADER = ["项目", "自然人", "总计"]


def test_a_table_continued_on_the_next_page_is_one_grid_even_past_page_numbers_and_running_lines():
    page1 = Page(
        [
            (10, "示例县政府信息公开年报"),
            (50, "三、收到和处理"),
            (100, block([HEADER, ["新收", "1", "1"]])),
            (800, "- 1 -"),
        ]
    )
    page2 = Page(
        [
            (10, "示例县政府信息公开年报"),
            (100, block([["结转", "2", "2"]])),
            (300, "四、复议"),
            (800, "- 2 -"),
        ]
    )
    text, tables, _ = assemble([page1, page2])
    assert tables == [[HEADER, ["新收", "1", "1"], ["结转", "2", "2"]]]
    # the running header stays once (it may be the title), page numbers go
    assert text.splitlines() == [
        "示例县政府信息公开年报",
        "三、收到和处理",
        "项目\t自然人\t总计",
        "新收\t1\t1",
        "结转\t2\t2",
        "四、复议",
    ]


def test_a_repeated_header_on_the_continuation_is_dropped():
    page1 = Page([(100, block([HEADER, ["新收", "1", "1"]]))])
    page2 = Page([(100, block([HEADER, ["结转", "2", "2"]]))])
    _, tables, _ = assemble([page1, page2])
    assert tables == [[HEADER, ["新收", "1", "1"], ["结转", "2", "2"]]]


def test_a_new_table_with_other_columns_or_its_own_header_is_not_joined():
    page1 = Page([(100, block([HEADER, ["新收", "1", "1"]]))])
    page2 = Page([(100, block([["行政复议", "维持"], ["1", "2"]]))])
    page3 = Page([(100, block([["其他表头", "甲", "乙"], ["行政许可", "3", "3"]]))])
    assert len(assemble([page1, page2])[1]) == 2  # other columns
    assert len(assemble([page1, page3])[1]) == 2  # same columns, but a header of its own


def test_a_merged_label_cut_by_the_page_break_continues_on_the_next_page():
    rows1 = [HEADER + ["x"], ["三、本年度办理结果", "（四）无法提供", "1", "1"]]
    rows2 = [["", "", "2", "2"], ["", "（五）不予处理", "3", "3"]]
    nxt = block(rows2)
    nxt.ids[0][0] = nxt.ids[1][0] = 7  # the first column is one merged cell over both rows
    _, tables, _ = assemble([Page([(100, block(rows1))]), Page([(100, nxt)])])
    assert [row[:2] for row in tables[0][2:]] == [
        ["三、本年度办理结果", "（四）无法提供"],
        ["三、本年度办理结果", "（五）不予处理"],
    ]


def test_cell_text_cleaning():
    assert clean_cell("三\n、\n本\n年") == "三、本年"  # a vertical label
    assert clean_cell("商业\n企业") == "商业企业"
    assert clean_cell("5.要求行政机关确认或重 新出具\n已获取信息") == "5.要求行政机关确认或重新出具已获取信息"
    assert clean_cell("1,19\n3") == "1,193"
    assert clean_cell("Total\nfees") == "Total fees"
    assert clean_text("⾏政处罚 2023 年") == "行政处罚 2023 年"  # Kangxi radical look-alike


def test_a_browser_footer_that_differs_only_in_its_page_number_is_a_running_line():
    page1 = Page([(100, block([HEADER, ["新收", "1", "1"]])), (800, "http://gov.cn/a.html 1/2")])
    page2 = Page([(100, block([["结转", "2", "2"]])), (800, "http://gov.cn/a.html 2/2")])
    text, tables, _ = assemble([page1, page2])
    assert len(tables) == 1
    assert "http://gov.cn" not in text  # a running footer is page furniture


def test_a_scanned_continuation_lying_a_little_off_the_first_part_is_joined_with_its_confidence():
    from govreports.parser.layout import blocks_from_cells

    def scanned(rows, left, score):
        """A ruled OCR table: 100-pixel columns from ``left``, each cell read with ``score``."""
        cells = [
            ((left + 100 * c, 40.0 * r, left + 100 * (c + 1), 40.0 * (r + 1)), text, score)
            for r, row in enumerate(rows)
            for c, text in enumerate(row)
        ]
        return blocks_from_cells(cells, tolerance=8)[0]

    first = scanned([HEADER, ["新收", "1", "1"]], left=60, score=0.9)
    rest = scanned([["结转", "2", "2"]], left=75, score=0.4)  # the next sheet fed 15 pixels further right
    _, tables, scores = assemble([Page([(100, first)]), Page([(100, rest)])])
    assert tables == [[HEADER, ["新收", "1", "1"], ["结转", "2", "2"]]]
    assert scores == [[[0.9] * 3, [0.9] * 3, [0.4] * 3]]
