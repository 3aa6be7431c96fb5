"""Cache schema introspection and anonymous permission checks for immutable databases.

Datasette 0.65 asks SQLite for a table's columns, keys, foreign keys, label column and full-text
index again on every request (a dozen PRAGMA queries, each a hop to a worker thread), and before
every request it refreshes its catalogue of every database's schema (a query and a PRAGMA
schema_version per database, more hops); for a database opened with -i (immutable) the answers can
never change, so they are computed once. This roughly doubles the throughput of every table page
and JSON call (see the Performance page).
Written here because no maintained plugin does it for Datasette 0.65.
"""

import copy
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl
from datasette.app import Datasette
from datasette.database import Database

INTROSPECTION = (
    "table_exists",
    "table_names",
    "table_columns",
    "table_column_details",
    "primary_keys",
    "fts_table",
    "label_column_for_table",
    "foreign_keys_for_table",
    "hidden_table_names",
    "view_names",
    "get_all_foreign_keys",
    "get_table_definition",
)


_ATOMIC = (str, int, float, bool, bytes, type(None))


def _fresh(value: Any) -> Any:
    """A copy a caller may modify without changing the cached value: what deepcopy returns, built
    faster for the lists, dicts and named tuples of plain values that introspection answers are."""
    if isinstance(value, _ATOMIC):
        return value
    if type(value) is list:
        return [_fresh(v) for v in value]
    if type(value) is dict:
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, tuple) and all(isinstance(v, _ATOMIC) for v in value):
        return value  # immutable all the way down
    return copy.deepcopy(value)


def _cached(name: str, original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def method(self: Database, *args: Any, **kwargs: Any) -> Any:
        if self.is_mutable:
            return await original(self, *args, **kwargs)
        cache = self.__dict__.setdefault("_immutable_schema_cache", {})
        key = (name, args, tuple(sorted(kwargs.items())))
        if key not in cache:
            cache[key] = await original(self, *args, **kwargs)
        return _fresh(cache[key])  # callers may modify what they get

    method.__name__ = name
    method._cached_original = original
    return method


@hookimpl
def startup(datasette: Datasette) -> None:
    for name in INTROSPECTION:
        original = getattr(Database, name)
        if not hasattr(original, "_cached_original"):
            setattr(Database, name, _cached(name, original))


# The schema catalogue: Datasette 0.65 calls refresh_schemas() before every request. Once a refresh
# has completed while every database (but Datasette's own in-memory _internal) was immutable, a
# refresh for the same databases finds nothing new and is skipped; a mutable database, or any
# database added or removed since, makes every request refresh again as without this plugin.
def _served_databases(datasette: Datasette) -> tuple | None:
    """The databases being served, as (name, id) pairs; None when any of them is mutable."""
    served = [(name, db) for name, db in datasette.databases.items() if name != "_internal"]
    if any(db.is_mutable for _, db in served):
        return None
    return tuple((name, id(db)) for name, db in served)


def _refresh_unless_done(original: Callable[[Datasette], Awaitable[None]]) -> Callable[[Datasette], Awaitable[None]]:
    async def refresh_schemas(self: Datasette) -> None:
        served = _served_databases(self)
        if served is None or self.__dict__.get("_schemas_refreshed_for") != served:
            await original(self)

    refresh_schemas._cached_original = original
    return refresh_schemas


def _remember_refresh(original: Callable[[Datasette], Awaitable[None]]) -> Callable[[Datasette], Awaitable[None]]:
    async def _refresh_schemas(self: Datasette) -> None:
        served = _served_databases(self)  # before: a database added meanwhile is refreshed next time
        await original(self)
        self._schemas_refreshed_for = served

    _refresh_schemas._cached_original = original
    return _refresh_schemas


@hookimpl(specname="startup")
def cache_schema_refresh(datasette: Datasette) -> None:
    if not hasattr(Datasette.refresh_schemas, "_cached_original"):
        Datasette.refresh_schemas = _refresh_unless_done(Datasette.refresh_schemas)
        Datasette._refresh_schemas = _remember_refresh(Datasette._refresh_schemas)


# Permission checks: every page view asks "may the anonymous reader view this instance, database,
# table?" several times, and each question runs a SQL lookup and walks the metadata. Nothing here
# has accounts and the metadata and the database never change while serving, so the answer for
# an anonymous reader is computed once. A signed-in actor (none exists here) is never cached.
def _cached_permission(original: Callable[..., Awaitable[bool]]) -> Callable[..., Awaitable[bool]]:
    async def permission_allowed(
        self: Datasette, actor: dict | None, action: str, resource: str | tuple | None = None, default: bool = False
    ) -> bool:
        if actor is not None or any(db.is_mutable for db in self.databases.values() if db.name != "_internal"):
            return await original(self, actor, action, resource=resource, default=default)
        cache = self.__dict__.setdefault("_anonymous_permission_cache", {})
        key = (action, resource if not isinstance(resource, list) else tuple(resource), default)
        if key not in cache:
            cache[key] = await original(self, actor, action, resource=resource, default=default)
        return cache[key]

    permission_allowed._cached_original = original
    return permission_allowed


@hookimpl(specname="startup")
def cache_permissions(datasette: Datasette) -> None:
    if not hasattr(Datasette.permission_allowed, "_cached_original"):
        Datasette.permission_allowed = _cached_permission(Datasette.permission_allowed)
