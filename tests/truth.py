"""Where the tests find real reports and their truth, and how to compare a record to them.

SHARED is the repository's copy of the team's shared reports (tests/fixtures/shared, see its
README.md for provenance): seeds/, realworld/ and portals/cms/. UNSEEN holds real reports found
after the parser was written (tests/fixtures/unseen)."""

import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = FIXTURES / "shared"
UNSEEN = FIXTURES / "unseen"


def _found(files: list[pathlib.Path], where: str) -> list[pathlib.Path]:
    """``files``, or an error: a parametrized test over no truth file would pass having tested nothing."""
    if not files:
        raise FileNotFoundError(f"no *.truth.json under {where}: the test fixtures are missing")
    return files


def truth_files() -> list[pathlib.Path]:
    found = sorted(SHARED.glob("seeds/*.truth.json")) + sorted(SHARED.glob("realworld/*.truth.json"))
    return _found(found, f"{SHARED}/seeds or realworld")


def unseen_truth_files() -> list[pathlib.Path]:
    """Real reports found after the parser was written (see tests/fixtures/unseen/SOURCES.md)."""
    return _found(sorted(UNSEEN.glob("*.truth.json")), str(UNSEEN))


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
