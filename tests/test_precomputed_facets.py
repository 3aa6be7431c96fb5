"""Facets over a whole growing table come from the counts the build made (facet_counts, through
plugins/precomputed_facets.py), give exactly Datasette's own answer, and nothing else does."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from conftest import datasette_fetcher, show

from ots_data.catalog import load as load_catalog

CATALOG = load_catalog()
PAIRS = [(table, column) for table, columns in CATALOG.facets.items() for column in columns]


def facet(fetch, table: str, column: str, **filters: str) -> list[tuple]:
    response = fetch(f"/ots/{table}.json", _facet=column, _size="0", **filters)
    assert response.status_code == 200, response.text
    return [(r["value"], r["count"]) for r in response.json()["facet_results"][column]["results"]]


def by_sql(db, table: str, column: str, where: str = "1", limit: int = 30) -> list[tuple]:
    """Datasette's facet query, run directly."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            f"select [{column}], count(*) from [{table}] where ({where}) and [{column}] is not null "
            f"group by [{column}] order by count(*) desc, [{column}] limit {limit}"
        ).fetchall()


@pytest.fixture(scope="module")
def tampered(fresh_db, tmp_path_factory):
    """A copy whose precomputed counts are all 1000 too high: only the plugin can show those."""
    db = tmp_path_factory.mktemp("facets") / "ots.db"
    shutil.copyfile(fresh_db, db)
    with sqlite3.connect(db) as conn:
        conn.execute("update facet_counts set row_count = row_count + 1000")
    return db


def test_every_default_facet_of_a_growing_table_is_precomputed(metadata):
    tables = metadata["databases"]["ots"]["tables"]
    missing = [
        (table, column)
        for table in CATALOG.facets
        for column in tables.get(table, {}).get("facets", [])
        if column not in CATALOG.facets[table]
    ]
    assert not missing, show(missing)


@pytest.mark.parametrize("table,column", PAIRS)
def test_a_whole_table_facet_is_answered_from_the_build_counts(tampered, table, column):
    fetch = datasette_fetcher(tampered)
    shown = facet(fetch, table, column)
    expected = [(value, count + 1000) for value, count in by_sql(tampered, table, column)]
    assert shown == expected, show([shown, expected])


@pytest.mark.parametrize("table,column", PAIRS)
def test_the_build_counts_are_datasettes_own(fresh_db, table, column):
    shown = facet(datasette_fetcher(fresh_db), table, column)
    assert shown == by_sql(fresh_db, table, column), show([shown, by_sql(fresh_db, table, column)])


def test_a_filtered_facet_is_counted_as_usual(tampered):
    shown = facet(datasette_fetcher(tampered), "follower_counts", "metric", parse_rule="suffix_decimal_point")
    expected = by_sql(tampered, "follower_counts", "metric", "parse_rule = 'suffix_decimal_point'")
    assert shown == expected, show([shown, expected])


def test_a_mutable_database_is_counted_as_usual(tampered, tmp_path):
    mutable = tmp_path / "ots.db"
    shutil.copyfile(tampered, mutable)
    fetch = datasette_fetcher(mutable, immutables=[], files=[str(mutable)])
    shown = facet(fetch, "follower_counts", "metric")
    assert shown == by_sql(mutable, "follower_counts", "metric"), shown
