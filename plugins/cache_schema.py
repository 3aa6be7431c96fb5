"""Cache schema introspection for immutable databases.

Datasette 0.65 asks SQLite for a table's columns, keys, foreign keys, label column and full-text
index again on every request (a dozen PRAGMA queries, each a hop to a worker thread); for a
database opened with -i (immutable) the answers can never change, so they are computed once.
This roughly doubles the throughput of every table page and JSON call (see the Performance page).
Written here because no maintained plugin does it for Datasette 0.65.
"""

import copy

from datasette import hookimpl
from datasette.database import Database

INTROSPECTION = (
    "table_exists", "table_names", "table_columns", "table_column_details", "primary_keys", "fts_table",
    "label_column_for_table", "foreign_keys_for_table", "hidden_table_names", "view_names",
    "get_all_foreign_keys", "get_table_definition",
)


def _cached(name, original):
    async def method(self, *args, **kwargs):
        if self.is_mutable:
            return await original(self, *args, **kwargs)
        cache = self.__dict__.setdefault("_immutable_schema_cache", {})
        key = (name, args, tuple(sorted(kwargs.items())))
        if key not in cache:
            cache[key] = await original(self, *args, **kwargs)
        return copy.deepcopy(cache[key])  # callers may modify what they get

    method.__name__ = name
    method._cached_original = original
    return method


@hookimpl
def startup(datasette):
    for name in INTROSPECTION:
        original = getattr(Database, name)
        if not hasattr(original, "_cached_original"):
            setattr(Database, name, _cached(name, original))
