"""Real reports found after the parser was written (tests/fixtures/unseen, see SOURCES.md) parse
to exactly the values they state, and so do the same reports printed the other ways reports are
printed: traditional characters, full-width digits, numbers with their unit, GBK, signed
本年增/减 cells, a review table with one labelled row per proceeding, rows spread over two grid
rows. The variants are made from the real files here, so each one differs from a real report in
one known way only.
"""

import re
import subprocess

import pytest
from opencc import OpenCC
from test_parser_truth import (  # noqa: F401  (the same checks, run on the unseen reports)
    test_agency_year_and_template,
    test_every_cell_matches_the_truth,
    test_failed_checks_are_the_reports_own,
    test_published_date_when_the_truth_states_it,
    test_region,
)
from truth import UNSEEN, flatten, load_truth, unseen_truth_files

from govreports.crawler.settings import CHROMIUM, CHROMIUM_ARGS
from govreports.parser import labels as L
from govreports.parser import parse
from govreports.parser.tables import cell_value, lines_from_tables

TRUTHS = unseen_truth_files()
SHANGHAI = "shanghai-office-2019"  # 2019 template, merged value cells, blank cells
SHUYANG = "shuyang-fgj-2023"  # 2021 template, five blank applicant columns


@pytest.fixture(scope="module", params=TRUTHS, ids=[t.name[: -len(".truth.json")] for t in TRUTHS])
def case(request):
    truth = load_truth(request.param)
    path = UNSEEN / truth["file"]
    return truth, parse(path.read_bytes(), url=path.name)


def test_both_templates_are_among_the_unseen_reports():
    assert {load_truth(t)["template"] for t in TRUTHS} == {"2019", "2021"}


def html_of(stem: str) -> str:
    return (UNSEEN / f"{stem}.html").read_text(encoding="utf-8")


def wrong_cells(data: bytes | dict, expected: dict) -> dict:
    """The expected cells that the parsed report (bytes, or a record parsed already) gets wrong."""
    got = flatten(data if isinstance(data, dict) else parse(data, url="variant.html"))
    return {k: (v, got.get(k, "missing")) for k, v in expected.items() if got.get(k, "missing") != v}


def number_cells(html: str, change) -> str:
    """The page with every cell that holds only a number rewritten by ``change``."""
    return re.sub(r"(<(?:p|span|td)\b[^>]*>)(\d+)(</)", lambda m: m[1] + change(m[2]) + m[3], html)


VARIANTS = {
    "traditional characters": lambda html: OpenCC("s2t").convert(html).encode("utf-8"),
    "full-width digits": lambda html: number_cells(
        html, lambda n: n.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    ).encode(),
    "numbers with their unit (0件)": lambda html: number_cells(html, lambda n: n + "件").encode(),
    "GBK with its meta charset": lambda html: html.replace('charset="utf-8"', 'charset="gbk"').encode("gbk"),
}


STEMS = [t.name[: -len(".truth.json")] for t in TRUTHS]


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_the_same_report_printed_another_way_reads_the_same(stem, variant):
    truth = load_truth(UNSEEN / f"{stem}.truth.json")
    assert wrong_cells(VARIANTS[variant](html_of(stem)), truth["cells"]) == {}


def test_a_number_with_its_unit_is_a_value_only_inside_a_table_cell():
    assert cell_value("0件", True) == (True, 0)
    assert cell_value("251000元", True) == (True, 251000)
    assert cell_value("减少2件", True) == (True, -2)
    assert cell_value("13件", False) == (False, None)  # "主动公开规章 13件" in running text is prose


