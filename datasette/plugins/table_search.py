"""The reports table's search box (``/<db>/reports?_search=``) at a million reports.

Datasette's own search filter reads every match of the query from the index (``id in (select
rowid ...)``), sorts them in the page's order and counts them: for a word in every report (复议,
不掌握) that is a million rows before the first page, seconds, and the 5 s limit for some. This
filter, for the reports table, first asks how common the query is (archive.search.table_search,
at most RANKED + 1 matches read) and writes the filter accordingly (archive.search.TableSearch):
a rare query's matches are read once, here, and handed to the page's queries (its rows, count
and facets) as a parameter, instead of each searching again; a common one tests the rows the page
reads, in the page's order, one by one, and the page leaves the count out (``_nocount``, said in
the page's description: "more than 2,000 reports"). A search shows search.PAGE reports a page,
each with its passage, unless ``_size`` says otherwise. The reports table's metadata names no
``fts_table``, so that Datasette's own filter stays out of it; the search box is shown all the same.
"""

import re
import urllib.parse

from datasette import hookimpl
from datasette.filters import FilterArguments

from govreports.archive.search import PAGE, RANKED, TABLE_SEARCH_SCOPE, searches_in, table_search

TABLE = "reports"
# the reports table's pages: HTML, .json, .csv (Datasette's table route, without the database's own pages)
TABLE_PATH = re.compile(rf"^/(?P<database>[^/]+)/{TABLE}(\.\w+)?$")


async def search_of(datasette, database: str, searches: dict):
    db = datasette.get_database(database)
    return await db.execute_fn(lambda conn: table_search(conn, searches))


@hookimpl
def asgi_wrapper(datasette):
    """Works out how common a reports-table search is before Datasette's table view runs, and for a
    common one asks that view not to count its matches (``_nocount=1``)."""

    def wrap(app):
        async def with_search(scope, receive, send):
            found = TABLE_PATH.match(scope.get("path", "")) if scope.get("type") == "http" else None
            if found and found.group("database") in datasette.databases:
                query_string = scope.get("query_string", b"").decode("utf-8", "replace")
                args = {name: values[0] for name, values in urllib.parse.parse_qs(query_string).items()}
                searches = searches_in(args)
                if searches and await table_exists(datasette, found.group("database")):
                    answer = await search_of(datasette, found.group("database"), searches)
                    scope = {**scope, TABLE_SEARCH_SCOPE: answer}
                    added = {"_size": PAGE} if "_size" not in args else {}
                    if answer.common and "_nocount" not in args:
                        added["_nocount"] = 1
                    if added:
                        scope["query_string"] += b"&" + urllib.parse.urlencode(added).encode()
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
        searches = searches_in(request.args)
        context = {"supports_search": True, "search": request.args.get("_search") or ""}
        if not searches:
            return FilterArguments([], extra_context=context)
        answer = request.scope.get(TABLE_SEARCH_SCOPE) or await search_of(datasette, database, searches)
        said = [
            f'search matches "{query}"' if column is None else f'{column} search matches "{query}"'
            for column, query in searches.items()
        ]
        if answer.common:
            said[-1] += f" (more than {RANKED:,} reports)"
        return FilterArguments([answer.where], answer.params, said, context)

    return inner
