"""The data package is valid and is the one description of every file."""

from __future__ import annotations

import csv
import io
import re
import subprocess

import pytest
from conftest import ROOT, show

from ots_data.validate import validate

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


@pytest.mark.slow  # the frictionless command line takes seconds to start and read every file
def test_frictionless_cli_validates_the_package():
    result = subprocess.run(
        [str(ROOT / ".venv/bin/frictionless"), "validate", "datapackage.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_project_validator_finds_no_problem():
    problems = validate(ROOT)
    assert not problems, show(problems)


def test_every_csv_in_data_is_described_by_the_schema(resources):
    described = {r.path for r in resources.values()}
    on_disk = {str(p.relative_to(ROOT)) for p in (ROOT / "data").rglob("*.csv")}
    assert on_disk == described, f"not described: {sorted(on_disk - described)}; missing: {sorted(described - on_disk)}"


def test_every_table_and_field_has_a_description(resources):
    missing = [(r.name, None) for r in resources.values() if not r.description]
    missing += [(r.name, f.name) for r in resources.values() for f in r.fields if not f.description]
    assert not missing, show(missing)


def test_names_follow_the_conventions(resources):
    bad = []
    for r in resources.values():
        for f in r.fields:
            if not SNAKE_CASE.match(f.name):
                bad.append((r.name, f.name, "not snake_case"))
            if f.type == "boolean" and not f.name.startswith(("is_", "has_")):
                bad.append((r.name, f.name, "boolean without is_/has_"))
            if f.type == "date" and not f.name.endswith(("_on", "_date")):
                bad.append((r.name, f.name, "date without _on/_date"))
    assert not bad, show(bad)


def test_one_meaning_per_column_name(resources):
    """A column name shared by tables has the same type everywhere."""
    seen, bad = {}, []
    for r in resources.values():
        for f in r.fields:
            if f.name in seen and seen[f.name] != f.type:
                bad.append((r.name, f.name, f.type, seen[f.name]))
            seen.setdefault(f.name, f.type)
    assert not bad, show(bad)


def test_csv_files_are_in_canonical_form(resources):
    """UTF-8, LF, minimal RFC 4180 quoting: re-serialising a file gives back the same bytes."""
    different = []
    for r in resources.values():
        text = (ROOT / r.path).read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        if out.getvalue() != text:
            different.append(r.path)
    assert not different, show(different)


def test_rows_are_sorted_by_primary_key(resources, rows):
    unsorted = []
    for name, r in resources.items():
        integer = {c for c in r.primary_key if r.field(c).type == "integer"}
        keys = [tuple(int(row[c]) if c in integer else row[c] for c in r.primary_key) for row in rows[name]]
        if keys != sorted(keys):
            unsorted.append(r.path)
    assert not unsorted, show(unsorted)
