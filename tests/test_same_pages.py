"""The plugins that make pages faster change no byte of any page.

plugins/table_cells.py and plugins/table_html.py (called by templates/_table.html) prepare and
write the cells and the <table> of table and row pages instead of Datasette's own function and
template; plugins/cache_labels.py keeps the labels of foreign keys, plugins/cache_schema.py the
schema, plugins/read_templates_once.py the templates. Every page below is fetched from Datasette
as the project configures it and from stock Datasette (none of those plugins; the project's
templates without _table.html, see stock_templates), twice (the second answer comes from the caches),
and must be the same byte for byte, apart from the time its queries took. The pages cover every
table and view, row pages, sorting, filters, facets, labels on and off, no rows, and a database of
odd cases (compound and rowid keys, blobs, URLs, markup, long text, dangling and unlabelled foreign
keys), served immutable and mutable."""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
from contextlib import contextmanager

import pytest
from conftest import ROOT, make_datasette, show
from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm
from datasette.views import row as row_view
from datasette.views import table as table_view

SPEED_PLUGINS = ("cache_schema.py", "cache_labels.py", "table_cells.py", "table_html.py", "read_templates_once.py")
QUERY_TIME = re.compile(r"Queries took [0-9.]+ms")


def patched_attributes() -> list[tuple[object, str]]:
    """Where the speed plugins stand in for Datasette's own functions."""
    from datasette.database import Database

    introspection = pm.get_plugin("cache_schema.py").INTROSPECTION
    return (
        [(Database, name) for name in introspection]
        + [(Datasette, n) for n in ("permission_allowed", "refresh_schemas", "_refresh_schemas", "expand_foreign_keys")]
        + [(table_view, "display_columns_and_rows"), (row_view, "display_columns_and_rows")]
    )


@contextmanager
def stock_datasette():
    """Datasette without the speed plugins and with its own functions where they stood in (all put
    back afterwards). Call make_datasette with plugins_dir=None inside, so that the plugins are not
    registered again."""
    saved = {key: getattr(*key) for key in patched_attributes()}
    plugins = {name: pm.unregister(name=name) for name in SPEED_PLUGINS}
    for (owner, name), value in saved.items():
        original = getattr(value, "_cached_original", None) or getattr(value, "_original", None)
        if original is not None:
            setattr(owner, name, original)
    try:
        yield
    finally:
        for (owner, name), value in saved.items():
            setattr(owner, name, value)
        for name, plugin in plugins.items():
            if plugin is not None:
                pm.register(plugin, name=name)


def stock_templates(tmp_path):
    """The project's template folder without _table.html, the one override made for speed: the
    others (base.html's page language, the footer, the landing page, the row pages' citation)
    change what pages say, not how they are written, and stay."""
    folder = tmp_path / "stock-templates"
    shutil.copytree(ROOT / "templates", folder, ignore=shutil.ignore_patterns("_table.html"))
    return str(folder)