def test_signed_changes_in_the_2019_active_table():
    """本年增/减 is printed '+3', '-2', '减少2', '增加4' or '0'; the 上一年项目数量 cell is merged
    over two grid columns and must be read once."""
    html = html_of(SHANGHAI)
    printed = {
        "行政许可": ("5", "+3", "120"),
        "其他对外管理服务事项": ("4", "-2", "7"),
        "行政处罚": ("9", "减少2", "30"),
        "行政强制": ("2", "0", "1"),
    }
    for item, (prev, change, decisions) in printed.items():
        zeros = (
            rf"(<p>{item}</p></td>)"
            + r'<td nowrap="nowrap" colspan="2"><p align="center">0</p></td>'
            + r'<td nowrap="nowrap"><p align="center">0</p></td>' * 2
        )
        cells = f'<td nowrap="nowrap" colspan="2"><p align="center">{prev}</p></td><td nowrap="nowrap"><p align="center">{change}</p></td><td nowrap="nowrap"><p align="center">{decisions}</p></td>'
        html, n = re.subn(zeros, lambda m, c=cells: m[1] + c, html)
        assert n == 1, item
    fees = '<p>行政事业性收费</p></td><td nowrap="nowrap" colspan="2"><p align="center">0</p></td><td nowrap="nowrap" colspan="2"><p align="center">0</p></td>'
    assert fees in html
    html = html.replace(fees, fees.replace(">0<", ">240<", 1).replace(">0<", ">增加4<"))
    expected = {
        "active_disclosure/licensing/prev_year_items": 5,
        "active_disclosure/licensing/change": 3,
        "active_disclosure/licensing/decisions": 120,
        "active_disclosure/other_services/change": -2,
        "active_disclosure/penalty/prev_year_items": 9,
        "active_disclosure/penalty/change": -2,
        "active_disclosure/coercion/change": 0,
        "active_disclosure/coercion/decisions": 1,
        "active_disclosure/fees/prev_year_items": 240,
        "active_disclosure/fees/change": 4,
        "active_disclosure/procurement/amount": 251000,
    }
    assert wrong_cells(html.encode(), expected) == {}


