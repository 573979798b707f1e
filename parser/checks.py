"""The report's own cross-checks (勾稽关系). They flag; they never repair the numbers.

A check whose inputs include a blank (null) cell is not evaluable and is left out.
"""

import re

from . import labels as L

# "未收到/未接到/没有收到…申请", "申请0件", "无依申请公开" and the like, in the text of the report;
# never a sentence about reviews or suits (未收到…行政复议申请) or about applicants (未收到申请人…).
_GAP = r"(?:(?!复议|诉讼)[^。；，,;]){0,20}"
_NO_APPLICATIONS = re.compile(
    rf"(未|没有)(收到|接到|受理){_GAP}申请(?!人)(?![^。；，,;]*(?:复议|诉讼))"
    rf"|(收到|受理){_GAP}申请\s*(?:数量|件数)?\s*(?:为|共)?\s*[0０零]\s*件"
    r"|(?:无|没有|未发生)(?:依申请公开|政府信息公开申请)(?:件|事项|情况|申请)"
)


def _grid(cells: list[dict], row_key: str, col_key: str) -> dict:
    return {(c[row_key], c[col_key]): c["value"] for c in cells}


def _check(rule: str, where: dict, expected, found) -> dict:
    return {"rule": rule, **where, "passed": _same(expected, found), "expected": expected, "found": found}


def _same(a, b) -> bool:
    return abs(a - b) < 1e-6


def _sum(values) -> int | float | None:
    values = list(values)
    if any(v is None for v in values):
        return None
    return sum(values)


def run_checks(record: dict) -> list[dict]:
    checks = []
    apps = _grid(record.get("applications") or [], "row", "applicant")
    rows = sorted({r for r, _ in apps}, key=[c for c, _, _ in L.APPLICATION_ROWS].index)
    parts = L.APPLICANTS[:-1]
    for row in rows:
        expected, found = _sum(apps.get((row, a)) for a in parts), apps.get((row, "total"))
        if expected is not None and found is not None:
            checks.append(_check("row_total", {"row": row}, expected, found))
    outcomes = [r for r in rows if r in L.OUTCOME_ROWS]
    if "other" in outcomes and any(r.startswith("other.") for r in outcomes):
        outcomes.remove("other")  # never count (六) twice
    for col in L.APPLICANTS:
        inflow = _sum(apps.get((r, col)) for r in ("new", "carried_over"))
        outflow = _sum(apps.get((r, col)) for r in ("handled_total", "carried_forward"))
        if inflow is not None and outflow is not None:
            checks.append(_check("balance", {"column": col}, inflow, outflow))
        handled = apps.get(("handled_total", col))
        outcome_sum = _sum(apps.get((r, col)) for r in outcomes) if outcomes else None
        if handled is not None and outcome_sum is not None:
            checks.append(_check("handled_sum", {"column": col}, outcome_sum, handled))
    review = _grid(record.get("review_litigation") or [], "proceeding", "outcome")
    for p in L.PROCEEDINGS:
        expected = _sum(review.get((p, o)) for o in L.OUTCOMES[:-1])
        found = review.get((p, "total"))
        if expected is not None and found is not None:
            checks.append(_check("review_sum", {"proceeding": p}, expected, found))
    checks += narrative_checks(record, apps)
    return checks


def narrative_checks(record: dict, apps: dict) -> list[dict]:
    """The text against the tables: a report that says it had no applications while its table
    counts some. (Sentences about reviews are left alone: "未发生…被行政复议纠错" speaks of
    outcomes, not of cases, and reads too easily as "none".)"""
    sections = record.get("sections") or {}
    text = (
        " ".join(filter(None, (sections.get("overview"), sections.get("applications"))))
        or record.get("text")
        or ""
    )
    checks = []
    new_total = apps.get(("new", "total"))
    if new_total is not None and _NO_APPLICATIONS.search(text):
        checks.append(_check("narrative", {"row": "new"}, 0, new_total))
    return checks
