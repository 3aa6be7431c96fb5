"""The fast paths of validation agree with the exact ones: SQLite's CSV importer and the Python
reader stage the same rows, and the GLOB form of the slug pattern accepts exactly what the
regular expression accepts."""

from __future__ import annotations

import re
import sqlite3

from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from ots_data import staging
from ots_data.schema import load_resources

RESOURCES = load_resources(ROOT / "datapackage.yaml")


def staged_rows(tmp_path, use_cli: bool) -> dict[str, list[tuple]]:
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


SLUG = re.compile(staging.SLUG_PATTERN)


@given(st.text(alphabet="az09-_ Aé", max_size=12))
def test_slug_glob_check_agrees_with_the_regular_expression(value):
    resource = next(r for r in RESOURCES if r.name == "actors")
    field = resource.field("actor_id")
    condition = next(c for c, rule, message, _ in staging.field_check(resource, field) if "pattern" in message)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t ([actor_id] TEXT)")
    conn.execute("INSERT INTO t VALUES (?)", (value,))
    flagged = bool(conn.execute(f"SELECT count(*) FROM t WHERE {condition}").fetchone()[0])
    assert flagged == (value != "" and SLUG.fullmatch(value) is None)
