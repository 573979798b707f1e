"""The narrative check reads the report's own words about applications, and only those."""

import pytest

from govreports.parser.checks import run_checks


def narrative_failed(sentence: str, new_total: int) -> bool:
    record = {
        "applications": [{"row": "new", "applicant": "total", "value": new_total}],
        "sections": {"applications": sentence},
    }
    return any(c["rule"] == "narrative" and not c["passed"] for c in run_checks(record))


@pytest.mark.parametrize(
    "sentence",
    [
        "2023年，本机关未收到政府信息公开申请。",
        "本年度没有接到公民、法人或其他组织提出的政府信息公开申请。",
        "全年共受理政府信息公开申请0件。",
        "全年收到政府信息公开申请数量为０件。",
        "本年度无依申请公开事项。",
        "2020年未发生依申请公开情况。",
    ],
)
def test_a_report_that_says_it_had_no_applications_fails_when_its_table_counts_some(sentence):
    assert narrative_failed(sentence, 3)
    assert not narrative_failed(sentence, 0)


@pytest.mark.parametrize(
    "sentence",
    [
        "本年度未收到因政府信息公开申请答复引起的行政复议申请。",
        "未收到针对依申请公开答复的行政诉讼。",
        "未收到申请人对答复结果的投诉。",
        "全年共收到政府信息公开申请10件，均按时答复。",
    ],
)
def test_sentences_about_reviews_suits_or_applicants_are_not_a_claim_of_no_applications(sentence):
    assert not narrative_failed(sentence, 3)
