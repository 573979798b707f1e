"""The synthetic national archive of the Datasette benchmark (benchmarks/national.py), built small:
a whole SQLite file whose views, search index and derived tables read like an ingested archive."""

import importlib.util
import pathlib
import sqlite3

from govreports.archive import Archive
from govreports.archive.search import search

# loaded from its file: benchmarks/ on sys.path would put benchmarks/datasette.py before Datasette
_spec = importlib.util.spec_from_file_location(
    "national", pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "national.py"
)
national = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(national)
build, seed_record = national.build, national.seed_record

REPORTS = 120


def test_the_builder_leaves_a_whole_file_with_every_report_s_cells_checks_and_index(tmp_path):
    path = tmp_path / "national.db"
    build(path, REPORTS, echo=lambda *args, **kwargs: None)
    conn = sqlite3.connect(path)
    # a whole file: the build runs with the journal off, where a rollback cannot be undone
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    record = seed_record()
    for view in ("applications", "active_disclosure", "review_litigation", "checks"):
        per_report = conn.execute(f"select count(*) from [{view}] group by report_id").fetchall()
        assert per_report == [(len(record[view]),)] * REPORTS, view
    failing = conn.execute("select count(*) from reports where check_failures > 0").fetchone()[0]
    failed = conn.execute("select count(distinct report_id) from checks where passed = 0").fetchone()[0]
    assert failed == failing
    conn.close()
    archive = Archive(path)
    # the search index holds every report: a word of the form is in all, an agency in its own
    assert len(search(archive.db, "复议", limit=REPORTS + 1)) == REPORTS
    agency = archive.db.execute("select agency from reports where id = 7").fetchone()[0]
    assert 7 in {row["id"] for row in search(archive.db, agency)}
    # the derived tables were filled by the code ingest runs: the default page's counts are live ones
    live = dict(archive.db.execute("select province, count(*) from reports group by province").fetchall())
    counted = dict(
        archive.db.execute(
            "select value, sum(reports) from facet_counts where facet = 'province' group by value"
        ).fetchall()
    )
    assert counted == live
    archive.close()
