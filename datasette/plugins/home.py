"""The home page (``/``): the archive's totals and ways in (templates/index.html), and each
database's largest tables.

Datasette's own index view reads the columns, primary keys, search table and both permissions of
every table on every request: about 200 queries for the archive's 40 tables, 70-90 ms of a page
whose figures are counted ahead. This one asks for the names once per database and for the
permissions of the tables it shows. ``/.json`` is still Datasette's.
"""

import hashlib

from datasette import hookimpl
from datasette.utils.asgi import Response

# as Datasette's index view: tables listed per database; a mutable database larger than this is not counted
from datasette.views.index import COUNT_DB_SIZE_LIMIT, TRUNCATE_AT


@hookimpl
def register_routes():
    return [(r"^/$", home)]


async def home(request, datasette):
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    databases = []
    for name, db in datasette.databases.items():
        visible, private = await datasette.check_visibility(request.actor, "view-database", name)
        if visible:
            databases.append(
                {"name": name, "private": private, **await largest_tables(datasette, request, db)}
            )
    context = {
        "databases": databases,
        "metadata": datasette.metadata(),
        "private": not await datasette.permission_allowed(None, "view-instance", default=True),
    }
    return Response.html(
        await datasette.render_template(["index.html"], context, request=request, view_name="index")
    )


async def largest_tables(datasette, request, db) -> dict:
    """The first TRUNCATE_AT tables and views of ``db`` the actor may see, largest first (by the counts
    Datasette keeps for an immutable database, or counts it may take on a small one)."""
    hidden = set(await db.hidden_table_names())
    names = [t for t in await db.table_names() if t not in hidden] + await db.view_names()
    counts = await db.table_counts(10) if not db.is_mutable or db.size < COUNT_DB_SIZE_LIMIT else {}
    shown = []
    for table in sorted(names, key=lambda t: (counts.get(t) or 0, t), reverse=True):
        visible, private = await datasette.check_visibility(request.actor, "view-table", (db.name, table))
        if visible:
            shown.append({"name": table, "count": counts.get(table), "private": private})
        if len(shown) == TRUNCATE_AT:
            break
    return {
        "color": (db.hash or hashlib.md5(db.name.encode("utf8")).hexdigest())[:6],
        "tables_and_views_truncated": shown,
        "tables_and_views_more": len(names) > len(shown),
    }
