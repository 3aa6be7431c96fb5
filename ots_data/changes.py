"""changes.csv: every value that differs between a release and the one before it.

One row per row added or removed, per value changed and per column added or removed, by table and
primary key, with what explains it: the erratum that names the row (the erratum itself, or one whose
`affects` lists the row), the round of observations it belongs to, or else this version's section of
CHANGELOG.md. A researcher who pinned an older version lists the figures that moved without diffing
files by hand.

The comparison of two tables keyed by their primary key is csv-diff's (`compare`); this module only
reads the tables by the schema's keys and writes the result as one flat table.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from csv_diff import compare

from ots_data.schema import Resource, load_resources

COLUMNS = ("table", "key", "change", "column", "old", "new", "explained_by")
KEY_SEPARATOR = " | "  # a composite primary key, its values in the schema's order


def read_table(path: Path, resource: Resource) -> dict[str, dict]:
    """The rows of a CSV by primary key (empty when the file is missing: a table new in this version)."""
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        return {KEY_SEPARATOR.join(row[c] for c in resource.primary_key): row for row in csv.DictReader(handle)}


def explanations(current: Path, resources: list[Resource]) -> tuple[dict[str, list[str]], set[str]]:
    """(table:key -> errata naming it, the source ids of rounds of observations)."""
    named: dict[str, list[str]] = {}
    by_name = {r.name: r for r in resources}
    for row in read_table(current / by_name["errata"].path, by_name["errata"]).values():
        named.setdefault(f"errata:{row['erratum_id']}", []).append(row["erratum_id"])
        for ref in filter(None, (x.strip() for x in row["affects"].split(";"))):
            named.setdefault(ref, []).append(row["erratum_id"])
    rounds = {
        row["source_id"]
        for row in read_table(current / by_name["sources"].path, by_name["sources"]).values()
        if row["source_type"] == "observation_round"
    }
    return named, rounds


def explain(table: str, key: str, row: dict | None, named: dict[str, list[str]], rounds: set[str], version: str) -> str:
    errata = named.get(f"{table}:{key}")
    if errata:
        return "; ".join(f"erratum {e}" for e in sorted(set(errata)))
    if row and row.get("source_id") in rounds:
        return f"round {row['source_id']}"
    return f"CHANGELOG {version}"


def change_rows(previous: Path, current: Path, version: str) -> list[dict]:
    """The changes from the release folder `previous` to the project (or release) folder `current`,
    both holding data/*.csv as the schema names them."""
    resources = load_resources(current / "datapackage.yaml")
    named, rounds = explanations(current, resources)
    rows: list[dict] = []

    def add(
        table: str, key: str, change: str, column: str = "", old: str = "", new: str = "", row: dict | None = None
    ) -> None:
        rows.append(
            {
                "table": table,
                "key": key,
                "change": change,
                "column": column,
                "old": old,
                "new": new,
                "explained_by": explain(table, key, row, named, rounds, version),
            }
        )

    for resource in resources:
        before = read_table(previous / resource.path, resource)
        after = read_table(current / resource.path, resource)
        if not before and not after:
            continue
        if not before or not after:  # a table new (or gone) in this version: compare() needs rows on both sides
            for key, row in (after or before).items():
                add(resource.name, key, "row_added" if after else "row_removed", row=row)
            continue
        diff = compare(before, after)
        for column in sorted(diff["columns_added"]):
            add(resource.name, "", "column_added", column)
        for column in sorted(diff["columns_removed"]):
            add(resource.name, "", "column_removed", column)
        for row in diff["removed"]:
            key = KEY_SEPARATOR.join(row[c] for c in resource.primary_key)
            add(resource.name, key, "row_removed", row=row)
        for row in diff["added"]:
            key = KEY_SEPARATOR.join(row[c] for c in resource.primary_key)
            add(resource.name, key, "row_added", row=row)
        for changed in diff["changed"]:
            key = changed["key"]
            for column, (old, new) in sorted(changed["changes"].items()):
                add(resource.name, key, "value_changed", column, old, new, row=after[key])
    order = {"column_added": 0, "column_removed": 1, "row_removed": 2, "row_added": 3, "value_changed": 4}
    rows.sort(key=lambda r: (r["table"], r["key"], order[r["change"]], r["column"]))
    return rows


def changes_csv(previous: Path, current: Path, version: str) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(change_rows(previous, current, version))
    return out.getvalue()
