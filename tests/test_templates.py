"""templates/ overrides Datasette's own templates as little as possible: base.html is the installed
Datasette's base.html with one change, the language of the page (`<html lang="en">`), so an
upgrade of Datasette that changes its base.html fails here until the copy is made again.
_table.html hands the <table> of table and row pages to plugins/table_html.py (the same HTML,
faster: tests/test_same_pages.py compares them), or, when that plugin does not write it, includes
Datasette's own _table.html."""

from __future__ import annotations

import asyncio
import difflib
import re
import shutil
from pathlib import Path

import datasette
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
    stock = tmp_path / "stock-templates"
    stock.mkdir()
    shutil.copy(OURS, stock / "base.html")
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
