"""Facet counts computed ahead: how many rows of a page's table have each value of each facet,
split by the filters a reader sets most (the *dimensions*), so that the page sums a few thousand
rows instead of grouping a million.

A counts table has the columns ``facet, value, <dimensions>, <count>``. It is filled from a
*source*: rows of the dimensions, the facet columns and a count ``n`` (a group of the table's
rows, or a signed group of rows changed: -n for rows gone, +n for rows added). :func:`insert`
counts a source into a table; :func:`add` moves a counts table by a table of signed counts, so
that a refresh redoes only what changed. archive.derived keeps the reports page's counts,
archive.agencies the coverage page's.
"""


def create(db, table: str, dimensions, count: str) -> None:
    """The counts table and its index (idempotent)."""
    dims = ", ".join(f"[{d}]" for d in dimensions)
    db.execute(
        f"create table if not exists [{table}] (facet text not null, value, {dims}, [{count}] integer not null)"
    )
    db.execute(f"create index if not exists [{table}_facet] on [{table}](facet, {dims})")


def insert(db, source: str, target: str, facets: dict, dimensions, count: str) -> None:
    """Insert into ``target`` the counts of every facet over ``source``. ``facets``: name ->
    ``column`` (a column of the source), ``array`` (a JSON array column: each element counts) or
    the name of a dimension whose value is the facet's (a yes/no facet that is a filter too)."""
    dims = ", ".join(f"[{d}]" for d in dimensions)
    for facet, kind in facets.items():
        if kind == "column":
            value, rows = f"[{facet}]", source
        elif kind == "array":
            value, rows = "j.value", f"{source}, json_each({source}.[{facet}]) j"
        else:
            value, rows = f"[{kind}]", source
        db.execute(
            f"""insert into {target} (facet, value, {dims}, [{count}])
            select ?, {value}, {dims}, sum(n) from {rows}
            where {value} is not null group by {value}, {dims}""",
            [facet],
        )


def add(db, target: str, delta: str, dimensions, count: str) -> None:
    """Add the signed counts of ``delta`` (a counts table, one row per facet, value and
    dimensions) to ``target``; rows whose count falls to 0 are deleted."""
    same = " and ".join(
        ["t.facet = d.facet", "t.value is d.value", *(f"t.[{x}] is d.[{x}]" for x in dimensions)]
    )
    db.execute(
        f"update [{target}] as t set [{count}] = t.[{count}] + d.[{count}] from {delta} d where {same}"
    )
    db.execute(
        f"""insert into [{target}] select * from {delta} d where d.[{count}] != 0
        and not exists (select 1 from [{target}] t where {same})"""
    )
    db.execute(f"delete from [{target}] where [{count}] = 0")


def read(conn, table: str, count: str, facet: str, filters: dict, limit: int) -> list[tuple]:
    """[(value, count)] of a facet under ``filters`` (dimension -> value), largest first, as
    Datasette's own facets order them; at most ``limit`` rows."""
    where = "".join(f" and [{column}] = ?" for column in filters)
    sql = f"""select value, sum([{count}]) as count from [{table}] where facet = ?{where}
        group by value order by count desc, value limit ?"""
    return conn.execute(sql, [facet, *filters.values(), limit]).fetchall()