def odd_cases_database(path):
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        create table owners (id integer primary key, name text);
        create table kinds (code text primary key, description text, extra text);
        create table pets (
            id integer primary key,
            owner_id integer references owners(id),
            kind text references kinds(code),
            "odd name" text,
            "_under-score" text,
            photo blob,
            homepage text,
            weight real,
            note text
        );
        create table pairs (a text, b integer, value text, primary key (a, b));
        create table plain (value text);
        create view pet_names as select id, "odd name" from pets;
        """
    )
    conn.executemany("insert into owners values (?, ?)", [(1, 'Alice <&> "Q"'), (2, ""), (3, "Bea & Co")])
    conn.executemany("insert into kinds values (?, ?, ?)", [("cat", "a cat", None), ("a/b", "slash", "x")])
    conn.executemany(
        "insert into pets values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (1, 1, "cat", "<b>bold</b> & 'quoted'", "x", b"\x00\x01", "https://example.com/x.png", 1.5, "n" * 3000),
            (2, 2, "a/b", "", "y", b"\x00", "https://example.com/a b", 2.0, ""),
            (3, None, None, None, None, None, "  http://example.org/  ", None, None),
            (4, 99, "dog", "Zoë", "z", None, "httpx://no", 0.0, "0"),
            (5, 3, "cat", "1", "_", b"", "http://example.org/" + "p" * 3000, -1.25, "http://example.org/"),
            (6, 1, "cat", "same owner", "again", None, None, 3.0, None),
        ],
    )
    conn.executemany("insert into pairs values (?, ?, ?)", [("a/b", 1, "x"), ("c,d", 2, "<y>"), ("e~f", 3, None)])
    conn.executemany("insert into plain values (?)", [("one",), (None,), ("three & four",)])
    conn.commit()
    conn.close()
    return path


def ots_paths(db_path) -> list[str]:
    conn = sqlite3.connect(db_path)
    names = [
        name
        for (name,) in conn.execute("select name from sqlite_master where type in ('table', 'view') order by name")
        if "_fts" not in name
    ]
    account = conn.execute("select account_id from accounts order by account_id limit 1").fetchone()[0]
    conn.close()
    return [f"/ots/{name}" for name in names] + [
        "/ots/follower_counts?_sort=count_id",
        "/ots/follower_counts?_sort_desc=metric",
        "/ots/follower_counts?metric=subscribers&_sort=count",
        "/ots/follower_counts?_labels=off",
        "/ots/follower_counts?_label=account_id",
        "/ots/follower_counts?_col=count&_col=account_id",
        "/ots/follower_counts?_nocol=note",
        "/ots/follower_counts?count__gt=999999999999",
        "/ots/follower_counts?_size=3&_next=3",
        "/ots/follower_counts?_facet=metric&_facet=account_id",
        "/ots/follower_counts/altun-2023-t1-r01-twitter",
        f"/ots/accounts/{account}",
        "/ots/actors?_search=cavusoglu",
    ]


ODD_PATHS = [
    "/scratch/pets",
    "/scratch/pets?_sort=weight",
    "/scratch/pets?_sort_desc=owner_id",
    "/scratch/pets?_labels=off",
    "/scratch/pets?_facet=owner_id&_facet=kind",
    "/scratch/pets?owner_id=99",
    "/scratch/pets/1",
    "/scratch/pets/4",
    "/scratch/pairs",
    "/scratch/pairs/a~2Fb,1",
    "/scratch/plain",
    "/scratch/plain/2",
    "/scratch/pet_names",
    "/scratch/owners",
    "/scratch/kinds/a~2Fb",
]


def fetch_twice(datasette, paths: list[str]) -> dict:
    """Each path, then each again: {(path, round): (status, page without the query time)}."""

    async def go():
        pages = {}
        for round_ in (1, 2):
            for path in paths:
                answer = await datasette.client.get(path)
                pages[(path, round_)] = (answer.status_code, QUERY_TIME.sub("Queries took Xms", answer.text))
        return pages

    return asyncio.run(go())


def differences(ours: dict, stock: dict) -> list:
    """(path, round, statuses, the first differing line of each) for every page that differs."""
    found = []
    for key in ours:
        if ours[key] != stock[key]:
            lines = [
                (a, b) for a, b in zip(ours[key][1].splitlines(), stock[key][1].splitlines(), strict=False) if a != b
            ]
            first = lines[0] if lines else ("(same lines, different length)", "")
            found.append((*key, ours[key][0], stock[key][0], first[0][:160], first[1][:160]))
    return found


@pytest.mark.slow  # about 5 s: some 80 pages, each fetched four times
@pytest.mark.parametrize("scratch_mode", ["immutable", "mutable"])
def test_every_page_is_the_same_as_stock_datasettes(fresh_db, tmp_path, scratch_mode):
    scratch = odd_cases_database(tmp_path / "scratch.db")
    databases = (
        {"immutables": [str(fresh_db), str(scratch)]}
        if scratch_mode == "immutable"
        else {"immutables": [str(fresh_db)], "files": [str(scratch)]}
    )
    paths = ots_paths(fresh_db) + ODD_PATHS
    ours = fetch_twice(make_datasette(fresh_db, **databases), paths)
    with stock_datasette():
        stock = fetch_twice(
            make_datasette(fresh_db, **databases, plugins_dir=None, template_dir=stock_templates(tmp_path)), paths
        )
    different = differences(ours, stock)
    assert not different, "(path, round, our status, stock status, our line, stock line):\n" + show(different)


@pytest.mark.slow  # fetches every page checked above
def test_the_pages_checked_have_rows_links_labels_and_no_errors(fresh_db, tmp_path):
    """What the comparison above relies on: the pages it compares are pages with content."""
    scratch = odd_cases_database(tmp_path / "scratch.db")
    datasette = make_datasette(fresh_db, immutables=[str(fresh_db), str(scratch)])
    pages = fetch_twice(datasette, ots_paths(fresh_db) + ODD_PATHS)
    failed = [(path, status) for (path, _), (status, _) in pages.items() if status != 200]
    expected = {
        "a labelled foreign key": 'href="/scratch/owners/1">Alice &lt;&amp;&gt; &#34;Q&#34;</a>',
        "an unlabelled foreign key": 'href="/scratch/kinds/a~2Fb">a/b</a>',
        "a blob": 'class="blob-download"',
        "a URL": '<a href="https://example.com/x.png">',
        "a cell of markup": "&lt;b&gt;bold&lt;/b&gt; &amp; &#39;quoted&#39;",
        "a compound key": 'href="/scratch/pairs/c~2Cd,2"',
    }
    page = pages[("/scratch/pets", 2)][1] + pages[("/scratch/pairs", 2)][1]
    missing = [what for what, text in expected.items() if text not in page]
    assert not failed and not missing, f"pages not answered 200: {failed}; pets and pairs pages without: {missing}"


def test_the_table_html_plugin_reproduces_the_installed_datasettes_template():
    plugin = pm.get_plugin("table_html.py") or pytest.fail("plugins/table_html.py is not registered")
    assert plugin.reproduces_installed_template(), (
        f"{plugin.DATASETTES_TEMPLATE} is not the template plugins/table_html.py reproduces: pages use Datasette's "
        "own (slower); compare the function with the new template, then update REPRODUCES_SHA256"
    )


def test_the_table_cells_plugin_reproduces_the_installed_datasettes_function():
    plugin = pm.get_plugin("table_cells.py") or pytest.fail("plugins/table_cells.py is not registered")
    assert plugin.reproduces_installed_function(), (
        "datasette.views.table.display_columns_and_rows is not the function plugins/table_cells.py reproduces: "
        "pages use Datasette's own (slower); compare the two, then update REPRODUCES_SHA256"
    )


def test_the_served_configuration_writes_cells_and_tables_with_the_plugins(fresh_db):
    datasette = make_datasette(fresh_db)
    asyncio.run(datasette.invoke_startup())
    cells = pm.get_plugin("table_cells.py").display_columns_and_rows
    in_use = {
        "table page cells": table_view.display_columns_and_rows is cells,
        "row page cells": row_view.display_columns_and_rows is cells,
        "the <table> (ots_table_html)": "ots_table_html" in datasette.jinja_env.globals,
    }
    assert all(in_use.values()), f"not in use: {[what for what, used in in_use.items() if not used]}"


class CellPlugin:
    """A render_cell plugin, registered like any other: the cells plugin must hand every page with
    one to Datasette's own function."""

    __name__ = "test-render-cell"

    @hookimpl
    def render_cell(self, value, column):
        return f"[{value}]" if column == "platform" else None


