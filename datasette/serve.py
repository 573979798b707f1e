"""``govreports serve``: Datasette over the archive, read-only, with the project's metadata.

The metadata lives in datasette/metadata.yaml (package govreports.datasette, beside this
module), under the database name ``govreports``. Datasette names a
database after its file (reports.db -> ``reports``), so the metadata is written out for the real
name before Datasette starts. The database is opened immutable, with a SQL time limit and a cap on
returned rows. The Chinese search functions come in through the plugin entry point
(archive.search). When the archive's derived tables are current, the reports table's row count
is handed to Datasette as inspect data (no count of a million rows at start or on page load).
"""

import json
import os
import pathlib
import tempfile

import yaml

from govreports.archive import derived
from govreports.archive.search import CANNED_SEARCH_SQL

# The site folder (package govreports.datasette), wherever it is installed. It is a namespace
# package: datasette/ has no __init__.py, so that a checkout on sys.path never shadows the
# Datasette library; importlib.resources cannot open a namespace package under an editable
# install, so the folder is this module's own.
DATASETTE_DIR = pathlib.Path(__file__).resolve().parent
METADATA = DATASETTE_DIR / "metadata.yaml"
METADATA_DB_NAME = "govreports"
SETTINGS = {
    "sql_time_limit_ms": 5000,
    "max_returned_rows": 2000,
    "facet_time_limit_ms": 1000,
    "truncate_cells_html": 300,
    "suggest_facets": False,  # the metadata names the facets; suggesting more scans every column (seconds on 200k reports)
}


def metadata(db_name: str) -> dict:
    """datasette/metadata.yaml for the database ``db_name``: its database section under that
    name, the database named in every dashboard chart and query-backed filter (datasette-dashboards
    needs it there), and the canned search query's SQL from archive.search."""
    data = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    databases = data.get("databases") or {}
    if METADATA_DB_NAME in databases:
        databases[db_name] = databases.pop(METADATA_DB_NAME)
    queries = (databases.get(db_name) or {}).get("queries") or {}
    if "search" in queries:
        queries["search"]["sql"] = CANNED_SEARCH_SQL
    for board in ((data.get("plugins") or {}).get("datasette-dashboards") or {}).values():
        for chart in (board.get("charts") or {}).values():
            chart["db"] = db_name
        for query_filter in (board.get("filters") or {}).values():
            if "query" in query_filter:
                query_filter["db"] = db_name
    return data


def inspect_data(db: str | os.PathLike) -> dict | None:
    """What ``datasette --inspect-file`` takes, for the reports and coverage tables: their row
    counts as the derived tables know them (archive.derived.current_counts), so that neither
    their pages nor Datasette's start counts a million rows. None when there is no such count."""
    path = pathlib.Path(db)
    if not path.is_file():
        return None
    counts = derived.current_counts(path)
    if not counts:
        return None
    tables = {table: {"count": count} for table, count in counts.items()}
    return {path.stem: {"hash": None, "size": path.stat().st_size, "file": path.name, "tables": tables}}


def datasette_args(
    db: str | os.PathLike, host: str = "127.0.0.1", port: int = 8001, workdir: str | os.PathLike | None = None
) -> list[str]:
    """The arguments of ``datasette`` (after the program name) that serve ``db`` the project's way.

    Writes the metadata for this database into ``workdir`` (a new temporary folder by default)."""
    workdir = pathlib.Path(workdir or tempfile.mkdtemp(prefix="govreports-datasette-"))
    meta = workdir / "metadata.json"
    meta.write_text(json.dumps(metadata(pathlib.Path(db).stem), ensure_ascii=False), encoding="utf-8")
    args = ["serve", "--immutable", os.fspath(db), "--metadata", os.fspath(meta)]
    inspected = inspect_data(db)
    if inspected:
        (workdir / "inspect-data.json").write_text(json.dumps(inspected), encoding="utf-8")
        args += ["--inspect-file", os.fspath(workdir / "inspect-data.json")]
    args += ["--host", host, "--port", str(port)]
    for flag, folder in (("--template-dir", "templates"), ("--plugins-dir", "plugins")):
        if (DATASETTE_DIR / folder).is_dir():
            args += [flag, os.fspath(DATASETTE_DIR / folder)]
    if (DATASETTE_DIR / "static").is_dir():  # the site's stylesheet (datasette/plugins/govreports_site.py)
        args += ["--static", f"govreports-static:{DATASETTE_DIR / 'static'}"]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value)]
    return args


def serve(db: str | os.PathLike, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Run Datasette in this process until interrupted (port 0: any free port)."""
    from datasette.cli import cli as datasette_cli

    datasette_cli.main(args=datasette_args(db, host, port), prog_name="datasette")
