"""Load the data package (datapackage.yaml) and derive what other steps need from it.

Everything that describes a table or a field is read from the one schema file here: paths,
field order, types, constraints, keys, descriptions. The SQLite DDL below is generated from it,
so the database cannot disagree with the schema.

Each kind of schema rule (type, required, enum, pattern, minimum, ...) is written once, as a Rule
below: its `holds` is the SQL of the final table's CHECK constraint and, applied to a staged cell
read through typed_value(), the violation query of validation (staging.py). The rules follow
frictionless (the schema's reference validator) except where tests/test_validator_agreement.py
lists a deliberate difference.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
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
# A list (Data Package v2) is kept as the text of the cell, items joined by the field's delimiter,
# as in the CSV: SQLite has no list type, and `instr()`/`like` find an item as readers expect.
SQLITE_TYPES = {
    "string": "TEXT",
    "integer": "INTEGER",
    "number": "REAL",
    "boolean": "INTEGER",
    "date": "TEXT",
    "list": "TEXT",
}

# What Table Schema (and frictionless) assume where the schema says nothing.
DEFAULT_MISSING_VALUES = ("",)
DEFAULT_TRUE_VALUES = ("true", "True", "TRUE", "1")
DEFAULT_FALSE_VALUES = ("false", "False", "FALSE", "0")


def sql_literal(value: object) -> str:
    """A value written in the schema (a string or a number) as an SQL literal."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    title: str
    description: str
    constraints: dict
    missing_values: tuple[str, ...] | None = None  # field-level override of the table's
    unit: str | None = None
    format: str = "default"
    true_values: tuple[str, ...] = DEFAULT_TRUE_VALUES
    false_values: tuple[str, ...] = DEFAULT_FALSE_VALUES
    verbatim: bool = False  # holds the article's own characters (tests/test_quotes.py checks each value)
    delimiter: str = ","  # a list's item separator (Data Package v2's default)
    item_type: str = "string"  # a list's item type

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    @property
    def enum(self) -> list | None:
        return self.constraints.get("enum")

    def convert(self, text: str) -> str | int | float | None:
        """CSV text -> Python value for SQLite, after validation has passed."""
        if text == "" and self.type != "string":
            return None
        if self.type == "integer":
            return int(text)
        if self.type == "number":
            return float(text)
        if self.type == "boolean":
            return 1 if text in self.true_values else 0
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

    def missing_values_of(self, field: Field) -> tuple[str, ...]:
        """The cells that mean "no value" in this field: its own missingValues, else the table's."""
        return self.missing_values if field.missing_values is None else field.missing_values

    def is_required(self, field: Field) -> bool:
        """Required by the schema, or part of the primary key (a NOT NULL column in SQLite)."""
        return field.required or field.name in self.primary_key

    def convert_row(self, row: dict) -> dict:
        """Convert one CSV row; a missing value (by default an empty cell) is NULL.

        The build converts in SQL (typed_value); this plain-Python version is the independent
        reference the tests compare the database against."""
        out = {}
        for f in self.fields:
            text = row[f.name]
            out[f.name] = None if text in self.missing_values_of(f) else f.convert(text)
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
                        format=f.get("format", "default"),
                        true_values=tuple(f.get("trueValues", DEFAULT_TRUE_VALUES)),
                        false_values=tuple(f.get("falseValues", DEFAULT_FALSE_VALUES)),
                        verbatim=bool(f.get("verbatim", False)),
                        delimiter=f.get("delimiter", ","),
                        item_type=f.get("itemType", "string"),
                    )
                    for f in schema["fields"]
                ),
                primary_key=tuple(schema.get("primaryKey", [])),
                unique_keys=tuple(tuple(k) for k in schema.get("uniqueKeys", [])),
                foreign_keys=tuple(schema.get("foreignKeys", [])),
                missing_values=tuple(schema.get("missingValues", DEFAULT_MISSING_VALUES)),
            )
        )
    return resources


# ------------------------------------------------------------------ values: text -> typed value

# A number as Table Schema writes one: optional sign, digits with an optional decimal point,
# optional exponent. frictionless reads whatever Python's Decimal() reads; the differences are
# listed in tests/test_validator_agreement.py.
NUMBER_TEXT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def is_number(value: object) -> bool:
    """The type test of number cells, registered in SQLite as is_number(): Table Schema's form, and
    finite as a double (SQLite would store an overflow as infinity)."""
    return isinstance(value, str) and NUMBER_TEXT.fullmatch(value) is not None and math.isfinite(float(value))


def pattern_matches(pattern: str, value: str | None) -> bool | None:
    """A pattern constraint as frictionless tests it (the pattern between ^ and $), registered in
    SQLite as regexp(); NULL for NULL, like SQL's own operators."""
    if value is None:
        return None
    return re.match(f"^{pattern}$", value) is not None


INT64_MAX = "9223372036854775807"  # SQLite's integers are 64-bit


