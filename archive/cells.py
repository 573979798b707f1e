"""The cells and checks of every report, stored compactly and read through views of the public shape.

About 200 cells and 40 checks per report make these the archive's biggest tables (200M cells
at national scale). Each is stored as a WITHOUT ROWID table keyed by the report and small
integer ids into the code tables (``codes_applicant.id`` ...), with foreign keys declared so that
Datasette shows each id's label::

    application_cells(report_id, row_id, applicant_id, value, raw)  PRIMARY KEY (report_id, row_id, applicant_id)

and read under the names and columns they always had, as views (``applications``: report_id,
row, applicant, value, raw), which is what journalists' SQL, the canned queries, the summaries
(archive.derived) and the export read. A view's codes are scalar subqueries on the code tables'
``id`` (not joins), so the view flattens into any query, a LEFT JOIN too, and a lookup by
report reads the primary key.

``raw`` (the cell as printed) is stored only when it is not the value written out: NULL means
``cast(value as text)`` (a cell printed ``12`` whose value is 12, most of them), an empty blob a
raw text of NULL beside a value; the view gives back what the parser said.

A code's ``id`` is given once, when the code first enters its table (a trigger: the next
integer), and never changes, so the ids stored in the cells keep their meaning whatever the
labels' order becomes.
"""

import sqlite_utils

# view -> (table, sequence column or None, [(view column, record key, code table)], [(view column,
# record key)]): the coded columns become <column>_id in the table, the others are stored as they are
VIEWS = {
    "active_disclosure": (
        "active_cells",
        None,
        [("item", "item", "codes_item"), ("metric", "metric", "codes_metric")],
        [("value", "value"), ("raw", "raw")],
    ),
    "applications": (
        "application_cells",
        None,
        [("row", "row", "codes_application_row"), ("applicant", "applicant", "codes_applicant")],
        [("value", "value"), ("raw", "raw")],
    ),
    "review_litigation": (
        "review_cells",
        None,
        [("proceeding", "proceeding", "codes_proceeding"), ("outcome", "outcome", "codes_outcome")],
        [("value", "value"), ("raw", "raw")],
    ),
    # a report's checks in the parser's order (seq), several may have the same codes
    "checks": (
        "check_results",
        "seq",
        [
            ("rule", "rule", "codes_rule"),
            ("row", "row", "codes_application_row"),
            ("applicant", "column", "codes_applicant"),
            ("proceeding", "proceeding", "codes_proceeding"),
        ],
        [("passed", "passed"), ("expected", "expected"), ("found", "found")],
    ),
}
TYPES = {"raw": "TEXT"}  # every other stored column is an INTEGER
# raw as stored (see the module docstring) and as read back
STORE_RAW = (
    "case when {p}raw is null then case when {p}value is null then null else x'' end "
    "when typeof({p}value) = 'integer' and {p}raw = cast({p}value as text) then null else {p}raw end"
)
READ_RAW = (
    "case when c.raw is null then cast(c.value as text) when typeof(c.raw) = 'blob' then null else c.raw end"
)
# the one index beside the primary keys: the failed checks, which summaries look up across reports
PARTIAL_INDEXES = {"check_results_failed": ("check_results", "rule_id, report_id", "passed = 0")}


def code_tables() -> set[str]:
    return {code for _, _, coded, _ in VIEWS.values() for _, _, code in coded}


def table_sql(view: str) -> str:
    table, seq, coded, plain = VIEWS[view]
    columns = ["report_id INTEGER NOT NULL REFERENCES reports(id)"]
    key = ["report_id"]
    if seq:
        columns.append(f"{seq} INTEGER NOT NULL")
        key.append(seq)
    for column, _, code in coded:
        not_null = "" if seq and column != "rule" else " NOT NULL"
        columns.append(f"[{column}_id] INTEGER{not_null} REFERENCES [{code}](id)")
        if not seq:
            key.append(f"[{column}_id]")
    columns += [f"[{column}] {TYPES.get(column, 'INTEGER')}" for column, _ in plain]
    return f"CREATE TABLE [{table}] (\n  {', '.join(columns)},\n  PRIMARY KEY ({', '.join(key)})\n) WITHOUT ROWID"


def view_sql(view: str) -> str:
    table, _, coded, plain = VIEWS[view]
    columns = ["c.report_id"]
    columns += [
        f"(select code from [{code}] where id = c.[{column}_id]) as [{column}]" for column, _, code in coded
    ]
    columns += [f"{READ_RAW} as raw" if column == "raw" else f"c.[{column}]" for column, _ in plain]
    return f"CREATE VIEW [{view}] AS select {', '.join(columns)} from [{table}] c"


