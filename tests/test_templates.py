"""templates/ overrides Datasette's own templates as little as possible: base.html is the installed
Datasette's base.html with one change, the language of the page (`<html lang="en">`), so an
upgrade of Datasette that changes its base.html fails here until the copy is made again."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import datasette
from conftest import ROOT, datasette_fetcher

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
