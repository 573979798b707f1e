"""A report laid out as the official template's HTML tables (merged cells and all), filled with a
real report's numbers, parses back to exactly those numbers, in UTF-8 and in GBK."""

import html

import pytest
from truth import SHARED, flatten, load_truth

from govreports.parser import labels as L
from govreports.parser import parse

TRUTH = load_truth(SHARED / "realworld" / "shuyang-county-2025-ocr.truth.json")


def td(text, rowspan=1, colspan=1) -> str:
    span = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    return f"<td{span}><p>{html.escape(str(text))}</p></td>"


def values(prefix: str, keys: list[str]) -> str:
    return "".join(
        td("" if TRUTH["cells"].get(f"{prefix}/{k}") is None else TRUTH["cells"][f"{prefix}/{k}"])
        for k in keys
    )


def active_table() -> str:
    rows = [
        td("第二十条第（一）项", colspan=4),
        td("信息内容") + "".join(td(L.METRIC_LABELS[m]) for m in ("issued", "repealed", "in_force")),
    ]
    rows += [
        td(L.ACTIVE_ITEMS[i][0]) + values(f"active_disclosure/{i}", ["issued", "repealed", "in_force"])
        for i in ("rules", "regulatory_documents")
    ]
    rows += [td("第二十条第（五）项", colspan=4), td("信息内容") + td("本年处理决定数量", colspan=3)]
    rows += [td("行政许可") + td(TRUTH["cells"]["active_disclosure/licensing/decisions"], colspan=3)]
    rows += [td("第二十条第（六）项", colspan=4), td("信息内容") + td("本年处理决定数量", colspan=3)]
    rows += [
        td(L.ACTIVE_ITEMS[i][0]) + td(TRUTH["cells"][f"active_disclosure/{i}/decisions"], colspan=3)
        for i in ("penalty", "coercion")
    ]
    rows += [
        td("第二十条第（八）项", colspan=4),
        td("信息内容") + td("本年收费金额（单位：万元）", colspan=3),
    ]
    rows += [td("行政事业性收费") + td(TRUTH["cells"]["active_disclosure/fees/amount_10k_yuan"], colspan=3)]
    return "<table border=1>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def applications_table() -> str:
    rows = [
        td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3)
        + td("申请人情况", colspan=7),
        td("自然人", rowspan=2) + td("法人或其他组织", colspan=5) + td("总计", rowspan=2),
        "".join(td(L.APPLICANT_LABELS[a]) for a in L.APPLICANTS[1:6]),
    ]
    groups = {
        "denied": "（三）不予公开",
        "unable": "（四）无法提供",
        "not_processed": "（五）不予处理",
        "other": "（六）其他处理",
    }
    sizes = {g: sum(1 for c in L.ROWS_2021 if c.startswith(g + ".")) for g in groups}
    seen = set()
    for code in L.ROWS_2021:
        label = L.APPLICATION_ROW_LABELS[code]
        cells = values(f"applications/{code}", L.APPLICANTS)
        group = code.split(".")[0]
        if code in ("new", "carried_over", "carried_forward"):
            head = td(label, colspan=3)
        else:
            head = td("三、本年度办理结果", rowspan=22) if code == "granted" else ""
            if group in groups:
                if group not in seen:
                    head += td(groups[group], rowspan=sizes[group])
                    seen.add(group)
                head += td(
                    f"{L.ROWS_2021.index(code) - L.ROWS_2021.index(next(c for c in L.ROWS_2021 if c.startswith(group + '.'))) + 1}.{label}"
                )
            else:
                head += td(label, colspan=2)
        rows.append(head + cells)
    return "<table border=1>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def review_table() -> str:
    heads = "".join(td(L.OUTCOME_LABELS[o]) for o in L.OUTCOMES)
    rows = [
        td("行政复议", colspan=5) + td("行政诉讼", colspan=10),
        "".join(td(L.OUTCOME_LABELS[o], rowspan=2) for o in L.OUTCOMES)
        + td("未经复议直接起诉", colspan=5)
        + td("复议后起诉", colspan=5),
        heads + heads,
        "".join(values(f"review_litigation/{p}", L.OUTCOMES) for p in L.PROCEEDINGS),
    ]
    return "<table border=1>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def page(charset: str) -> bytes:
    body = f"""<html><head><meta charset="{charset}"><title>沭阳县人民政府2025年政府信息公开工作年度报告_沭阳县人民政府</title></head>
<body><div class="header">首页 &gt; 政府信息公开 &gt; 年度报告</div><div class="article">
<h1>沭阳县人民政府2025年政府信息公开工作年度报告</h1>
<p>本报告中所列数据的统计期限自2025年1月1日起至2025年12月31日止。</p>
<p>一、总体情况</p><p>2025年，我县共受理政府信息公开申请749件。</p>
<p>二、主动公开政府信息情况</p>{active_table()}
<p>三、收到和处理政府信息公开申请情况</p>{applications_table()}
<p>四、政府信息公开行政复议、行政诉讼情况</p>{review_table()}
<p>五、存在的主要问题及改进情况</p><p>一是政策解读多样性需进一步加强。</p>
<p>六、其他需要报告的事项</p><p>无。</p><p>沭阳县人民政府</p><p>2026年1月23日</p></div></body></html>"""
    return body.encode(charset)


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_official_grid_reads_back_every_cell(charset):
    record = parse(
        page(charset), content_type=f"text/html; charset={charset}", url="http://www.shuyang.gov.cn/a.html"
    )
    got = flatten(record)
    assert {k: got.get(k) for k in TRUTH["cells"]} == TRUTH["cells"]
    assert record["template"] == "2021"
    assert record["year"] == 2025
    assert [c for c in record["checks"] if not c["passed"]] == []
    assert (record["region"]["province"], record["region"]["city"], record["region"]["county"]) == (
        "江苏省",
        "宿迁市",
        "沭阳县",
    )
