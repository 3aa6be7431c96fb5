"""Keep the labels of foreign keys read from an immutable database.

An HTML table page shows each foreign key with the label of the row it points to (the table's
label_column in metadata.yml: an account's handle, a source's title). Datasette 0.65 looks the
labels up again for every page, one query per foreign-key column (each a hop to a worker thread),
although in a database opened with -i (immutable) they can never change. This keeps each label
once read, and asks the database only for values it has not seen; what it answers is what Datasette
answers. Nothing is kept for a mutable database, nor for a value the database gave no label for
(which includes a lookup stopped by the time limit): such a value is asked for again. At most LIMIT
labels are kept per database; past it, values are looked up as without this plugin.
Written here because no maintained plugin does it for Datasette 0.65.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from datasette import hookimpl
from datasette.app import Datasette

LIMIT = 100_000  # labels kept per database (a label is a short string: a few MB at most)

Labels = dict[tuple[str, Any], str]
NO_LABEL = object()  # kept for a null: it never has a label


def _cached_labels(
    original: Callable[[Datasette, str, str, str, Iterable], Awaitable[Labels]],
) -> Callable[[Datasette, str, str, str, Iterable], Awaitable[Labels]]:
    async def expand_foreign_keys(self: Datasette, database: str, table: str, column: str, values: Iterable) -> Labels:
        if self.databases[database].is_mutable:
            return await original(self, database, table, column, values)
        values = list(values)
        kept = self.__dict__.setdefault("_foreign_key_labels", {}).setdefault(database, {})
        missing = list({v for v in values if (table, column, v) not in kept})
        found = await original(self, database, table, column, missing) if missing else {}
        for value in missing:
            if len(kept) >= LIMIT:
                break
            if (column, value) in found:
                kept[(table, column, value)] = found[(column, value)]
            elif value is None:
                # a null never matches the lookup's `in (...)`, so it has no label, time limit or not
                kept[(table, column, value)] = NO_LABEL
        labels = {}
        for value in values:
            label = kept.get((table, column, value), NO_LABEL)
            if label is NO_LABEL:
                label = found.get((column, value), NO_LABEL)
            if label is not NO_LABEL:
                labels[(column, value)] = label
        return labels

    expand_foreign_keys._cached_original = original
    return expand_foreign_keys


@hookimpl
def startup(datasette: Datasette) -> None:
    if not hasattr(Datasette.expand_foreign_keys, "_cached_original"):
        Datasette.expand_foreign_keys = _cached_labels(Datasette.expand_foreign_keys)
