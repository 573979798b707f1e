"""The table reader on every layout a report's tables come in.

The same report is rewritten into each layout (tab rows, markdown pipes, PDF-like lines with
spaces, one cell per line, traditional characters, grids with merged cells) and must read to the
same cells each time.
"""

import re

import pytest
from opencc import OpenCC
from truth import SHARED, flatten, load_truth

from govreports.parser.document import Document
from govreports.parser.tables import cell_value, read_tables

SHUYANG = SHARED / "realworld" / "shuyang-county-2025-ocr.txt"


def cells_of(text: str = "", tables=None) -> dict:
    t = read_tables(Document(text=text, tables=tables or []))
    return flatten(
        {
            "active_disclosure": t.active_disclosure,
            "applications": t.applications,
            "review_litigation": t.review_litigation,
        }
    )


def pipe_rows(text: str) -> list[list[str]]:
    """The pipe-table rows of a markdown text, as cell lists (separator lines dropped)."""
    rows = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("|") and not re.match(r"^\|[\s|:-]+\|$", s):
            rows.append([c.strip() for c in s.strip("|").split("|")])
        elif s and not s.startswith("|"):
            rows.append([s])
    return rows


LAYOUTS = {
    "markdown pipes": lambda rows: "\n".join(
        "| " + " | ".join(r) + " |" if len(r) > 1 else r[0] for r in rows
    ),
    "tab separated": lambda rows: "\n".join("\t".join(r) for r in rows),
    "pdf lines": lambda rows: "\n".join("   ".join(r) for r in rows),
    "one cell per line": lambda rows: "\n".join(c for r in rows for c in r),
    "traditional characters": lambda rows: OpenCC("s2t").convert("\n".join("\t".join(r) for r in rows)),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_same_report_reads_the_same_in_every_layout(layout):
    truth = load_truth(SHUYANG.with_name("shuyang-county-2025-ocr.truth.json"))["cells"]
    text = LAYOUTS[layout](pipe_rows(SHUYANG.read_text(encoding="utf-8")))
    got = cells_of(text)
    assert {k: got.get(k) for k in truth} == truth


def test_values_as_printed():
    assert cell_value("1,193", False) == (True, 1193)
    assert cell_value("减47", False) == (True, -47)
    assert cell_value("-47", False) == (True, -47)
    assert cell_value("增 5", False) == (True, 5)
    assert cell_value("4068.208", False) == (True, 4068.208)
    assert cell_value("１２", False) == (True, 12)  # full-width digits


def test_blank_and_dash_cells_are_null_not_zero():
    for mark in ("", "—", "/", "-", "无"):
        assert cell_value(mark, True) == (True, None)
    # Outside a real cell (a PDF line split on spaces) a dash is just text, e.g. page footers "— 4 —".
    assert cell_value("—", False) == (False, None)


GRID_HEADER = [
    [
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "申请人情况",
        "申请人情况",
        "申请人情况",
        "申请人情况",
        "申请人情况",
        "申请人情况",
        "申请人情况",
    ],
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] * 3
    + [
        "自然人",
        "法人或其他组织",
        "法人或其他组织",
        "法人或其他组织",
        "法人或其他组织",
        "法人或其他组织",
        "总计",
    ],
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] * 3
    + ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
]


def grid_row(labels: list[str], values: list[str]) -> list[str]:
    return labels + values


