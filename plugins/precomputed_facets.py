"""Answer Datasette's facet query over a whole table from the counts the build computed.

A facet on an unfiltered table is a GROUP BY over every row on every page view: at a million
follower counts, hundreds of milliseconds each time. The database is immutable, so the build
counts each facet once into the table facet_counts (listed in ots_data/catalog/catalog.yml).
This plugin recognises Datasette 0.65's facet query when, and only when, it runs over a whole
table with no filter, search or parameter, for a column that has precomputed counts in an
immutable database, and answers it from facet_counts with the same columns and order. Anything
else (a filtered page, a mutable database, another query) runs as usual. No maintained plugin
does this; tests/test_precomputed_facets.py checks the answers against Datasette's own.
"""

import re
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl
from datasette.app import Datasette
from datasette.database import Database
from datasette.utils import escape_sqlite

TABLE = "facet_counts"
# Datasette 0.65's ColumnFacet query (datasette/facets.py), whitespace collapsed. The match only
# finds the names; the query must then equal the one Datasette writes for the whole table.
FACET_QUERY = re.compile(
    r"select (?P<column>\S+) as value, count\(\*\) as count from \( select .* from (?P<table>\S+) \) "
    r"where (?P=column) is not null group by (?P=column) order by count desc, value limit (?P<limit>[0-9]+)"
)
ANSWER = (
    f"select value, row_count as count from {TABLE} where table_name = :table and column_name = :column "
    "order by row_count desc, value limit :limit"
)


def _name(escaped: str) -> str:
    return escaped[1:-1] if escaped.startswith("[") and escaped.endswith("]") else escaped


async def _precomputed(db: Database) -> set[tuple[str, str]]:
    """The (table, column) pairs with counts in this database (read once: it never changes)."""
    if "_precomputed_facets" not in db.__dict__:
        pairs = set()
        if await db.table_exists(TABLE):
            rows = await db.execute(f"select distinct table_name, column_name from {TABLE}")
            pairs = {(row[0], row[1]) for row in rows}
        db.__dict__["_precomputed_facets"] = pairs
    return db.__dict__["_precomputed_facets"]


async def _whole_table_facet(db: Database, sql: str, params: Any) -> dict | None:
    """The parameters of the facet_counts lookup if `sql` is a facet over a whole table whose
    counts are precomputed, else None."""
    if db.is_mutable or params:
        return None
    query = " ".join(sql.split())
    match = FACET_QUERY.fullmatch(query)
    if not match:
        return None
    table, column = _name(match["table"]), _name(match["column"])
    if (table, column) not in await _precomputed(db):
        return None
    columns = ", ".join(escape_sqlite(c) for c in await db.table_columns(table))
    col = escape_sqlite(column)
    whole_table = (
        f"select {col} as value, count(*) as count from ( select {columns} from {escape_sqlite(table)} ) "
        f"where {col} is not null group by {col} order by count desc, value limit {match['limit']}"
    )
    if query != whole_table:
        return None
    return {"table": table, "column": column, "limit": int(match["limit"])}


def _answering_facets(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def execute(self: Datasette, db_name: str, sql: str, params: Any = None, **kwargs: Any) -> Any:
        lookup = await _whole_table_facet(self.databases[db_name], sql, params)
        if lookup is None:
            return await original(self, db_name, sql, params, **kwargs)
        return await original(self, db_name, ANSWER, lookup, **kwargs)

    execute._answering_facets = original
    return execute


@hookimpl
def startup(datasette: Datasette) -> None:
    if not hasattr(Datasette.execute, "_answering_facets"):
        Datasette.execute = _answering_facets(Datasette.execute)
