"""The SQLite database is exactly the CSVs, typed and keyed as the schema says, and reproducible."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from conftest import ROOT, show, skip_unless_made

from ots_data.build import build

EXPECTED_COUNTS = {
    k: v for k, v in json.loads((ROOT / "tests/expected_row_counts.json").read_text()).items() if not k.startswith("_")
}


@pytest.fixture(scope="module")
def db(fresh_db):
    conn = sqlite3.connect(fresh_db)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def test_every_schema_table_is_in_the_database(db, resources):
    tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    assert set(resources) <= tables, sorted(set(resources) - tables)


# The SQLite type each Table Schema type must become, written here rather than taken from the
# generator's own map (ots_data.schema.SQLITE_TYPES), so that a wrong map fails this test.
EXPECTED_TYPES = {
    "string": "TEXT",
    "integer": "INTEGER",
    "number": "REAL",
    "boolean": "INTEGER",
    "date": "TEXT",
    "list": "TEXT",
}


def test_columns_and_types_match_the_schema(db, resources):
    drift = []
    for name, r in resources.items():
        actual = [
            (c["name"], c["type"], bool(c["notnull"]), c["pk"] > 0) for c in db.execute(f"pragma table_info([{name}])")
        ]
        expected = [
            (f.name, EXPECTED_TYPES[f.type], f.required or f.name in r.primary_key, f.name in r.primary_key)
            for f in r.fields
        ]
        if actual != expected:
            drift.append((name, actual, expected))
    assert not drift, show(drift)


def test_tables_are_strict(db, resources):
    loose = [
        n
        for n in resources
        if "STRICT" not in db.execute("select sql from sqlite_master where name = ?", (n,)).fetchone()[0]
    ]
    assert not loose, loose


def test_foreign_keys_match_the_schema(db, resources):
    drift = []
    for name, r in resources.items():
        actual = sorted((fk["from"], fk["table"], fk["to"]) for fk in db.execute(f"pragma foreign_key_list([{name}])"))
        expected = sorted(
            (local, fk["reference"]["resource"], remote)
            for fk in r.foreign_keys
            for local, remote in zip(fk["fields"], fk["reference"]["fields"], strict=True)
        )
        if actual != expected:
            drift.append((name, actual, expected))
    assert not drift, show(drift)


def test_foreign_key_check_passes(db):
    violations = [tuple(v) for v in db.execute("pragma foreign_key_check")]
    assert not violations, show(violations)


def test_row_counts_match_the_csv_files(db, rows):
    drift = [(n, len(r), db.execute(f"select count(*) from [{n}]").fetchone()[0]) for n, r in rows.items()]
    drift = [d for d in drift if d[1] != d[2]]
    assert not drift, show(drift)


def test_row_counts_match_the_committed_expectation(db, resources):
    actual = {n: db.execute(f"select count(*) from [{n}]").fetchone()[0] for n in resources}
    assert actual == EXPECTED_COUNTS


def test_values_round_trip_from_csv(db, resources, rows):
    """Every cell of every CSV is in the database, converted as the schema says."""
    drift = []
    for name, r in resources.items():
        key = ", ".join(f"[{c}]" for c in r.primary_key)
        stored = [dict(x) for x in db.execute(f"select * from [{name}] order by {key}")]
        expected = sorted((r.convert_row(row) for row in rows[name]), key=lambda x: tuple(x[c] for c in r.primary_key))
        # a missing or extra row is test_row_counts_match_the_csv_files's to report
        drift += [(name, a, b) for a, b in zip(stored, expected, strict=False) if a != b]
    assert not drift, show(drift)


def test_enum_check_constraints_reject_unknown_values(fresh_db, tmp_path):
    copy = tmp_path / "copy.db"
    copy.write_bytes(fresh_db.read_bytes())
    conn = sqlite3.connect(copy)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("update accounts set platform = 'tiktok' where account_id = 'twitter-rterdogan'")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("update follower_counts set count = -1 where count_id = 'altun-2023-t1-r01-twitter'")
    conn.close()


def test_two_builds_are_byte_identical(fresh_db, tmp_path):
    again = tmp_path / "again.db"
    build(ROOT, again)
    assert hashlib.sha256(again.read_bytes()).hexdigest() == hashlib.sha256(fresh_db.read_bytes()).hexdigest()


def test_make_build_output_is_current(fresh_db):
    """build/ots.db, which `make serve` serves, is what the committed inputs build."""
    skip_unless_made("build/ots.db")
    made = ROOT / "build" / "ots.db"
    assert made.read_bytes() == fresh_db.read_bytes(), "build/ots.db is out of date: run `make build`"


def test_full_text_search_folds_turkic_letters_and_case(db):
    names = {
        r[0]
        for r in db.execute(
            "select name from actors where rowid in (select rowid from actors_fts where actors_fts match ?)",
            ("cavusoglu OR ILHAM OR erdogan OR szijjarto",),
        )
    }
    assert names == {"Mevlüt Çavuşoğlu", "Ilham Aliyev", "Recep Tayyip Erdoğan", "Péter Szijjártó"}