def test_grid_with_merged_label_cells():
    """A grid as an HTML/DOCX reader expands it: merged label cells repeated in every position."""
    g = "三、本年度办理结果"
    rows = [
        grid_row(["一、本年新收政府信息公开申请数量"] * 3, ["5", "1", "0", "0", "0", "0", "6"]),
        grid_row(["二、上年转结政府信息公开申请数量"] * 3, ["1", "0", "0", "0", "0", "0", "1"]),
        grid_row([g, "（一）予以公开", "（一）予以公开"], ["3", "1", "0", "0", "0", "0", "4"]),
        grid_row(
            [g, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"] * 1
            + ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"],
            ["0"] * 7,
        ),
    ]
    rows += [
        grid_row([g, "（三）不予公开", f"{i}.{name}"], ["0"] * 7)
        for i, name in enumerate(
            [
                "属于国家秘密",
                "其他法律行政法规禁止公开",
                "危及“三安全一稳定”",
                "保护第三方合法权益",
                "属于三类内部事务信息",
                "属于四类过程性信息",
                "属于行政执法案卷",
                "属于行政查询事项",
            ],
            1,
        )
    ]
    rows += [
        grid_row([g, "（四）无法提供", "1.本机关不掌握相关政府信息"], ["2", "0", "0", "0", "0", "0", "2"])
    ]
    rows += [
        grid_row([g, "（四）无法提供", name], ["0"] * 7)
        for name in ("2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")
    ]
    rows += [
        grid_row([g, "（五）不予处理", name], ["0"] * 7)
        for name in (
            "1.信访举报投诉类申请",
            "2.重复申请",
            "3.要求提供公开出版物",
            "4.无正当理由大量反复申请",
            "5.要求行政机关确认或重新出具已获取信息",
        )
    ]
    rows += [
        grid_row([g, "（六）其他处理", name], ["0"] * 7)
        for name in (
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "3.其他",
        )
    ]
    rows += [
        grid_row([g, "（七）总计", "（七）总计"], ["5", "1", "0", "0", "0", "0", "6"]),
        grid_row(["四、结转下年度继续办理"] * 3, ["1", "0", "0", "0", "0", "", "1"]),
    ]
    got = cells_of(tables=[GRID_HEADER + rows])
    assert got["applications/carried_over/natural_person"] == 1  # 上年转结, the common misprint
    assert got["applications/granted/total"] == 4
    assert got["applications/unable.not_held/natural_person"] == 2
    assert got["applications/other.other/total"] == 0
    assert got["applications/handled_total/total"] == 6
    assert got["applications/carried_forward/other"] is None  # a blank cell stays blank
    assert got["applications/carried_forward/total"] == 1


def test_labels_split_off_from_their_numbers_are_placed_by_order():
    """Converters set labels apart from value rows; unlabeled rows fill the template in order."""
    text = (SHARED / "realworld" / "shanghai-kewei-2024.md").read_text(encoding="utf-8")
    got = cells_of(text)
    assert got["applications/unable.not_held/natural_person"] == 4
    assert got["applications/unable.needs_creation/natural_person"] == 6
    assert got["applications/other.no_correction/total"] == 10
    assert got["applications/carried_forward/total"] is None  # empty in the source


def test_a_collapsed_other_row_is_read_as_one_row():
    """Some 2021 reports print （六）其他处理 as a single row, as the 2019 template did."""
    text = "\n".join(
        [
            "第二十条第（一）项",
            "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
            "规章\t0\t0\t0",
            "申请人情况",
            "一、本年新收政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2",
            "（一）予以公开\t1\t0\t0\t0\t0\t0\t1",
            "（六）其他处理\t1\t0\t0\t0\t0\t0\t1",
            "（七）总计\t2\t0\t0\t0\t0\t0\t2",
            "四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0",
        ]
    )
    t = read_tables(Document(text=text))
    got = {(c["row"], c["applicant"]): c["value"] for c in t.applications}
    assert t.template == "2021"
    assert got[("other", "total")] == 1
    assert got[("granted", "total")] == 1
    assert got[("other.other", "total")] is None


def test_template_comes_from_the_labels_not_the_year():
    """A 2019-format table in a report for 2021 is still read as the 2019 template."""
    text = "\n".join(
        [
            "2021年度政府信息公开工作年度报告",
            "第二十条第（一）项",
            "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
            "规章\t1\t1\t3",
            "第二十条第（九）项",
            "信息内容\t采购项目数量\t采购总金额",
            "政府集中采购\t2\t35.5",
        ]
    )
    t = read_tables(Document(text=text))
    got = {(c["item"], c["metric"]): c["value"] for c in t.active_disclosure}
    assert t.template == "2019"
    assert got[("rules", "total_published")] == 3
    assert got[("procurement", "amount")] == 35.5


def test_no_tables_no_template():
    t = read_tables(Document(text="关于开展春季植树活动的通知\n各单位：请于3月12日前报名。"))
    assert t.template is None and t.applications == []