def integer_text(text: str) -> str:
    """SQL that is true when the text `text` is an integer as Table Schema writes one (optional
    sign, ASCII digits, leading zeros allowed) and fits SQLite's 64-bit integers."""
    digits = f"ltrim(ltrim({text}, '+-'), '0')"
    limit = f"CASE WHEN {text} GLOB '-*' THEN '9223372036854775808' ELSE '{INT64_MAX}' END"
    return (
        f"(({text} GLOB '[0-9]*' OR {text} GLOB '[+-][0-9]*') AND substr({text}, 2) NOT GLOB '*[^0-9]*'"
        f" AND (length({text}) < 19 OR length({digits}) < 19 OR length({digits}) = 19 AND {digits} <= {limit}))"
    )


def typed_value(resource: Resource, field: Field, text: str) -> str:
    """SQL for the value that the cell `text` (an SQL expression of the staged text) has in the
    final table: NULL for a missing value; the typed value when the text is of the field's type;
    otherwise the text as a BLOB, which no STRICT column here accepts, so the table refuses the row.
    The load (staging.convert_select) and validation (violations()) both read cells through this."""
    cases = []
    missing = resource.missing_values_of(field)
    if missing:
        cases.append(f"WHEN {text} IN ({', '.join(sql_literal(m) for m in missing)}) THEN NULL")
    otherwise = f"CAST({text} AS BLOB)"
    if field.type == "integer":
        cases.append(f"WHEN {integer_text(text)} THEN CAST({text} AS INTEGER)")
    elif field.type == "number":
        cases.append(f"WHEN is_number({text}) THEN CAST({text} AS REAL)")
    elif field.type == "boolean":
        cases.append(f"WHEN {text} IN ({', '.join(sql_literal(v) for v in field.true_values)}) THEN 1")
        cases.append(f"WHEN {text} IN ({', '.join(sql_literal(v) for v in field.false_values)}) THEN 0")
    elif field.type == "date":
        # The calendar is the date's type rule (a CHECK); year 0, which SQLite's calendar has and
        # Python's (frictionless') does not, is refused as a BLOB.
        cases.append(f"WHEN {text} >= '0001-01-01' THEN {text}")
    elif field.type == "string" or (field.type == "list" and field.item_type == "string"):
        otherwise = text  # every text is a string, and a list of strings
    else:
        raise ValueError(f"{field.name}: type {field.type!r} is not supported (yet)")
    return f"CASE {' '.join(cases)} ELSE {otherwise} END" if cases else text


# ------------------------------------------------------------------ rules: one per kind of constraint


@dataclass(frozen=True)
class Rule:
    """One rule of the schema for one field, and the one place its SQL is written.

    `holds(value)` is SQL that is true (or NULL) when a value obeys the rule, for an SQL expression
    of the typed value: the final table's column (its CHECK constraint, when `in_check`) or a staged
    cell read through typed_value() (validation's violation query, see violations())."""

    kind: str  # required, type, format, pattern, enum, minimum, maximum, ...
    error: str  # frictionless' error type: type-error or constraint-error
    message: str  # frictionless' note
    holds: Callable[[str], str]
    in_check: bool = False  # written into the final table's CHECK constraint
    enforced: bool = True  # the final table refuses a violation itself (CHECK, NOT NULL, column type)


def required_rule(resource: Resource, field: Field) -> Rule | None:
    """required (and every primary key column): enforced by the column's NOT NULL."""
    if not resource.is_required(field):
        return None
    return Rule("required", "constraint-error", 'constraint "required" is "True"', lambda x: f"{x} IS NOT NULL")


def type_rules(field: Field) -> list[Rule]:
    """The field's type. Integers and numbers are enforced by the STRICT column (typed_value hands
    it a BLOB for any other text); booleans and dates by a CHECK."""
    message = f'type is "{field.type}"'
    if field.type == "integer":
        return [Rule("type", "type-error", message, lambda x: f"typeof({x}) = 'integer'")]
    if field.type == "number":
        return [Rule("type", "type-error", message, lambda x: f"typeof({x}) = 'real'")]
    if field.type == "boolean":
        return [Rule("type", "type-error", message, lambda x: f"{x} IN (0, 1)", in_check=True)]
    if field.type == "date":
        # the modifier normalises 2022-02-30, so it fails; IS: a NULL from a non-date fails too
        return [Rule("type", "type-error", message, lambda x: f"date({x}, '+0 days') IS {x}", in_check=True)]
    return []


def format_rule(field: Field) -> Rule | None:
    """A string format. uri as frictionless checks it: a scheme, then a colon."""
    if field.format == "default":
        return None
    if field.type == "string" and field.format == "uri":
        return Rule(
            "format",
            "type-error",
            'type is "string/uri"',
            lambda x: f"{x} GLOB '[A-Za-z]*:*' AND substr({x}, 2, instr({x}, ':') - 2) NOT GLOB '*[^A-Za-z0-9+.-]*'",
            enforced=False,
        )
    raise ValueError(f"{field.name}: format {field.format!r} of type {field.type!r} is not supported (yet)")


