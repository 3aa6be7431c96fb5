"""The catalog (ots_data/catalog/) is the one description of what the build adds to the schema's
tables: every column a reader sees in a view or derived table is described, and nothing in the
catalog folder is left unused."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import ROOT, show

from ots_data import catalog


def test_every_column_of_every_view_and_derived_table_is_described(fresh_db, metadata):
    cat = catalog.load()
    tables = metadata["databases"]["ots"]["tables"]
    db = sqlite3.connect(fresh_db)
    missing = [
        (name, row[1])
        for name in [*cat.views, *cat.derived_tables]
        for row in db.execute(f"PRAGMA table_info([{name}])")
        if not tables.get(name, {}).get("columns", {}).get(row[1])
    ]
    assert not missing, show(missing)


def test_the_catalogs_column_lists_match_the_built_database(fresh_db):
    db = sqlite3.connect(fresh_db)
    worked_out = catalog.load().columns()
    built = {name: [row[1] for row in db.execute(f"PRAGMA table_info([{name}])")] for name in worked_out}
    differ = [(name, worked_out[name], built[name]) for name in worked_out if worked_out[name] != built[name]]
    assert not differ, show(differ)


def test_every_sql_file_of_the_catalog_is_used():
    text = (catalog.FOLDER / "catalog.yml").read_text(encoding="utf-8")
    text += (ROOT / "metadata.yml").read_text(encoding="utf-8")
    unused = [
        str(path.relative_to(catalog.FOLDER))
        for path in catalog.FOLDER.rglob("*.sql")
        if str(path.relative_to(catalog.FOLDER)) not in text and path.name not in text
    ]
    assert not unused, show(unused)


def test_a_views_own_column_description_names_a_column_it_has():
    cat = catalog.load()
    columns = cat.columns()
    stray = [
        (relation.name, column)
        for relation in [*cat.views.values(), *cat.derived_tables.values()]
        for column in relation.columns
        if column not in columns[relation.name]
    ]
    assert not stray, show(stray)


@pytest.mark.slow  # the docs step (conftest.docs_source) draws every chart
def test_the_data_dictionary_lists_every_column_of_every_view_and_derived_table(docs_source):
    cat = catalog.load()
    missing = []
    for lang in ("", ".tr", ".ru"):
        page = (docs_source / f"data-dictionary{lang}.md").read_text(encoding="utf-8")
        for name, columns in cat.columns().items():
            section = page.split(f"### `{name}`", 1)[1].split("### ", 1)[0] if f"### `{name}`" in page else ""
            missing += [(lang or "en", name, c) for c in columns if f"<code>{c}</code>" not in section]
    assert not missing, show(missing)