def review_as_labelled_rows(rows: list[tuple[str, list]]) -> str:
    """The Shanghai report with its review table printed one row per proceeding, each labelled."""
    html = html_of(SHANGHAI)
    table = re.search(r'<table[^>]*><tbody><tr><td colspan="5"><p>行政复议.*?</table>', html)[0]
    head = "".join(
        f"<td>{x}</td>" for x in ("案件类型", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    )
    body = "".join(
        f"<tr><td>{label}</td>" + "".join(f"<td>{v}</td>" for v in values) + "</tr>" for label, values in rows
    )
    return html.replace(table, f"<table><tr>{head}</tr>{body}</table>")


def test_review_table_with_one_labelled_row_per_proceeding():
    html = review_as_labelled_rows(
        [
            ("行政复议", [5, "", "", 2, 7]),
            ("行政诉讼（未经复议直接起诉）", [8, "", "", 1, 9]),
            ("行政诉讼（复议后起诉）", [""] * 5),
        ]
    )
    truth = load_truth(UNSEEN / f"{SHANGHAI}.truth.json")
    review = {k: v for k, v in truth["cells"].items() if k.startswith("review_litigation/")}
    assert wrong_cells(html.encode(), review) == {}


def test_labelled_review_rows_go_to_their_proceeding_in_any_order():
    html = review_as_labelled_rows(
        [
            ("复议后起诉", [1, 0, 0, 0, 1]),
            ("行政复议", [5, 0, 0, 2, 7]),
            ("未经复议直接起诉", [8, 0, 0, 1, 9]),
        ]
    )
    expected = {
        "review_litigation/review/upheld": 5,
        "review_litigation/review/total": 7,
        "review_litigation/litigation_direct/upheld": 8,
        "review_litigation/litigation_direct/total": 9,
        "review_litigation/litigation_after_review/upheld": 1,
        "review_litigation/litigation_after_review/total": 1,
    }
    assert wrong_cells(html.encode(), expected) == {}


NOT_HELD = re.compile(r'<tr><td nowrap="nowrap" rowspan="3"><p>（四）无法提供</p></td>.*?</tr>')


def spread_over_two_rows(make) -> bytes:
    """The Shanghai report with its 本机关不掌握 row printed over two grid rows by ``make``."""
    html = html_of(SHANGHAI)
    row = NOT_HELD.search(html)[0]
    cells = re.findall(r"<td.*?</td>", row)
    two_rows = make(row, cells).replace('rowspan="3"', 'rowspan="4"', 1)
    return html.replace(row, two_rows).replace('rowspan="20"', 'rowspan="21"').encode()


SPREADS = {
    "every cell spans two grid rows (a wrapped label in Word)": lambda row, cells: (
        row.replace('<td nowrap="nowrap"><', '<td nowrap="nowrap" rowspan="2"><') + "<tr></tr>"
    ),
    "the label on one grid row, its numbers on the next": lambda row, cells: (
        "<tr>"
        + cells[0]
        + cells[1]
        + '<td nowrap="nowrap" colspan="7"></td></tr><tr><td nowrap="nowrap"></td>'
        + "".join(cells[2:])
        + "</tr>"
    ),
    "the label wrapped onto a second grid row of its own": lambda row, cells: (
        row.replace("相关政府信息", "相关")
        + '<tr><td nowrap="nowrap"><p>政府信息</p></td>'
        + '<td nowrap="nowrap"></td>' * 7
        + "</tr>"
    ),
}


@pytest.mark.parametrize("spread", SPREADS)
def test_a_row_spread_over_two_grid_rows(spread):
    truth = load_truth(UNSEEN / f"{SHANGHAI}.truth.json")
    apps = {k: v for k, v in truth["cells"].items() if k.startswith("applications/")}
    assert wrong_cells(spread_over_two_rows(SPREADS[spread]), apps) == {}


def as_text(truth: dict, layout: str) -> str:
    """The report's cells printed as a text converter prints a report's tables: rows split by
    tabs, pipes or spaces, or one cell per line; blank cells printed as '—'."""
    cells, template = truth["cells"], truth["template"]

    def row(label: str, values: list) -> list[str]:
        printed = ["—" if v is None else str(v) for v in values]
        if layout == "one cell per line":
            return [c for c in (label, *printed) if c] + [""]
        if layout == "pipes":
            return ["| " + " | ".join([label, *printed]) + " |"]
        return [{"tabs": "\t", "spaces": " "}[layout].join([label, *printed])]

    lines = [
        f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告",
        "一、总体情况",
        "二、主动公开政府信息情况",
    ]
    for item, metrics in L.ACTIVE_METRICS[template].items():
        lines += row("信息内容", [L.METRIC_LABELS[m] for m in metrics])
        lines += row(L.ACTIVE_ITEMS[item][0], [cells[f"active_disclosure/{item}/{m}"] for m in metrics])
    lines += [
        "三、收到和处理政府信息公开申请情况",
        *row("申请人情况", [L.APPLICANT_LABELS[a] for a in L.APPLICANTS]),
    ]
    for code in L.ROWS_2019 if template == "2019" else L.ROWS_2021:
        lines += row(
            L.APPLICATION_ROW_LABELS[code], [cells[f"applications/{code}/{a}"] for a in L.APPLICANTS]
        )
    lines += [
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议 行政诉讼",
        " ".join(L.OUTCOME_LABELS.values()),
    ]
    review = [cells[f"review_litigation/{p}/{o}"] for p in L.PROCEEDINGS for o in L.OUTCOMES]
    lines += row("", review)
    lines += ["五、存在的主要问题及改进情况", "无。"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("layout", ["tabs", "pipes", "spaces", "one cell per line"])
def test_the_same_cells_in_every_text_layout(stem, layout):
    truth = load_truth(UNSEEN / f"{stem}.truth.json")
    record = parse(as_text(truth, layout).encode(), url="report.txt")
    assert record["template"] == truth["template"]
    got = flatten(record)
    assert {k: (v, got.get(k)) for k, v in truth["cells"].items() if got.get(k, "missing") != v} == {}


def test_a_report_published_under_a_cover_title():
    """Some portals publish the report as the attachment of a notice: 关于印发《…年度报告》的通知."""
    html = html_of(SHUYANG)
    title = "沭阳县发展和改革局2023年政府信息公开年度报告"
    cover = f"关于印发《{title}》的通知"
    html = html.replace(f"<title>{title}-沭阳县发改局</title>", f"<title>{cover}</title>")
    html = html.replace(f"<ucaptitle>{title}</ucaptitle>", f"<ucaptitle>{cover}</ucaptitle>")
    assert html.count(cover) == 2
    record = parse(html.encode(), url="notice.html")
    assert (record["agency"], record["year"], record["region"]["county"]) == (
        "沭阳县发展和改革局",
        2023,
        "沭阳县",
    )


def test_a_row_is_named_by_the_label_cell_nearest_its_numbers():
    """A PDF table reader can leave one cell holding the text of many rows (a merged cell that
    swallowed its neighbours), repeated down the rows it spans; each row's own label cell still
    names it."""
    swallowed = "（二）部分公开（区分处理的，只计这一情形，不 0 0 计其他情形） 1.属于国家秘密 0 0 2.其他法律行政法规禁止公开 0 0"
    html = html_of(SHANGHAI)
    for label in (
        "1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
        "3.危及“三安全一稳定”",
        "5.属于三类内部事务信息",
        "6.属于四类过程性信息",
    ):
        cell = f'<td nowrap="nowrap"><p>{label}</p></td>'
        assert cell in html, label
        html = html.replace(cell, f"<td>{swallowed}</td>{cell}")
    html = html.replace(
        '<td nowrap="nowrap" rowspan="8"><p>（三）不予公开</p></td>', "<td>（三）不予公开</td>"
    )
    truth = load_truth(UNSEEN / f"{SHANGHAI}.truth.json")
    apps = {k: v for k, v in truth["cells"].items() if k.startswith("applications/denied.")}
    assert wrong_cells(html.encode(), apps) == {}


@pytest.mark.browser
def test_the_2019_report_printed_to_pdf_reads_the_same(tmp_path):
    """The Shanghai page printed to PDF by Chromium: a PDF with a text layer whose tables the PDF
    reader rebuilds from ruling lines, as it does for the PDFs portals publish."""
    pdf = tmp_path / "report.pdf"
    subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_ARGS,
            "--headless",
            f"--print-to-pdf={pdf}",
            "--no-pdf-header-footer",
            (UNSEEN / f"{SHANGHAI}.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    truth = load_truth(UNSEEN / f"{SHANGHAI}.truth.json")
    record = parse(pdf.read_bytes(), url="report.pdf")
    assert (record["format"], record["template"], record["agency"], record["year"]) == (
        "pdf",
        "2019",
        truth["agency"],
        2019,
    )
    assert wrong_cells(record, truth["cells"]) == {}


def test_a_report_whose_numbers_do_not_add_up_is_flagged_not_repaired():
    """The Shuyang report with its （七）总计 printed as 25 instead of 26: the value is kept as
    printed, and the balance and the sum of outcomes fail for the 总计 column only."""
    html = html_of(SHUYANG)
    total_row = re.search(r"<span>（七）总计</span>.*?</tr>", html, re.S)[0]
    head, _, tail = total_row.rpartition("<span>26</span>")  # the last cell: 总计
    html = html.replace(total_row, f"{head}<span>25</span>{tail}")
    record = parse(html.encode(), url="report.html")
    assert flatten(record)["applications/handled_total/total"] == 25
    assert flatten(record)["applications/handled_total/natural_person"] == 26
    failed = {(c["rule"], c.get("column")) for c in record["checks"] if not c["passed"]}
    assert failed == {("balance", "total"), ("handled_sum", "total")}


def test_equal_numbers_under_a_wide_merged_header_are_separate_cells():
    """A review table printed without its row of outcome names under each kind of suit: the zeros
    under 复议后起诉 are five cells, not one merged cell (only a header two or three grid columns
    wide can sit over one merged value), while 本年增/减 over two grid columns is one."""
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    review = [
        ["行政复议"] * 5 + ["行政诉讼"] * 10,
        outcomes + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5,
        ["5", "0", "0", "2", "7", "8", "0", "0", "1", "9", "0", "0", "0", "0", "0"],
    ]
    assert len(lines_from_tables([review])[-1].values) == 15
    fees = [
        ["信息内容", "上一年项目数量", "上一年项目数量", "本年增/减", "本年增/减"],
        ["行政事业性收费", "0", "0", "0", "0"],
    ]
    assert [v.raw for v in lines_from_tables([fees])[-1].values] == ["0", "0"]
