"""The layout shows the flow: sources -> crawler -> raw store -> parser -> archive -> Datasette.

Read from the source with ``ast`` (nothing is imported): every import, at module level or inside
a function, relative or absolute, and every dotted path written as a string (Scrapy settings,
entry points), must follow the arrows

    crawler -> archive -> parser        datasette -> archive -> parser

and only the command line (govreports.crawler.cli, at the top of the graph) may import
govreports.datasette; nothing imports the command line. The archive's tables are the archive's
own: the crawler and ``govreports serve`` reach them only through ``Archive`` methods, never
with SQL, a database connection or a sqlite-utils table of their own.
"""

import ast
import pathlib
import re

import pytest

from govreports.archive import agencies
from govreports.archive.schema import CODE_TABLES, TABLES

ROOT = pathlib.Path(__file__).resolve().parents[1]
LAYERS = ("parser", "archive", "crawler", "datasette")
# layer -> the layers it may import
ALLOWED = {
    "parser": set(),
    "archive": {"parser"},
    "crawler": {"archive", "parser"},
    "datasette": {"archive", "parser"},
}
CLI = "govreports.crawler.cli"
ENTRY = "govreports.crawler.__main__"  # `python -m govreports.crawler` runs the command line
# Where archive tables may not be touched: everything upstream of the archive, and serve.
NO_ARCHIVE_SQL = ("crawler/", "datasette/serve.py")
ARCHIVE_TABLES = set(TABLES) | set(CODE_TABLES) | set(agencies.TABLES) | {"reports_fts"}
SQL_NAMING_TABLE = re.compile(r"\b(?:from|into|update|join|table|exists)\s+[\[\"`]?(\w+)", re.IGNORECASE)
DB_ATTRIBUTES = {"db", "conn", "connection"}  # Archive.db is the sqlite-utils Database
SQL_CALLS = {"execute", "executemany", "executescript", "query", "table", "rows_where", "count_where"}
DB_LIBRARIES = {"sqlite3", "sqlite_utils", "apsw"}


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["govreports", *parts])


def sources():
    for layer in LAYERS:
        yield from sorted((ROOT / layer).rglob("*.py"))


