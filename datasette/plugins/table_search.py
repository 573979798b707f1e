"""The reports table's search box (``/<db>/reports?_search=``) at a million reports.

Datasette's own search filter reads every match of the query from the index (``id in (select
rowid ...)``), sorts them in the page's order and counts them: for a word in every report (复议,
不掌握) that is a million rows before the first page, seconds, and the 5 s limit for some. This
filter, for the reports table, first asks how common the query is (archive.search.table_search,
at most RANKED + 1 matches read) and writes the filter accordingly (archive.search.TABLE_SEARCH):
a rare query the way Datasette does; a common one tests the rows the page reads, in the page's
order, one by one, and the page leaves the count out (``_nocount``, said in the page's
description: "more than 2,000 reports"). The reports table's metadata names no ``fts_table``, so
that Datasette's own filter stays out of it; the search box is shown all the same.
"""

import re
import urllib.parse

from datasette import hookimpl
from datasette.filters import FilterArguments

from govreports.archive.search import RANKED, TABLE_SEARCH, TABLE_SEARCH_SCOPE, table_search

TABLE = "reports"
# the reports table's pages: HTML, .json, .csv (Datasette's table route, without the database's own pages)
TABLE_PATH = re.compile(rf"^/(?P<database>[^/]+)/{TABLE}(\.\w+)?$")


async def search_of(datasette, database: str, query: str) -> tuple[str, dict]:
    db = datasette.get_database(database)
    return await db.execute_fn(lambda conn: table_search(conn, query))


@hookimpl
def asgi_wrapper(datasette):
    """Works out how common a reports-table search is before Datasette's table view runs, and for a
    common one asks that view not to count its matches (``_nocount=1``)."""

    def wrap(app):
        async def with_search(scope, receive, send):
            found = TABLE_PATH.match(scope.get("path", "")) if scope.get("type") == "http" else None
            if found and found.group("database") in datasette.databases:
                args = urllib.parse.parse_qs(scope.get("query_string", b"").decode("utf-8", "replace"))
                query = (args.get("_search") or [""])[0]
                if query.strip() and await table_exists(datasette, found.group("database")):
                    kind = await search_of(datasette, found.group("database"), query)
                    scope = {**scope, TABLE_SEARCH_SCOPE: kind}
                    if kind[0] != "few" and "_nocount" not in args:
                        scope["query_string"] = scope["query_string"] + b"&_nocount=1"
            await app(scope, receive, send)

        return with_search

    return wrap


async def table_exists(datasette, database: str) -> bool:
    return await datasette.get_database(database).table_exists(TABLE)


@hookimpl(trylast=True)  # after Datasette's own search filter, whose "no search here" this replaces
def filters_from_request(request, database, table, datasette):
    if table != TABLE:
        return None

    async def inner():
        query = (request.args.get("_search") or "").strip()
        context = {"supports_search": True}
        if not query:
            return FilterArguments([], extra_context=context)
        kind, params = request.scope.get(TABLE_SEARCH_SCOPE) or await search_of(
            datasette, database, request.args["_search"]
        )
        said = f'search matches "{query}"'
        if kind != "few":
            said += f" (more than {RANKED:,} reports)"
        return FilterArguments(
            [TABLE_SEARCH[kind]],
            {"search": request.args["_search"], **params},
            [said],
            {**context, "search": request.args["_search"]},
        )

    return inner
