"""The truth files (../shared/seeds, ../shared/realworld, and this repo's tests/fixtures/unseen) and
how to compare a record to them."""

import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


UNSEEN = ROOT / "tests" / "fixtures" / "unseen"


def truth_files() -> list[pathlib.Path]:
    return sorted(SHARED.glob("seeds/*.truth.json")) + sorted(SHARED.glob("realworld/*.truth.json"))


def unseen_truth_files() -> list[pathlib.Path]:
    """Real reports found after the parser was written (see tests/fixtures/unseen/SOURCES.md)."""
    return sorted(UNSEEN.glob("*.truth.json"))


def document_for(truth_file: pathlib.Path) -> pathlib.Path:
    stem = truth_file.name[: -len(".truth.json")]
    return next(p for p in truth_file.parent.iterdir() if p.stem == stem and p.suffix != ".json")


def load_truth(path: pathlib.Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def flatten(record: dict) -> dict:
    """The record's cells keyed as the truth files key them: table/row/column."""
    out = {}
    for c in record["active_disclosure"]:
        out[f"active_disclosure/{c['item']}/{c['metric']}"] = c["value"]
    for c in record["applications"]:
        out[f"applications/{c['row']}/{c['applicant']}"] = c["value"]
    for c in record["review_litigation"]:
        out[f"review_litigation/{c['proceeding']}/{c['outcome']}"] = c["value"]
    return out
