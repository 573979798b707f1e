"""Every shared report with a hand-made truth file parses to exactly the values it states.

The truth files cover both templates (2021 and 2019) and the layouts seen in the wild: tab-separated
rows, one cell per line, markdown converted from PDF with labels split off from their numbers, an
OCR transcription, and PDFs with a text layer.
"""

import pytest
from truth import document_for, flatten, load_truth, truth_files

from govreports.parser import parse

TRUTHS = truth_files()


@pytest.fixture(scope="module", params=TRUTHS, ids=[t.name[: -len(".truth.json")] for t in TRUTHS])
def case(request):
    truth = load_truth(request.param)
    path = document_for(request.param)
    return truth, parse(path.read_bytes(), url=path.name)


def test_every_cell_matches_the_truth(case):
    truth, record = case
    got = flatten(record)
    wrong = {k: (v, got.get(k, "missing")) for k, v in truth["cells"].items() if got.get(k, "missing") != v}
    assert wrong == {}


def test_agency_year_and_template(case):
    truth, record = case
    assert (record["agency"], record["year"], record["template"]) == (
        truth["agency"],
        truth["year"],
        truth["template"],
    )


def test_region(case):
    truth, record = case
    for part in ("province", "city", "county"):
        assert record["region"][part] == truth["region"][part], part


def test_failed_checks_are_the_reports_own(case):
    truth, record = case
    if "failed_checks" not in truth:
        pytest.skip("truth deliberately leaves the checks of this report open (see its failed_checks_note)")
    failed = {c["rule"] for c in record["checks"] if not c["passed"]}
    assert failed == set(truth["failed_checks"])


def test_published_date_when_the_truth_states_it(case):
    truth, record = case
    if "published_date" not in truth:
        pytest.skip("truth has no published date")
    assert record["published_date"] == truth["published_date"]
