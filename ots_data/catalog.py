"""What the build adds to the schema's tables (indexes, views, derived tables, search), read from
ots_data/catalog/catalog.yml and the SQL files beside it. The build creates these objects and the
metadata step describes them, both from here, so neither holds a second copy."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from ots_data.project import DATAPACKAGE
from ots_data.schema import Field, create_table_sql, load_resources

FOLDER = Path(__file__).resolve().parent / "catalog"


@dataclass(frozen=True)
class Relation:
    """A view or a derived table: its SQL, its description and its own column descriptions."""

    name: str
    sql: str
    description: str
    described_by: tuple[str, ...]
    columns: dict[str, str]
    indexes: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Catalog:
    indexes: dict[str, tuple[tuple[str, ...], ...]]
    views: dict[str, Relation]
    derived_tables: dict[str, Relation]
    search: dict[str, str]  # table -> SQL returning (rowid, search text)

    def columns(self, datapackage: Path = DATAPACKAGE) -> dict[str, list[str]]:
        """The columns of every view and derived table, in order, as SQLite names them for their
        SQL, worked out over empty tables of the schema (no build needed)."""
        db = sqlite3.connect(":memory:")
        for resource in load_resources(datapackage):
            db.execute(create_table_sql(resource))
        columns = {}
        for relation in [*self.views.values(), *self.derived_tables.values()]:
            db.execute(f"CREATE VIEW [{relation.name}] AS {relation.sql}")
            columns[relation.name] = [row[1] for row in db.execute(f"PRAGMA table_info([{relation.name}])")]
        return columns

    def describing_field(self, relation: Relation, column: str, datapackage: Path = DATAPACKAGE) -> Field | None:
        """For a column the relation does not describe itself: the same column of the first table
        it is described by (one meaning per column name across the dataset)."""
        fields = _fields_by_table(datapackage, datapackage.stat().st_mtime_ns)
        for table in relation.described_by:
            if column in fields.get(table, {}):
                return fields[table][column]
        return None


@cache
def _fields_by_table(datapackage: Path, mtime_ns: int) -> dict[str, dict[str, Field]]:
    """The schema's fields by table and name, read once per version of the file (the metadata and
    docs steps ask for one per column)."""
    return {r.name: {f.name: f for f in r.fields} for r in load_resources(datapackage)}


def _sql(path: str) -> str:
    return (FOLDER / path).read_text(encoding="utf-8").strip()


def _relation(name: str, entry: dict) -> Relation:
    return Relation(
        name=name,
        sql=_sql(entry["sql"]),
        description=entry["description"],
        described_by=tuple(entry.get("described_by", ())),
        columns=dict(entry.get("columns", {})),
        indexes=tuple(tuple(i) for i in entry.get("indexes", ())),
    )


@cache
def load() -> Catalog:
    data = yaml.safe_load((FOLDER / "catalog.yml").read_text(encoding="utf-8"))
    derived = {name: _relation(name, entry) for name, entry in data["derived_tables"].items()}
    return Catalog(
        indexes={table: tuple(tuple(i) for i in lists) for table, lists in data["indexes"].items()},
        views={name: _relation(name, entry) for name, entry in data["views"].items()},
        derived_tables=derived,
        search={table: _sql(path) for table, path in data["search"].items()},
    )
