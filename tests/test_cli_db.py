"""Every command that reads or writes an archive takes its path the same way: first, positional,
as datasette and sqlite-utils do (`govreports crawl reports.db`). None falls back on a default
file; only the demo builds one of its own."""

import sqlite3

import click
from click.testing import CliRunner

from govreports.crawler.cli import cli

ARCHIVE_COMMANDS = {"ingest", "crawl", "ingest-queue", "serve", "reparse", "refresh", "demo"}


def test_every_archive_command_takes_the_db_path_first():
    commands = {name: command for name, command in cli.commands.items() if name != "parse"}
    assert set(commands) == ARCHIVE_COMMANDS
    for name, command in commands.items():
        first = command.params[0]
        assert isinstance(first, click.Argument) and first.name == "db", name
        assert not any(p.name == "db" for p in command.params[1:]), f"{name}: one way to name the DB"
        if name == "demo":
            assert first.default == "demo-output/demo.db" and not first.required
        else:
            assert first.required, f"{name}: no default file"


def test_a_command_without_its_db_stops_and_says_so(tmp_path):
    for args in (["crawl"], ["reparse"], ["refresh"], ["ingest-queue", "--redis", "redis://127.0.0.1:9/0"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and "Missing argument 'DB'" in result.output, args


def test_a_file_that_is_not_an_sqlite_database_is_not_taken_for_the_archive(tmp_path):
    report = tmp_path / "report.html"
    report.write_text("<html>年度报告</html>", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(report), str(report)])
    assert result.exit_code == 2
    assert f"{report} is not an SQLite database" in result.output
    assert report.read_text(encoding="utf-8") == "<html>年度报告</html>"

    db = tmp_path / "reports.db"
    sqlite3.connect(db).close()  # an empty file: an archive still to be created
    result = CliRunner().invoke(cli, ["ingest", str(db), str(report)])
    assert result.exit_code == 0, result.output
    assert "1 files: 0 new" in result.output