def test_a_render_cell_plugin_renders_cells_as_with_stock_datasette(fresh_db, tmp_path):
    paths = ["/ots/accounts", "/ots/follower_counts"]
    pm.register(CellPlugin(), name=CellPlugin.__name__)
    try:
        ours = fetch_twice(make_datasette(fresh_db), paths)
        with stock_datasette():
            stock = fetch_twice(
                make_datasette(fresh_db, plugins_dir=None, template_dir=stock_templates(tmp_path)), paths
            )
    finally:
        pm.unregister(name=CellPlugin.__name__)
    assert "[twitter]" in ours[("/ots/accounts", 1)][1], "the render_cell plugin was not asked"
    different = differences(ours, stock)
    assert not different, "(path, round, our status, stock status, our line, stock line):\n" + show(different)


def test_every_introspection_answer_can_be_changed_by_its_caller_without_changing_the_next(fresh_db):
    """The schema cache hands out copies (Datasette's code sometimes changes what it is given)."""
    datasette = make_datasette(fresh_db)
    asyncio.run(datasette.invoke_startup())
    db = datasette.get_database("ots")
    calls = {
        "table_names": (),
        "table_columns": ("follower_counts",),
        "table_column_details": ("follower_counts",),
        "primary_keys": ("follower_counts",),
        "foreign_keys_for_table": ("follower_counts",),
        "get_all_foreign_keys": (),
        "hidden_table_names": (),
    }

    def spoil(value):
        if isinstance(value, list):
            for item in value:
                spoil(item)
            value.append("spoiled")
        elif isinstance(value, dict):
            for item in value.values():
                spoil(item)
            value["spoiled"] = True

    async def go():
        changed = []
        for name, args in calls.items():
            first = await getattr(db, name)(*args)
            expected = repr(first)
            spoil(first)
            again = repr(await getattr(db, name)(*args))
            if again != expected:
                changed.append((name, expected[:100], again[:100]))
        return changed

    changed = asyncio.run(go())
    assert not changed, "(method, first answer, answer after its caller changed the first):\n" + show(changed)
