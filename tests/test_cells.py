"""The cells and checks: stored compactly (integer code ids, WITHOUT ROWID), read through views
that give exactly what the parser's record said (archive.cells)."""

import pathlib

import pytest

from govreports import parser
from govreports.archive import Archive
from govreports.archive.cells import VIEWS

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "html"
REPORTS = sorted(FIXTURES.glob("*.html"))


def record_rows(record: dict, view: str) -> list[tuple]:
    """The record's cells (or checks) as the view's rows: (report_id left out) codes, values."""
    _, _, coded, plain = VIEWS[view]
    keys = [key for _, key, _ in coded] + [key for _, key in plain]
    return [tuple(cell.get(key) for key in keys) for cell in record.get(view) or []]


def view_rows(archive: Archive, report_id: int, view: str) -> list[tuple]:
    _, _, coded, plain = VIEWS[view]
    columns = ", ".join(f"[{c}]" for c, _, _ in coded) + ", " + ", ".join(f"[{c}]" for c, _ in plain)
    sql = f"select {columns} from [{view}] where report_id = ?"
    return [tuple(row) for row in archive.db.execute(sql, [report_id])]


def ingest(archive: Archive, path: pathlib.Path) -> tuple[int, dict]:
    body = path.read_bytes()
    fetch = archive.record_fetch(url=f"http://127.0.0.1/{path.name}", content_type="text/html", body=body)
    result = archive.ingest_document(fetch.document_id)
    assert result.status == "new", result
    return result.report_id, parser.parse(body, content_type="text/html", url=f"http://127.0.0.1/{path.name}")


@pytest.mark.parametrize("path", REPORTS, ids=[p.stem for p in REPORTS])
def test_the_views_give_exactly_the_cells_and_checks_of_the_record(tmp_path, path):
    archive = Archive(tmp_path / "a.db")
    report_id, record = ingest(archive, path)
    assert record.get("applications"), "a fixture with an applications table"
    for view in ("active_disclosure", "applications", "review_litigation"):
        # the same cells (values and raw text as printed), one row each
        assert sorted(view_rows(archive, report_id, view), key=repr) == sorted(
            record_rows(record, view), key=repr
        ), view
    # the checks in the parser's order
    assert view_rows(archive, report_id, "checks") == record_rows(record, "checks")


def test_raw_text_is_stored_only_when_it_is_not_the_value_written_out(tmp_path):
    archive = Archive(tmp_path / "a.db")
    report_id, record = ingest(archive, REPORTS[0])
    odd = [
        {"row": "new", "applicant": "natural_person", "value": -47, "raw": "减47"},
        {"row": "new", "applicant": "commercial", "value": None, "raw": "—"},
        {"row": "new", "applicant": "research", "value": None, "raw": None},
        {"row": "new", "applicant": "public_interest", "value": 3, "raw": None},  # a value without its text
        {"row": "new", "applicant": "legal_service", "value": 12, "raw": "12"},
        {"row": "new", "applicant": "other", "value": 1.5, "raw": "1.5"},
        {"row": "new", "applicant": "total", "value": 0, "raw": ""},
    ]
    archive.write_cells(report_id, {**record, "applications": odd})
    assert sorted(view_rows(archive, report_id, "applications"), key=repr) == sorted(
        record_rows({"applications": odd}, "applications"), key=repr
    )
    stored = dict(
        archive.db.execute(
            """select (select code from codes_applicant where id = applicant_id), raw from application_cells
            where report_id = ?""",
            [report_id],
        ).fetchall()
    )
    assert stored["legal_service"] is None and stored["natural_person"] == "减47"  # 12 is "12": not stored
    assert stored["public_interest"] == b""  # NULL raw beside a value: an empty blob, read back as NULL


def test_a_small_archive_stores_its_cells_in_the_compact_tables(tmp_path):
    archive = Archive(tmp_path / "a.db")
    for path in REPORTS:
        ingest(archive, path)
    cells = archive.db.execute("select count(*) from applications").fetchone()[0]
    assert cells > 100 * len(REPORTS)
    kinds = dict(
        archive.db.execute(
            "select name, type from sqlite_master where name in ({})".format(", ".join("?" * 2 * len(VIEWS))),
            [*VIEWS, *(t for t, *_ in VIEWS.values())],
        ).fetchall()
    )
    for view, (table, *_) in VIEWS.items():
        assert kinds[view] == "view" and kinds[table] == "table"
        assert "WITHOUT ROWID" in archive.db[table].schema
    # the bytes of the cells' table per cell (its pages, dbstat), against a row of the old
    # table of text codes (id, report_id, 'denied.state_secret', 'natural_person', value, raw: ~40)
    (size,) = archive.db.execute(
        "select sum(pgsize - unused) from dbstat where name = 'application_cells'"
    ).fetchone()
    assert size / cells < 20
    assert not archive.db.execute(
        "select name from sqlite_master where type = 'index' and tbl_name in ('application_cells', 'active_cells', 'review_cells')"
    ).fetchall(), "the primary key is the only index of the cells"


def test_an_archive_with_plain_cell_tables_is_moved_into_the_compact_ones(tmp_path):
    archive = Archive(tmp_path / "a.db")
    report_id, record = ingest(archive, REPORTS[0])
    before = {view: view_rows(archive, report_id, view) for view in VIEWS}
    db = archive.db
    # the tables as an older archive has them: the public names, text codes, a rowid id
    for view, (table, _, coded, plain) in VIEWS.items():
        columns = [c for c, _, _ in coded] + [c for c, _ in plain]
        names = ", ".join(f"[{c}]" for c in columns)
        db.execute(f"create table old_{view} as select report_id, {names} from [{view}]")
        db.execute(f"drop view [{view}]")
        db.execute(f"create table [{view}] (id integer primary key, report_id integer, {names})")
        db.execute(f"insert into [{view}] (report_id, {names}) select report_id, {names} from old_{view}")
        db.execute(f"drop table old_{view}")
        db.execute(f"delete from [{table}]")
    db.conn.commit()
    archive.db.close()

    moved = Archive(tmp_path / "a.db")
    assert {view: view_rows(moved, report_id, view) for view in VIEWS} == before
    assert (
        moved.db.execute("select type from sqlite_master where name = 'applications'").fetchone()[0] == "view"
    )
