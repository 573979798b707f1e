"""Attachments (PDF, scanned PDF, images, DOCX, DOC, WPS, XLS, XLSX, OFD) read into grids and text.

The fixtures in tests/fixtures/attachments are one filled 2021-template report in every format
(made by make_fixtures.py there, numbers in expected.json); fixtures/shared/realworld holds real PDFs
with hand-typed truth files.
"""

import json
import pathlib
import re
import unicodedata

import pytest
from truth import SHARED, load_truth

from govreports.parser import layout
from govreports.parser.attachments import read_attachment
from govreports.parser.formats import read_document
from govreports.parser.tables import read_tables

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "attachments"
REALWORLD = SHARED / "realworld"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def read(name: str):
    path = FIXTURES / name
    return read_document(path.read_bytes(), url=path.name)


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "")


def values_of(tables, label: str) -> list[str]:
    """The cells after the label in the first grid row that has the label and a number."""
    want = re.sub(r"^[一二三四]、", "", norm(label))  # OCR may drop the "一、" of a label
    for table in tables:
        for row in table:
            at = [k for k, c in enumerate(row) if want in norm(c)]
            if at and any(layout.is_number(c) for c in row[at[-1] + 1 :]):
                return [c for c in row[at[-1] + 1 :] if c != row[at[-1]]]
    return []


def matches(values: list[str], expected: list[str]) -> bool:
    if len(expected) == 1:  # a value cell merged over the columns of a three-column table
        return bool(values) and set(values) == set(expected)
    return values[-len(expected) :] == expected


def score(tables, part: str) -> tuple[int, list]:
    """How many expected cells of the application rows (or active rows) the grids hold."""
    good, wrong = 0, []
    for label, expected in EXPECTED[part].items():
        got = values_of(tables, label)
        if matches(got, expected):
            good += len(expected)
        else:
            wrong.append((label, expected, got))
    return good, wrong


def cells(part: str) -> int:
    return sum(len(v) for v in EXPECTED[part].values())


# --- every format of the same report ---------------------------------------------------------

EXACT = {
    "report.pdf": "pdf",
    "report.docx": "docx",
    "report.doc": "doc",
    "report.wps": "wps",
    "report.xlsx": "xlsx",
    "report.xls": "xls",
    "report.ofd": "ofd",
}
# LibreOffice converts .doc and .wps (seconds each): out of the quick subset.
FORMATS = [
    pytest.param(n, marks=pytest.mark.slow) if n.endswith((".doc", ".wps")) else n for n in sorted(EXACT)
]


@pytest.fixture(scope="module", params=FORMATS)
def exact(request):
    return request.param, read(request.param)


def test_every_application_cell_is_in_its_row(exact):
    name, doc = exact
    assert doc.kind == EXACT[name]
    good, wrong = score(doc.tables, "applications")
    assert wrong == [] and good == cells("applications")


def test_active_disclosure_rows_where_the_format_has_them(exact):
    name, doc = exact
    if name.endswith((".xlsx", ".xls", ".ofd")):
        pytest.skip("the spreadsheet and OFD fixtures hold the application table only")
    good, wrong = score(doc.tables, "active")
    assert wrong == []
    review = next(t for t in doc.tables if any("行政复议" in c for c in t[0]))
    assert review[-1] == EXPECTED["review"]


def test_text_has_the_table_rows_as_tab_separated_lines(exact):
    _, doc = exact
    row = "\t".join(
        ["一、本年新收政府信息公开申请数量", *EXPECTED["applications"]["一、本年新收政府信息公开申请数量"]]
    )
    assert row in doc.text.splitlines()


@pytest.mark.slow  # LibreOffice
def test_rtf_saved_as_doc_is_converted_with_its_table():
    rtf = (
        r"{\rtf1\ansi\ansicpg936{\fonttbl{\f0\fnil SimSun;}}\f0 "
        r"\uc1\u25919?\u24220? 2023\par"
        r"\trowd\cellx3000\cellx4500\cellx6000 \intbl \u34892?\u25919?\u22788?\u32602?\cell 567\cell 8\cell\row}"
    ).encode("ascii")
    doc = read_attachment("rtf", rtf)
    assert doc.kind == "rtf"
    assert doc.tables == [[["行政处罚", "567", "8"]]]


def test_word_title_comes_from_the_document_properties():
    assert read("report.docx").title == "示例县人民政府2023年政府信息公开工作年度报告"
    assert read("report.pdf").title == "示例县人民政府2023年政府信息公开工作年度报告"


def test_a_table_broken_across_pdf_pages_is_one_grid():
    doc = read("report.pdf")
    apps = next(t for t in doc.tables if any("本年新收" in c for row in t for c in row))
    labels = [row[0] for row in apps]
    # The label cell merged over the outcome rows is cut by the page break; the continuation
    # takes it over, so every outcome row keeps its group.
    assert labels.count("三、本年度办理结果") == 22
    assert apps[-1][0] == "四、结转下年度继续办理"


# --- OCR: an image of the table page, and the same page as a scanned PDF -----------------------


def ocr_share(doc) -> float:
    """Share of the application cells on the scanned page that OCR got exactly right, cell by cell."""
    # The page shows the rows down to 2.申请人逾期未按收费…; the rest is on the next page.
    shown = list(EXPECTED["applications"])[:22]
    good = total = 0
    for label in shown:
        expected = EXPECTED["applications"][label]
        got = values_of(doc.tables, label)[-len(expected) :]
        good += sum(a == b for a, b in zip(got, expected, strict=False))
        total += len(expected)
    return good / total