def imports(tree: ast.AST, module: str, is_package: bool):
    """(line, imported module) for every import in the tree, relative ones made absolute, and
    every string that is a dotted path into govreports."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module
            for alias in node.names:  # a module or a name in one: from govreports import parser
                yield node.lineno, f"{target}.{alias.name}"
        elif isinstance(node, ast.Constant) and re.fullmatch(r"govreports(\.\w+)+", str(node.value)):
            yield node.lineno, node.value


def layer_of(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] == "govreports" and len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return None


def arrows_against_the_flow(path: pathlib.Path, text: str) -> list[str]:
    module = module_name(path)
    layer = layer_of(module)
    tree = ast.parse(text, filename=str(path))
    wrong = []
    for line, name in imports(tree, module, path.name == "__init__.py"):
        where = f"{path.relative_to(ROOT)}:{line}: {module} imports {name}"
        if name.split(".")[0] in ("parser", "archive", "crawler"):
            wrong.append(f"{where} (a top-level name: import it as govreports.{name})")
            continue
        target = layer_of(name)
        if target is None or target == layer:
            if name.startswith(CLI) and module not in (CLI, ENTRY):
                wrong.append(f"{where} (nothing imports the command line)")
            continue
        if name.startswith(CLI):
            wrong.append(f"{where} (nothing imports the command line)")
        elif target == "datasette" and module == CLI:
            continue
        elif target not in ALLOWED[layer]:
            wrong.append(f"{where} ({layer} -> {target} runs against the flow)")
    return wrong


def sql_on_archive_tables(path: pathlib.Path, text: str) -> list[str]:
    """What reaches into the archive's database from outside archive/: a database library, a
    connection or sqlite-utils Database attribute (``archive.db``, ``.conn``), a call that runs
    SQL or opens a table, a ``db[...]`` table, or a string that is SQL naming an archive table."""
    tree = ast.parse(text, filename=str(path))
    wrong = []

    def found(node, what):
        wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if name.split(".")[0] in DB_LIBRARIES:
                    found(node, f"imports {name}")
        elif isinstance(node, ast.Attribute) and node.attr in DB_ATTRIBUTES:
            found(node, f"uses .{node.attr} (the archive's database): ask an Archive method")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in SQL_CALLS:
                found(node, f"calls .{node.func.attr}(): SQL belongs in archive/")
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "db":
            found(node, "indexes db[...]: a table of the archive")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            named = {m.group(1).lower() for m in SQL_NAMING_TABLE.finditer(node.value)}
            tables = sorted(named & ARCHIVE_TABLES)
            if tables and re.search(r"\b(select|insert|update|delete|create|where)\b", node.value, re.I):
                found(node, f"SQL naming the archive table(s) {', '.join(tables)}")
    return wrong


def test_the_layers_are_where_the_guide_says():
    assert [layer for layer in LAYERS if (ROOT / layer).is_dir()] == list(LAYERS)
    assert not (ROOT / "datasette" / "__init__.py").exists(), "a namespace package, or it shadows Datasette"
    assert sum(1 for _ in sources()) > 40, "the check reads the real modules"


def test_no_import_runs_against_the_flow():
    wrong = [w for path in sources() for w in arrows_against_the_flow(path, path.read_text("utf-8"))]
    assert not wrong, "\n".join(wrong)


def test_no_sql_on_archive_tables_outside_the_archive():
    checked = [
        path
        for path in sources()
        if any(str(path.relative_to(ROOT)).startswith(prefix) for prefix in NO_ARCHIVE_SQL)
    ]
    assert len(checked) > 15
    wrong = [w for path in checked for w in sql_on_archive_tables(path, path.read_text("utf-8"))]
    assert not wrong, "\n".join(wrong)


def exits(node) -> bool:
    """``SystemExit``, ``exit``, ``sys.exit`` or ``os._exit``."""
    if isinstance(node, ast.Name):
        return node.id in ("SystemExit", "exit")
    return isinstance(node, ast.Attribute) and ast.unparse(node) in ("sys.exit", "os._exit")


def test_library_code_raises_exceptions_and_leaves_exiting_to_the_command_line():
    wrong = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}"
        for path in sources()
        if module_name(path) not in (CLI, ENTRY)
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if exits(node)
    ]
    assert not wrong, "\n".join(wrong)


# The checks find what they forbid: each snippet below is code this repository once had.


@pytest.mark.parametrize(
    ("path", "code", "says"),
    [
        ("archive/cli.py", "from govreports.crawler.run import crawl", "archive -> crawler"),
        ("archive/cli.py", "def f():\n    from ..crawler import demo", "archive -> crawler"),
        ("parser/html.py", "from ..archive.db import Archive", "parser -> archive"),
        ("datasette/serve.py", "import govreports.crawler.demo", "datasette -> crawler"),
        ("crawler/run.py", "from .. import datasette", "crawler -> datasette"),
        ("crawler/demo.py", "from .cli import cli", "nothing imports the command line"),
        ("archive/db.py", "import parser", "a top-level name"),
        ("parser/x.py", "PIPES = {'govreports.archive.db.Archive': 1}", "parser -> archive"),
    ],
)
def test_an_arrow_against_the_flow_is_found(path, code, says):
    (wrong,) = arrows_against_the_flow(ROOT / path, code)
    assert says in wrong


def test_arrows_with_the_flow_pass():
    assert not arrows_against_the_flow(
        ROOT / "crawler/cli.py", "from govreports.datasette.serve import serve"
    )
    assert not arrows_against_the_flow(ROOT / "crawler/run.py", "from govreports.archive import Archive")
    assert not arrows_against_the_flow(ROOT / "archive/db.py", "from govreports import parser")
    assert not arrows_against_the_flow(ROOT / "crawler/__main__.py", "from .cli import cli")


@pytest.mark.parametrize(
    ("code", "says"),
    [
        # crawler/distributed.py's KnownFetches
        ("import sqlite3\nconn = sqlite3.connect(uri)", "imports sqlite3"),
        (
            'row = self.conn.execute("select etag from documents where url = ?", [url])',
            "uses .conn",
        ),
        # crawler/spiders/reports.py's drawn_by_browser
        ('rows = self.archive.db["documents"].rows_where("url = ?", [url])', "uses .db"),
        # crawler/pipelines.py's parsed
        ('return db["documents"].get(document_id)', "indexes db[...]"),
        # crawler/warc.py's link_document
        ('db.execute("update documents set warc_file = ? where id = ?", [f, i])', "calls .execute()"),
        ('SQL = "SELECT url FROM reports WHERE removed_at IS NULL"', "archive table(s) reports"),
    ],
)
def test_sql_on_an_archive_table_is_found(code, says):
    wrong = sql_on_archive_tables(ROOT / "crawler/x.py", code)
    assert any(says in w for w in wrong), wrong


def test_words_that_are_not_sql_pass():
    code = '"""Reports found on the list pages go into the archive."""\nmessage = "select a source"'
    assert not sql_on_archive_tables(ROOT / "crawler/x.py", code)
