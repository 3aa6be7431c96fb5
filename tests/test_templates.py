"""templates/ overrides Datasette's own templates as little as possible: base.html is the installed
Datasette's base.html with one change, the language of the page (`<html lang="en">`), so an
upgrade of Datasette that changes its base.html fails here until the copy is made again.
_table.html hands the <table> of table and row pages to plugins/table_html.py (the same HTML,
faster: tests/test_same_pages.py compares them), or, when that plugin does not write it, includes
Datasette's own _table.html. Table pages collapse the column descriptions into a <details>
(plugins/column_descriptions.py changes the installed Datasette's table.html as it is loaded, so
no copy of it is kept): checked here against the installed template, and on the pages."""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import re
import shutil
from pathlib import Path

import datasette
import pytest
from conftest import ROOT, datasette_fetcher, make_datasette, show
from datasette.plugins import pm

OURS = ROOT / "templates" / "base.html"
ORIGINAL = Path(datasette.__file__).parent / "templates" / "base.html"
# Our first line: a Jinja comment (it renders as nothing) saying what the copy changes.
COMMENT = re.compile(r"\{#-(.*?)-#\}\n")


def test_base_html_is_datasettes_own_with_only_the_page_language_added():
    ours = OURS.read_text(encoding="utf-8")
    original = ORIGINAL.read_text(encoding="utf-8")
    comment = COMMENT.match(ours)
    assert comment, f"{OURS.relative_to(ROOT)} should start with a {{#- comment -#}} saying what it changes"
    expected = original.replace("<html>", '<html lang="en">', 1)
    copy = ours[comment.end() :]
    assert copy == expected, "\n".join(
        difflib.unified_diff(
            expected.splitlines(),
            copy.splitlines(),
            f"Datasette {datasette.__version__}'s base.html with lang added",
            "templates/base.html (after its first comment)",
            lineterm="",
            n=1,
        )
    )


def test_base_html_names_the_datasette_version_it_copies():
    comment = COMMENT.match(OURS.read_text(encoding="utf-8"))
    named = re.findall(r"Datasette (\d+(?:\.\d+)+)", comment.group(1) if comment else "")
    assert named == [datasette.__version__], (
        f"the comment names {named}; Datasette {datasette.__version__} is installed"
    )


def test_datasette_pages_are_rendered_with_the_projects_base_template(fresh_db):
    get = datasette_fetcher(fresh_db)
    without = [path for path in ("/", "/ots", "/ots/follower_counts") if '<html lang="en">' not in get(path).text]
    assert not without, f'pages without <html lang="en">: {without}'


def test_without_its_plugin_the_table_override_writes_datasettes_own_table(fresh_db, tmp_path):
    """What an upgraded Datasette whose _table.html the plugin does not reproduce serves: pages as
    with Datasette's own templates."""
    # Every other override (the page language, the footer, the row pages' citation) stays.
    stock = tmp_path / "stock-templates"
    shutil.copytree(ROOT / "templates", stock, ignore=shutil.ignore_patterns("_table.html"))
    paths = [
        "/ots/follower_counts",
        "/ots/accounts?_sort_desc=platform",
        "/ots/accounts?platform=none",
        "/ots/sources/x",
    ]
    make_datasette(fresh_db)  # registers the project's plugins, so that the one below can be taken out
    plugin = pm.unregister(name="table_html.py")
    try:

        async def pages(template_dir):
            datasette = make_datasette(fresh_db, plugins_dir=None, template_dir=str(template_dir))
            answers = [await datasette.client.get(path) for path in paths]
            return [re.sub(r"Queries took [0-9.]+ms", "", answer.text) for answer in answers]

        ours, theirs = asyncio.run(pages(ROOT / "templates")), asyncio.run(pages(stock))
    finally:
        if plugin is not None:
            pm.register(plugin, name="table_html.py")
    different = [(path, len(a), len(b)) for path, a, b in zip(paths, ours, theirs, strict=True) if a != b]
    assert not different, "(path, bytes with templates/, with Datasette's own):\n" + show(different)


# ---------------------------------------------------------------- column descriptions, collapsed

COLUMN_DESCRIPTIONS = "column_descriptions.py"


def test_the_column_descriptions_change_was_checked_against_the_installed_table_html():
    plugin = pm.get_plugin(COLUMN_DESCRIPTIONS) or pytest.fail(f"plugins/{COLUMN_DESCRIPTIONS} is not registered")
    installed = plugin.DATASETTES_TEMPLATE.read_text(encoding="utf-8")
    found = {
        "sha256": hashlib.sha256(installed.encode("utf-8")).hexdigest(),
        "blocks": installed.count(plugin.BLOCK),
    }
    assert plugin.applies_to_installed_template(), (
        f"Datasette {datasette.__version__}'s table.html is {found}, not the one plugins/{COLUMN_DESCRIPTIONS} "
        f"was checked against ({plugin.CHECKED_SHA256}, its BLOCK once): table pages show every column "
        "description again; compare BLOCK with the new template, then update CHECKED_SHA256"
    )


def test_table_pages_collapse_the_column_descriptions_and_change_nothing_else(fresh_db, metadata):
    """The page with the plugin is Datasette's own page with the <dl> wrapped in a closed <details>."""
    path = "/ots/follower_counts"
    make_datasette(fresh_db)  # registers the project's plugins, so that the one below can be taken out

    async def page(**changes):
        answer = await make_datasette(fresh_db, **changes).client.get(path)
        return re.sub(r"Queries took [0-9.]+ms", "", answer.text).splitlines()

    ours = asyncio.run(page())
    plugin = pm.unregister(name=COLUMN_DESCRIPTIONS)
    try:
        theirs = asyncio.run(page(plugins_dir=None))
    finally:
        pm.register(plugin, name=COLUMN_DESCRIPTIONS)
    described = len(metadata["databases"]["ots"]["tables"]["follower_counts"]["columns"])
    changes = [line for line in difflib.ndiff(theirs, ours) if line[:2] in ("+ ", "- ")]
    expected = [
        '+ <details class="column-descriptions-toggle">',
        f"+ <summary>Column descriptions ({described})</summary>",
        "+ </details>",
    ]
    assert changes == expected, f"{path}: changes from Datasette's own page:\n" + show(changes)


def test_the_column_descriptions_come_before_the_search_and_the_rows(fresh_db):
    text = datasette_fetcher(fresh_db)("/ots/follower_counts").text
    order = [
        text.find(mark) for mark in ("<summary>Column descriptions", "</details>", '<form class="filters"', "<table")
    ]
    assert -1 not in order and order == sorted(order), f"positions of summary, its end, filters, rows: {order}"
