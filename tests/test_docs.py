"""The generated documentation is current: docs/cli.md is every command's --help, and the code
tables of docs/record.md are parser/labels.py (both written by docs/build.py)."""

import runpy

from truth import ROOT

from govreports.parser import labels as L

BUILD = runpy.run_path(str(ROOT / "docs" / "build.py"))


def test_the_cli_reference_is_every_commands_help():
    assert BUILD["CLI_MD"].read_text(encoding="utf-8") == BUILD["reference"](), (
        "docs/cli.md is out of date: run python docs/build.py"
    )


def test_the_cli_reference_has_a_section_per_command():
    page = BUILD["CLI_MD"].read_text(encoding="utf-8")
    for path, command in BUILD["commands"](BUILD["cli"], []):
        assert f"## govreports {' '.join(path)}\n" in page
        assert (command.help or "").split("\n")[0] in page


def test_the_record_page_has_the_code_tables_of_parser_labels():
    page = BUILD["RECORD_MD"].read_text(encoding="utf-8")
    assert page == BUILD["record_md"](page), (
        "docs/record.md's code tables are out of date: run python docs/build.py"
    )


def test_every_code_and_label_of_parser_labels_is_in_the_record_page():
    page = BUILD["RECORD_MD"].read_text(encoding="utf-8")
    codes = {
        **L.APPLICANT_LABELS,
        **L.APPLICATION_ROW_LABELS,
        **{item: label for item, (label, _) in L.ACTIVE_ITEMS.items()},
        **L.METRIC_LABELS,
        **L.PROCEEDING_LABELS,
        **L.OUTCOME_LABELS,
        **L.RULE_LABELS,
    }
    missing = [code for code in codes if f"`{code}`" not in page]
    missing += [label for label in codes.values() if label not in page]
    assert missing == []
    for template, items in L.ACTIVE_METRICS.items():
        for item, metrics in items.items():
            row = next(line for line in page.splitlines() if line.startswith(f"| `{item}` |"))
            assert all(f"`{m}`" in row for m in metrics), (template, item)
