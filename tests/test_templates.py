"""templates/ overrides Datasette's own templates as little as possible, through Datasette's
documented extension points only: base.html is the installed Datasette's base.html with one change,
the language of the page (`<html lang="{{ ots_lang|default('en') }}">`: English but on the front page
in Turkish and Russian, whose plugin sets ots_lang; upstream since Datasette 1.0a14, issue #2348), so
an upgrade of Datasette that changes its base.html fails here until the copy is made again. Every other
template extends Datasette's own (`{% extends "default:..." %}`) and fills a block. No plugin edits
an installed template or replaces a Datasette function (checked below). Table pages collapse the
column descriptions into a <details> with a script on the `extra_body_script` hook
(datasette_site/ots_datasette/collapse_column_descriptions.py); a block for them in Datasette's table.html would let a
template do it (an upstream request worth making)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import datasette
from conftest import ROOT, datasette_fetcher, show

OURS = ROOT / "datasette_site" / "templates" / "base.html"
ORIGINAL = Path(datasette.__file__).parent / "templates" / "base.html"
# Our first line: a Jinja comment (it renders as nothing) saying what the copy changes.
COMMENT = re.compile(r"\{#-(.*?)-#\}\n")


def test_base_html_is_datasettes_own_with_only_the_page_language_and_main_landmark_added():
    ours = OURS.read_text(encoding="utf-8")
    original = ORIGINAL.read_text(encoding="utf-8")
    comment = COMMENT.match(ours)
    assert comment, f"{OURS.relative_to(ROOT)} should start with a {{#- comment -#}} saying what it changes"
    # English unless the page sets ots_lang (the front page in Turkish and Russian, landing_page.py)
    expected = original.replace("<html>", "<html lang=\"{{ ots_lang|default('en') }}\">", 1)
    content = '<section class="content">\n{% block content %}\n{% endblock %}\n</section>'
    assert content in expected, "Datasette's content section changed: review the copy"
    expected = expected.replace(content, content.replace("<section", "<main").replace("</section>", "</main>"))
    copy = ours[comment.end() :]
    assert copy == expected, "\n".join(
        difflib.unified_diff(
            expected.splitlines(),
            copy.splitlines(),
            f"Datasette {datasette.__version__}'s base.html with lang and main added",
            "datasette_site/templates/base.html (after its first comment)",
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


def test_every_other_template_extends_datasettes_own_and_fills_blocks():
    """A copied template forks Datasette; an override that extends it follows every upgrade."""
    copies = [
        p.name
        for p in (ROOT / "datasette_site" / "templates").glob("*.html")
        if p.name not in ("base.html", "_footer.html") and '{% extends "default:' not in p.read_text(encoding="utf-8")
    ]
    assert not copies, f"templates that do not extend Datasette's own: {copies}"


# Ways of changing Datasette rather than extending it: replacing its functions or methods, writing
# private attributes on its objects, editing its installed templates as they load. None is allowed
# in the project's plugins (issue 20); an exception would be listed here with its reason and the
# upstream issue that would remove it.
FORBIDDEN = {
    "replaces a Datasette method": re.compile(
        r"setattr\((Database|Datasette)\b|^\s*(Database|Datasette)\.[_a-z]+\s*=", re.M
    ),
    "replaces a view function": re.compile(r"\.display_columns_and_rows\s*="),
    "writes a private attribute on Datasette": re.compile(r"datasette\._[a-z]"),
    "edits an installed template": re.compile(r"datasette\.__file__|/ \"templates\"|edit_installed_template"),
}
ALLOWED_EXCEPTIONS: dict[tuple[str, str], str] = {}


def test_no_plugin_replaces_a_datasette_function_or_edits_its_templates():
    found = [
        (path.name, what)
        for path in sorted((ROOT / "datasette_site" / "ots_datasette").glob("*.py"))
        for what, pattern in FORBIDDEN.items()
        if pattern.search(path.read_text(encoding="utf-8")) and (path.name, what) not in ALLOWED_EXCEPTIONS
    ]
    assert not found, show(found)


def test_the_forbidden_patterns_find_what_they_forbid():
    """The check above cannot pass by matching nothing: each pattern finds its own example."""
    examples = {
        "replaces a Datasette method": "setattr(Datasette, 'expand_foreign_keys', wrapper)",
        "replaces a view function": "module.display_columns_and_rows = ours",
        "writes a private attribute on Datasette": "datasette._foreign_key_labels = {}",
        "edits an installed template": 'INSTALLED = Path(datasette.__file__).parent / "templates"',
    }
    assert all(FORBIDDEN[what].search(text) for what, text in examples.items())


# ---------------------------------------------------------------- column descriptions, collapsed


def test_table_pages_carry_the_script_that_collapses_the_column_descriptions(fresh_db):
    """The page is Datasette's own, with the script that wraps the <dl> in a <details> (what it
    does in a browser is checked in tests/test_browser.py)."""
    text = datasette_fetcher(fresh_db)("/ots/follower_counts").text
    assert '<dl class="column-descriptions">' in text and "column-descriptions-toggle" in text
    assert (
        "column-descriptions-toggle"
        not in datasette_fetcher(fresh_db)("/ots/follower_counts/altun-2023-t1-r01-twitter").text
    )


# What the plugins use of Datasette: the names its documentation (0.65's docs/internals.rst and
# docs/plugin_hooks.rst) describes. Anything else is listed in UNDOCUMENTED with the reason it is
# used and what would retire it; the test fails on a name in neither list, and on a listed name no
# plugin uses any more.
DOCUMENTED = {
    # QueryInterrupted: what db.execute raises past its custom_time_limit (internals.rst, "await db.execute")
    "import": {
        "hookimpl",
        "Datasette",
        "Database",
        "Request",
        "Response",
        "tilde_encode",
        "tilde_decode",
        "QueryInterrupted",
    },
    # render_template and client (internals.rst, ".render_template()", "datasette.client"): the front
    # page in Turkish and Russian
    # (landing_page.py) renders the index template on a route of its own and reads the metadata from
    # /-/metadata.json
    "datasette": {
        "absolute_url",
        "client",
        "databases",
        "get_database",
        "plugin_config",
        "render_template",
        "urls",
    },
    "db": {"execute", "execute_fn", "hidden_table_names", "primary_keys", "table_names", "view_names"},
}
UNDOCUMENTED = {
    ("datasette", "static_mounts"): (
        "cite_row.py and discovery.py find the releases folder as the folder mounted at /downloads/ "
        "(the downloads static mount), and serve_directory_index.py lists the folders of a mount, so the "
        "tests can point them at another folder. To retire: name the folders in plugin_config('ots'), "
        "written by ots_data/metadata.py from ots_data/serving.py."
    ),
}


def used_names() -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / "datasette_site" / "ots_datasette").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for names in re.findall(r"^from datasette[a-z._]* import ([A-Za-z_, ]+)$", text, re.M):
            found |= {("import", n.strip()) for n in names.split(",")}
        found |= {("datasette", n) for n in re.findall(r"\bdatasette\.([a-z_]+)\b", text)}
        found |= {("db", n) for n in re.findall(r"\bdb\.([a-z_]+)\b", text)}
    # module paths in imports (datasette.app, datasette.utils...) are not names of Datasette's API
    return {(kind, name) for kind, name in found if not (kind == "datasette" and name in ("app", "utils", "database"))}


def test_the_plugins_use_only_documented_datasette_names_or_listed_ones():
    undocumented = sorted(
        (kind, name) for kind, name in used_names() if name not in DOCUMENTED[kind] and (kind, name) not in UNDOCUMENTED
    )
    stale = sorted(set(UNDOCUMENTED) - used_names())
    assert not undocumented and not stale, f"not documented and not listed: {undocumented}; listed, unused: {stale}"
