"""The fast paths of validation agree with the exact ones: SQLite's CSV importer and the Python
reader stage the same rows; the SQL forms of the schema's rules (GLOBs for the slug pattern, the
integer and number tests, the uri format, the duplicate-key query) accept exactly what their
references accept (the regular expression, Python, frictionless)."""

from __future__ import annotations

import math
import re
import sqlite3
from decimal import Decimal
from pathlib import Path

import frictionless
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from ots_data import staging
from ots_data.schema import SLUG_PATTERN, integer_text, is_number, load_resources, pattern_matches

RESOURCES = load_resources(ROOT / "datapackage.yaml")
BY_NAME = {r.name: r for r in RESOURCES}


def staged_rows(tmp_path: Path, use_cli: bool) -> dict[str, list[tuple]]:
    conn = staging.connect(tmp_path / f"stage-{use_cli}.db")
    original = staging.SQLITE3_CLI
    staging.SQLITE3_CLI = staging.SQLITE3_CLI if use_cli else None
    try:
        assert staging.load_all(conn, ROOT, RESOURCES) == []
        return {r.name: conn.execute(f"SELECT * FROM stage_{r.name} ORDER BY _line").fetchall() for r in RESOURCES}
    finally:
        staging.SQLITE3_CLI = original
        conn.close()


def test_sqlite_cli_is_installed_for_the_fast_path():
    assert staging.SQLITE3_CLI, "install Debian's sqlite3 (make test does)"


def test_cli_and_python_loaders_stage_identical_rows(tmp_path):
    assert staged_rows(tmp_path, use_cli=True) == staged_rows(tmp_path, use_cli=False)


SLUG = re.compile(SLUG_PATTERN)


def flagged(table: str, column: str, value: str, rule_name: str) -> bool:
    """Whether validation's condition for one rule of a field flags a one-row staged table."""
    resource = BY_NAME[table]
    field = resource.field(column)
    condition = next(c for c, rule, message, _ in staging.field_check(resource, field) if rule_name in message)
    conn = sqlite3.connect(":memory:")
    conn.create_function("is_number", 1, is_number, deterministic=True)
    conn.create_function("regexp", 2, pattern_matches, deterministic=True)
    conn.execute(f"CREATE TABLE {staging.stage_name(resource)} (_line INTEGER, [{column}] TEXT)")
    conn.execute(f"INSERT INTO {staging.stage_name(resource)} VALUES (2, ?)", (value,))
    rows = staging.checked_rows(resource, [condition])
    return bool(conn.execute(f"SELECT count(*) FROM {rows} WHERE {condition}").fetchone()[0])


@given(st.text(alphabet="az09-_ Aé", max_size=12))
def test_slug_glob_check_agrees_with_the_regular_expression(value):
    assert flagged("actors", "actor_id", value, "pattern") == (value != "" and SLUG.fullmatch(value) is None)


def sql_value(expression: str, value: str) -> object:
    conn = sqlite3.connect(":memory:")
    conn.create_function("is_number", 1, is_number, deterministic=True)
    return conn.execute(f"SELECT {expression.replace('{x}', '?')}", [value] * expression.count("{x}")).fetchone()[0]


@given(
    st.one_of(
        st.text(alphabet="0123456789+- .e_", max_size=24), st.integers().map(str), st.integers().map("00{}".format)
    )
)
def test_the_sql_integer_test_is_table_schemas_form_within_64_bits(text):
    expected = re.fullmatch(r"[+-]?[0-9]+", text) is not None and -(2**63) <= int(text) < 2**63
    assert bool(sql_value(integer_text("{x}"), text)) == expected
    if expected:
        assert sql_value("CAST({x} AS INTEGER)", text) == int(text)


@given(st.one_of(st.text(alphabet="0123456789+-.eE _", max_size=16), st.floats().map(repr), st.decimals().map(str)))
def test_a_number_the_build_accepts_is_read_alike_by_sqlite_python_and_frictionless(text):
    if is_number(text):
        # SQLite 3.40 rounds some long decimals to the neighbouring double (7.43524967059076e-303);
        # Python, and the tests' reference conversion, round correctly.
        assert abs(sql_value("CAST({x} AS REAL)", text) - float(text)) <= math.ulp(float(text))
        assert Decimal(text).is_finite()  # frictionless reads numbers with Decimal()


URI_FIELD = frictionless.Schema.from_descriptor({"fields": [{"name": "u", "type": "string", "format": "uri"}]})


@given(st.text(alphabet="aZ09+.-:/ _?#é", max_size=10))
def test_the_uri_format_agrees_with_frictionless(value):
    frictionless_refuses = URI_FIELD.get_field("u").read_cell(value)[1] is not None
    assert flagged("sources", "url", value, "uri") == (value != "" and frictionless_refuses)


@given(st.lists(st.tuples(st.sampled_from(["a", "b", ""]), st.sampled_from(["x", "y"])), max_size=8))
def test_the_duplicate_key_query_names_every_repeat_and_its_first_line(rows):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (_line INTEGER, k TEXT, j TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i + 2, k, j) for i, (k, j) in enumerate(rows)])
    first, expected = {}, []
    for i, key in enumerate(rows):
        if key[0]:  # the where clause below leaves out rows with an empty k
            if key in first:
                expected.append((i + 2, *key, first[key]))
            first.setdefault(key, i + 2)
    assert conn.execute(staging.duplicate_rows_sql("t", ["k", "j"], "k != ''")).fetchall() == expected
