"""Load the data package (datapackage.yaml) and derive what other steps need from it.

Everything that describes a table or a field is read from the one schema file here: paths,
field order, types, constraints, keys, descriptions. The SQLite DDL below is generated from it,
so the database cannot disagree with the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ots_data.project import DATAPACKAGE

# The slug pattern of most ids. SQLite has no regular expressions, so it is checked with the
# equivalent GLOBs (in the table's CHECK constraint and in staging); a test proves they agree.
SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"


def slug_violation(col: str) -> str:
    """SQL that is true when col (not empty) breaks SLUG_PATTERN."""
    return f"({col} GLOB '*[^a-z0-9-]*' OR {col} GLOB '-*' OR {col} GLOB '*-' OR {col} GLOB '*--*')"


# Frictionless type -> SQLite STRICT column type.
SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT"}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    title: str
    description: str
    constraints: dict
    missing_values: tuple[str, ...] | None = None  # field-level override of the table's
    unit: str | None = None

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    @property
    def enum(self) -> list | None:
        return self.constraints.get("enum")

    def convert(self, text: str):
        """CSV text -> Python value for SQLite, after validation has passed."""
        if text == "" and self.type != "string":
            return None
        if self.type == "integer":
            return int(text)
        if self.type == "number":
            return float(text)
        if self.type == "boolean":
            return 1 if text == "true" else 0
        return text


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    unique_keys: tuple[tuple[str, ...], ...]
    foreign_keys: tuple[dict, ...]
    missing_values: tuple[str, ...]

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def convert_row(self, row: dict) -> dict:
        """Convert one CSV row; an empty cell is NULL unless the schema says "" is a value.

        The build converts in SQL (staging.convert_select); this plain-Python version is the
        independent reference the tests compare the database against."""
        out = {}
        for f in self.fields:
            text = row[f.name]
            missing = self.missing_values if f.missing_values is None else f.missing_values
            out[f.name] = None if (text == "" and "" in missing) else f.convert(text)
        return out


def load_descriptor(path: Path = DATAPACKAGE) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_resources(path: Path = DATAPACKAGE) -> list[Resource]:
    resources = []
    for res in load_descriptor(path)["resources"]:
        schema = res["schema"]
        resources.append(
            Resource(
                name=res["name"],
                path=res["path"],
                title=res.get("title", res["name"]),
                description=" ".join(res.get("description", "").split()),
                fields=tuple(
                    Field(
                        name=f["name"],
                        type=f["type"],
                        title=f.get("title", f["name"]),
                        description=" ".join(f.get("description", "").split()),
                        constraints=f.get("constraints", {}),
                        missing_values=tuple(f["missingValues"]) if "missingValues" in f else None,
                        unit=f.get("unit"),
                    )
                    for f in schema["fields"]
                ),
                primary_key=tuple(schema.get("primaryKey", [])),
                unique_keys=tuple(tuple(k) for k in schema.get("uniqueKeys", [])),
                foreign_keys=tuple(schema.get("foreignKeys", [])),
                missing_values=tuple(schema.get("missingValues", [""])),
            )
        )
    return resources


def _sql_literal(value) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def column_checks(field: Field) -> list[str]:
    """CHECK constraints that SQLite can enforce itself (patterns other than slugs are left to the validator)."""
    col = f"[{field.name}]"
    checks = []
    if field.type == "boolean":
        checks.append(f"{col} IN (0, 1)")
    if field.type == "date":
        checks.append(
            f"date({col}, '+0 days') IS {col}"
        )  # the modifier normalises 2022-02-30, so it fails; IS: a NULL from a non-date fails too
    if field.constraints.get("pattern") == SLUG_PATTERN:
        checks.append(f"{col} != '' AND NOT {slug_violation(col)}")
    if field.enum:
        checks.append(f"{col} IN ({', '.join(_sql_literal(v) for v in field.enum)})")
    if "minimum" in field.constraints:
        checks.append(f"{col} >= {_sql_literal(field.constraints['minimum'])}")
    if "maximum" in field.constraints:
        checks.append(f"{col} <= {_sql_literal(field.constraints['maximum'])}")
    return checks


def create_table_sql(resource: Resource) -> str:
    """CREATE TABLE ... STRICT with keys and CHECKs from the schema.

    Written by hand rather than with sqlite-utils' Table.create(), which cannot express CHECK
    constraints, composite UNIQUE keys and STRICT together; sqlite-utils does the rest of the build.
    """
    lines = []
    for field in resource.fields:
        parts = [f"[{field.name}] {SQLITE_TYPES[field.type]}"]
        if field.required or field.name in resource.primary_key:
            parts.append("NOT NULL")
        checks = column_checks(field)
        if checks:
            parts.append("CHECK (" + " AND ".join(checks) + ")")
        lines.append(" ".join(parts))
    lines.append("PRIMARY KEY (" + ", ".join(f"[{c}]" for c in resource.primary_key) + ")")
    for key in resource.unique_keys:
        lines.append("UNIQUE (" + ", ".join(f"[{c}]" for c in key) + ")")
    for fk in resource.foreign_keys:
        ref = fk["reference"]
        local = ", ".join(f"[{c}]" for c in fk["fields"])
        remote = ", ".join(f"[{c}]" for c in ref["fields"])
        lines.append(f"FOREIGN KEY ({local}) REFERENCES [{ref['resource']}] ({remote})")
    body = ",\n  ".join(lines)
    return f"CREATE TABLE [{resource.name}] (\n  {body}\n) STRICT"