@pytest.mark.ocr
@pytest.mark.parametrize("name", ["table-page.png", "scanned.pdf"])
def test_ocr_rebuilds_the_table_cells(name):
    doc = read(name)
    assert doc.kind == ("image" if name.endswith(".png") else "pdf")
    assert any("OCR" in w for w in doc.warnings)
    assert ocr_share(doc) >= 0.97
    apps = next(t for t in doc.tables if any("本年新收" in c for row in t for c in row))
    assert apps[5][:2] == ["三、本年度办理结果", "（一）予以公开"]


@pytest.mark.ocr
def test_ocr_of_a_poor_scan_noisy_blurred_tilted_and_jpeg():
    import io

    import numpy as np
    from PIL import Image, ImageFilter

    page = np.asarray(Image.open(FIXTURES / "table-page.png").convert("L")).astype(float)
    page += np.random.default_rng(1).normal(0, 25, page.shape)
    poor = Image.fromarray(np.clip(page, 0, 255).astype("uint8")).filter(ImageFilter.GaussianBlur(0.8))
    buf = io.BytesIO()
    poor.rotate(0.7, fillcolor=255).save(buf, "JPEG", quality=35)
    assert ocr_share(read_document(buf.getvalue())) >= 0.95


@pytest.mark.ocr
def test_a_table_pasted_as_a_picture_into_a_text_page_is_read_by_ocr():
    doc = read("mixed.pdf")
    lines = doc.text.splitlines()
    # text-layer paragraphs and the picture's rows, in page order
    assert lines[1] == "三、收到和处理政府信息公开申请情况（见下表）"
    assert lines[-1] == "四、政府信息公开行政复议、行政诉讼情况：见下页。"
    for label in list(EXPECTED["applications"])[:5]:
        assert matches(values_of(doc.tables, label), EXPECTED["applications"][label]), label


# --- real reports with hand-typed truth ------------------------------------------------------

REAL = [
    p
    for p in sorted(REALWORLD.glob("*.truth.json"))
    for doc in REALWORLD.glob(p.name[: -len(".truth.json")] + ".*")
    if doc.suffix in (".pdf", ".docx", ".doc", ".wps")
]


@pytest.mark.parametrize("truth_file", REAL, ids=[p.name.split(".")[0] for p in REAL])
def test_real_report_grids_hold_every_truth_cell(truth_file):
    truth = load_truth(truth_file)
    path = next(
        p for p in REALWORLD.glob(truth_file.name[: -len(".truth.json")] + ".*") if p.suffix != ".json"
    )
    doc = read_document(path.read_bytes(), url=path.name)
    tables = read_tables(doc)
    got = {}
    for c in tables.active_disclosure:
        got[f"active_disclosure/{c['item']}/{c['metric']}"] = c["value"]
    for c in tables.applications:
        got[f"applications/{c['row']}/{c['applicant']}"] = c["value"]
    for c in tables.review_litigation:
        got[f"review_litigation/{c['proceeding']}/{c['outcome']}"] = c["value"]
    wrong = {k: (v, got.get(k, "missing")) for k, v in truth["cells"].items() if got.get(k, "missing") != v}
    assert wrong == {}


def test_hongze_vertical_label_and_split_table():
    doc = read_document((REALWORLD / "hongze-district-2023.pdf").read_bytes())
    apps = next(t for t in doc.tables if any("本年新收" in c for row in t for c in row))
    assert len(apps) == 26 and len(apps[0]) == 10
    assert apps[5][:2] == ["三、本年度办理结果", "（一）予以公开"]
    # page 4 starts inside （四）无法提供: the merged cells continue from page 3
    row = next(r for r in apps if r[2] == "3.补正后申请内容仍不明确")
    assert row[:2] == ["三、本年度办理结果", "（四）无法提供"]
    # stray spaces inside labels are gone, line breaks inside CJK labels joined without a space
    assert any(r[2] == "4.无正当理由大量反复申请" for r in apps)
    assert "洪泽区人民政府" in doc.title


# --- the command line, end to end -------------------------------------------------------------


@pytest.mark.parametrize("name", FORMATS)
def test_govreports_parse_json_reads_every_format(name):
    from click.testing import CliRunner

    from govreports.crawler.cli import cli

    result = CliRunner().invoke(cli, ["parse", str(FIXTURES / name), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["template"] == "2021"
    new = {c["applicant"]: c["value"] for c in record["applications"] if c["row"] == "new"}
    assert new["total"] == int(EXPECTED["applications"]["一、本年新收政府信息公开申请数量"][-1])
    # the fixture's numbers keep the report's arithmetic, so no check may fail
    assert [c for c in record["checks"] if not c["passed"]] == []


def test_a_slightly_rotated_scan_is_straightened_before_finding_the_table_rules():
    import numpy as np
    from PIL import Image

    from govreports.parser import ocr

    page = Image.open(FIXTURES / "table-page.png").convert("L")
    level, _ = ocr.ruled_tables(np.asarray(page))
    tilted = np.asarray(page.rotate(1.5, fillcolor=255, resample=Image.BICUBIC).convert("RGB"))
    straightened = ocr.rotate(tilted, ocr.skew(tilted.max(axis=2)))
    assert [len(t) for t in ocr.ruled_tables(straightened.max(axis=2))[0]] == [len(t) for t in level]


def test_the_blank_template_docx_gives_its_three_tables_and_no_numbers():
    doc = read_document((REALWORLD / "template-2021-blank.docx").read_bytes())
    assert [(len(t), len(t[0])) for t in doc.tables] == [(14, 4), (28, 10), (4, 15)]
    # its "empty" cells hold ideographic spaces: they read as blank, not as anything
    assert not any(layout.is_number(c) or c.isspace() for t in doc.tables for row in t for c in row)
    assert doc.tables[1][3][:3] == ["一、本年新收政府信息公开申请数量"] * 3