def pattern_rule(field: Field) -> Rule | None:
    """pattern: the slug pattern as GLOBs in a CHECK; any other by regexp() before the load."""
    pattern = field.constraints.get("pattern")
    if pattern is None:
        return None
    message = f'constraint "pattern" is "{pattern}"'
    if pattern == SLUG_PATTERN:
        return Rule(
            "pattern", "constraint-error", message, lambda x: f"{x} != '' AND NOT {slug_violation(x)}", in_check=True
        )
    return Rule(
        "pattern", "constraint-error", message, lambda x: f"regexp({sql_literal(pattern)}, {x})", enforced=False
    )


def constraint_value(field: Field, value: object) -> str:
    """A value written in a constraint as an SQL literal of the field's type, as frictionless reads
    it ("5" is the integer 5 for an integer field), so that typed values compare with it."""
    if isinstance(value, str) and field.type == "integer":
        value = int(value)
    elif isinstance(value, str) and field.type == "number":
        value = float(value)
    return sql_literal(value)


def enum_rule(field: Field) -> Rule | None:
    if not field.enum:
        return None
    values = ", ".join(constraint_value(field, v) for v in field.enum)
    message = f'constraint "enum" is "{field.enum}"'
    return Rule("enum", "constraint-error", message, lambda x: f"{x} IN ({values})", in_check=True)


# Bounds: constraint -> SQL comparison of the value (or of its length) with the bound.
BOUNDS = {
    "minimum": "{x} >= {bound}",
    "maximum": "{x} <= {bound}",
    "exclusiveMinimum": "{x} > {bound}",
    "exclusiveMaximum": "{x} < {bound}",
    "minLength": "length({x}) >= {bound}",
    "maxLength": "length({x}) <= {bound}",
}


def bound_rules(field: Field) -> list[Rule]:
    """minimum, maximum, their exclusive forms, minLength and maxLength, compared as typed values."""
    rules = []
    for name, template in BOUNDS.items():
        if name in field.constraints:
            bound = field.constraints[name]
            literal = sql_literal(bound) if name.endswith("Length") else constraint_value(field, bound)
            rules.append(
                Rule(
                    name,
                    "constraint-error",
                    f'constraint "{name}" is "{bound}"',
                    lambda x, template=template, literal=literal: template.format(x=x, bound=literal),
                    in_check=True,
                )
            )
    return rules


# unique is a rule over rows, not cells: staging.check_fields runs the duplicate-key query for it.
KNOWN_CONSTRAINTS = {"required", "unique", "pattern", "enum", *BOUNDS}


def field_rules(resource: Resource, field: Field) -> list[Rule]:
    """Every rule of one field, in the order of the CHECK constraint."""
    unknown = set(field.constraints) - KNOWN_CONSTRAINTS
    if unknown:
        raise ValueError(f"{resource.name}.{field.name}: constraint(s) {sorted(unknown)} not supported (yet)")
    rules = [required_rule(resource, field), *type_rules(field), format_rule(field), pattern_rule(field)]
    rules += [enum_rule(field), *bound_rules(field)]
    return [rule for rule in rules if rule is not None]


def violations(resource: Resource, field: Field, value: str) -> list[tuple[Rule, str]]:
    """Each rule of a field with SQL that is true when a value breaks it, for `value` an SQL
    expression of a staged cell's typed value (typed_value() of it). As in frictionless, a missing
    value breaks nothing but "required", and a value not of the field's type breaks nothing but its
    type."""
    rules = field_rules(resource, field)
    of_type = [f"({rule.holds(value)})" for rule in rules if rule.error == "type-error"]
    out = []
    for rule in rules:
        if rule.kind == "required":
            out.append((rule, f"NOT ({rule.holds(value)})"))
        else:
            guards = [f"{value} IS NOT NULL", *([] if rule.error == "type-error" else of_type)]
            out.append((rule, " AND ".join([*guards, f"NOT ({rule.holds(value)})"])))
    return out


def column_checks(resource: Resource, field: Field) -> list[str]:
    """The CHECK constraints of a column: the rules that SQLite can enforce itself."""
    return [rule.holds(f"[{field.name}]") for rule in field_rules(resource, field) if rule.in_check]


def create_table_sql(resource: Resource) -> str:
    """CREATE TABLE ... STRICT with keys and CHECKs from the schema.

    Written by hand rather than with sqlite-utils' Table.create(), which cannot express CHECK
    constraints, composite UNIQUE keys and STRICT together; sqlite-utils does the rest of the build.
    """
    lines = []
    for field in resource.fields:
        parts = [f"[{field.name}] {SQLITE_TYPES[field.type]}"]
        if resource.is_required(field):
            parts.append("NOT NULL")
        checks = column_checks(resource, field)
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