def insert_sql(view: str, p: str = ":") -> str:
    """INSERT of one row into the view's table, from named parameters (``p`` ":"; "new." in a
    trigger): report_id, the view's columns (codes, looked up), ``seq`` for checks (in a trigger:
    after the report's others)."""
    table, seq, coded, plain = VIEWS[view]
    names = [
        "report_id",
        *([seq] if seq else []),
        *(f"[{c}_id]" for c, _, _ in coded),
        *(f"[{c}]" for c, _ in plain),
    ]

    def ref(column):
        return f":{column}" if p == ":" else f"{p}[{column}]"

    values = [ref("report_id")]
    if seq:
        values.append(
            f":{seq}"
            if p == ":"
            else f"(select coalesce(max({seq}), -1) + 1 from [{table}] where report_id = {ref('report_id')})"
        )
    values += [f"(select id from [{code}] where code = {ref(column)})" for column, _, code in coded]
    values += [STORE_RAW.format(p=p) if column == "raw" else ref(column) for column, _ in plain]
    # a record that gives one cell twice keeps the last, as the parser's own checks read it
    return f"INSERT OR REPLACE INTO [{table}] ({', '.join(names)}) VALUES ({', '.join(values)})"


def trigger_sql(view: str) -> dict[str, str]:
    """INSTEAD OF triggers that make the view writable like the table it replaced (a row is
    found by its report and codes; a check by all its columns)."""
    table, seq, coded, plain = VIEWS[view]
    same = ["report_id = old.report_id"]
    same += [f"[{c}_id] is (select id from [{code}] where code = old.[{c}])" for c, _, code in coded]
    if seq:
        same += [f"[{c}] is old.[{c}]" for c, _ in plain]
    delete = f"DELETE FROM [{table}] WHERE {' and '.join(same)};"
    insert = insert_sql(view, "new.") + ";"
    return {
        f"{view}_insert": f"INSTEAD OF INSERT ON [{view}] BEGIN {insert} END",
        f"{view}_delete": f"INSTEAD OF DELETE ON [{view}] BEGIN {delete} END",
        f"{view}_update": f"INSTEAD OF UPDATE ON [{view}] BEGIN {delete} {insert} END",
    }


def ensure(db: sqlite_utils.Database) -> None:
    """Code ids, the compact tables and their views (an archive whose cells are in plain tables
    of the public names has them moved into the compact ones). Idempotent."""
    for code in sorted(code_tables()):
        if "id" not in db[code].columns_dict:
            db.execute(f"alter table [{code}] add column id INTEGER")
            db.execute(
                f"update [{code}] set id = (select count(*) from [{code}] o where o.rowid <= [{code}].rowid)"
            )
        db.execute(f"create unique index if not exists [{code}_id] on [{code}](id)")
        db.execute(
            f"""create trigger if not exists [{code}_new_id] after insert on [{code}] when new.id is null
            begin update [{code}] set id = (select coalesce(max(id), 0) + 1 from [{code}]) where code = new.code; end"""
        )
    for view, (table, *_rest) in VIEWS.items():
        if not db[table].exists():
            db.execute(table_sql(view))
        kind = db.execute("select type from sqlite_master where name = ?", [view]).fetchone()
        if kind and kind[0] == "table":
            _move_into(db, view)
        if not kind or kind[0] == "table":
            db.execute(view_sql(view))
            for name, body in trigger_sql(view).items():
                db.execute(f"CREATE TRIGGER [{name}] {body}")
    for name, (table, columns, where) in PARTIAL_INDEXES.items():
        db.execute(f"create index if not exists [{name}] on [{table}]({columns}) where {where}")


def _move_into(db: sqlite_utils.Database, view: str) -> None:
    """Copy a plain table of the public shape (an older archive) into the compact one, drop it."""
    table, seq, coded, plain = VIEWS[view]
    old = {column for column in db[view].columns_dict}
    picked = {column: f"o.[{column}]" if column in old else "null" for column, _, _ in coded}
    picked |= {column: f"o.[{column}]" if column in old else "null" for column, _ in plain}
    numbered = f", row_number() over (partition by o.report_id order by o.id) - 1 as {seq}" if seq else ""
    rows = db.execute(
        f"select o.report_id{numbered}, {', '.join(f'{v} as [{k}]' for k, v in picked.items())} "
        f"from [{view}] o order by o.report_id, o.id"
    )
    names = [d[0] for d in rows.description]
    db.conn.executemany(insert_sql(view), (dict(zip(names, row, strict=True)) for row in rows))
    db.execute(f"drop table [{view}]")


def write(db: sqlite_utils.Database, report_id: int, record: dict) -> None:
    """Replace the report's cells and checks with the record's (codes already in the code
    tables: schema.ensure_codes)."""
    for view, (table, seq, coded, plain) in VIEWS.items():
        db.execute(f"delete from [{table}] where report_id = ?", [report_id])
        keys = [(column, key) for column, key, _ in coded] + plain
        rows = [
            {
                "report_id": report_id,
                **({seq: i} if seq else {}),
                **{column: cell.get(key) for column, key in keys},
            }
            for i, cell in enumerate(record.get(view) or [])
        ]
        if rows:
            db.conn.executemany(insert_sql(view), rows)
