"""The template and directory plugins in datasette_site/ots_datasette/, through real Datasette objects configured by the
one serving configuration and Datasette's own in-process client (nothing is mocked).

read_templates_once.py reads each template once. serve_directory_index.py serves index.html for a
directory URL under /docs/ and /downloads/ and redirects the bare prefix; every other request
passes through untouched."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager

import pytest
from conftest import datasette_fetcher, make_datasette, show
from datasette.plugins import pm

# Datasette registers each module of the project's plugin under its entry point's name (pyproject.toml).
READ_TEMPLATES_ONCE = "ots_read_templates_once"
DIRECTORY_INDEX = "ots_serve_directory_index"


def get_all(datasette, requests: list[tuple[str, dict | None]]) -> list:
    """GET each (path, cookies) in turn, in one event loop, as one reader's visits."""

    async def go():
        return [await datasette.client.get(path, cookies=cookies) for path, cookies in requests]

    return asyncio.run(go())


# ---------------------------------------------------------------- read_templates_once.py


def test_a_template_is_read_once_per_process(fresh_db, tmp_path):
    """The rule the plugin sets: a template changed while Datasette runs takes effect on restart."""
    (tmp_path / "pages").mkdir()
    page = tmp_path / "pages" / "hello.html"
    page.write_text("first", encoding="utf-8")
    datasette = make_datasette(fresh_db, template_dir=str(tmp_path))

    async def go():
        first = (await datasette.client.get("/hello")).text
        page.write_text("second", encoding="utf-8")
        return first, (await datasette.client.get("/hello")).text

    seen = asyncio.run(go())
    seen += (datasette_fetcher(fresh_db, template_dir=str(tmp_path))("/hello").text,)
    assert seen == ("first", "first", "second"), f"(first page, after the change, after a restart): {seen}"


@pytest.mark.slow  # asks for more missing templates than the limit: about five seconds
def test_at_most_limit_missing_templates_are_remembered(fresh_db, monkeypatch):
    monkeypatch.setattr(pm.get_plugin(READ_TEMPLATES_ONCE), "LIMIT", 5)
    datasette = make_datasette(fresh_db)
    get_all(datasette, [(f"/no-such-page-{i}", None) for i in range(10)])
    missing = datasette.jinja_env.loader.missing
    assert len(missing) == 5, f"names remembered with LIMIT = 5: {sorted(missing)}"


# ---------------------------------------------------------------- serve_directory_index.py

FILES = {
    "docs/index.html": "<p>docs home</p>",
    "docs/guide/index.html": "<p>a guide</p>",
    "docs/page.html": "<p>a page</p>",
    "downloads/index.html": "<p>downloads</p>",
    "other/index.html": "<p>a mount the plugin does not handle</p>",
}


@pytest.fixture
def static_mounts(tmp_path):
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [(prefix, str(tmp_path / prefix)) for prefix in ("docs", "downloads", "other")]


@contextmanager
def unregistered(name: str):
    """Datasette as it is without one of the project's plugins (registered again afterwards)."""
    plugin = pm.unregister(name=name)
    try:
        yield
    finally:
        pm.register(plugin, name=name)


def test_a_directory_url_under_docs_or_downloads_serves_its_index_html(fresh_db, static_mounts):
    expected = {
        "/docs/": "docs/index.html",
        "/docs/guide/": "docs/guide/index.html",
        "/downloads/": "downloads/index.html",
    }
    datasette = make_datasette(fresh_db, static_mounts=static_mounts)
    answers = get_all(datasette, [(path, None) for path in expected])
    wrong = [
        (path, answer.status_code, answer.text[:80])
        for (path, file), answer in zip(expected.items(), answers, strict=True)
        if (answer.status_code, answer.text) != (200, FILES[file])
    ]
    assert not wrong, show(wrong)


def test_a_bare_prefix_redirects_to_its_folder_keeping_the_query(fresh_db, static_mounts):
    expected = {"/docs": "/docs/", "/downloads": "/downloads/", "/docs?lang=tr&x=1": "/docs/?lang=tr&x=1"}
    datasette = make_datasette(fresh_db, static_mounts=static_mounts)
    answers = get_all(datasette, [(path, None) for path in expected])
    wrong = [
        (path, answer.status_code, answer.headers.get("location"))
        for (path, location), answer in zip(expected.items(), answers, strict=True)
        if (answer.status_code, answer.headers.get("location")) != (302, location)
    ]
    assert not wrong, show(wrong)


# Requests the plugin must leave alone: files, a folder without its slash, a look-alike prefix, a
# folder under another mount, and Datasette's own pages and API.
UNTOUCHED = [
    "/docs/page.html",
    "/docs/guide/index.html",
    "/docs/guide",
    "/docsx",
    "/other/",
    "/downloads/index.html",
    "/-/versions.json",
    "/ots/accounts.json?_shape=array&_size=3",
    "/ots/accounts.json?_shape=array&_size=3&path=/docs/",
]


@pytest.mark.slow  # two Datasettes, every kind of page
def test_every_other_request_is_answered_as_without_the_plugin(fresh_db, static_mounts):
    with_plugin = make_datasette(fresh_db, static_mounts=static_mounts)
    with unregistered(DIRECTORY_INDEX):
        without = make_datasette(fresh_db, static_mounts=static_mounts)
    requests = [(path, None) for path in UNTOUCHED]

    def seen(answer):
        return answer.status_code, answer.headers.get("location"), answer.text

    different = [
        (path, seen(a)[:2], seen(b)[:2], seen(a)[2][:60], seen(b)[2][:60])
        for path, a, b in zip(UNTOUCHED, get_all(with_plugin, requests), get_all(without, requests), strict=True)
        if seen(a) != seen(b)
    ]
    assert not different, "(path, with the plugin, without it):\n" + show(different)


# ---------------------------------------------------------------- the package


def test_every_module_of_the_plugin_package_is_loaded_from_its_entry_point():
    """datasette_site/ots_datasette/ is one package; each module is an entry point of the `datasette`
    group (pyproject.toml), so Datasette loads it with no plugins folder. A module without an entry
    point would silently never run; an entry point without a module would stop Datasette starting."""
    import tomllib
    from importlib.metadata import entry_points

    from conftest import ROOT

    modules = {p.stem for p in (ROOT / "datasette_site" / "ots_datasette").glob("*.py")} - {"__init__"}
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["datasette"]
    installed = {ep.name: ep.value for ep in entry_points(group="datasette") if ep.value.startswith("ots_datasette.")}
    registered = {name: pm.get_plugin(name).__name__ for name in declared if pm.get_plugin(name) is not None}
    expected = {f"ots_{m}": f"ots_datasette.{m}" for m in modules}
    assert (declared, installed, registered) == (expected, expected, expected), show(
        [("declared", declared), ("installed", installed), ("registered", registered), ("modules", expected)]
    )


def test_a_directory_url_with_letters_beyond_ascii_is_answered_as_its_index_file_is(fresh_db, static_mounts, tmp_path):
    """The rewritten request must stay a valid one (its raw path percent-encoded), not an error: it
    gets the answer Datasette's static handler gives the index file itself (0.65 does not decode
    such a path, so 404; the docs' folders are ASCII)."""
    folder = tmp_path / "docs" / "dış-kaynaklar"
    folder.mkdir()
    (folder / "index.html").write_text("<p>dış</p>", encoding="utf-8")
    datasette = make_datasette(fresh_db, static_mounts=static_mounts)
    directory, file, missing = get_all(
        datasette,
        [
            ("/docs/d%C4%B1%C5%9F-kaynaklar/", None),
            ("/docs/d%C4%B1%C5%9F-kaynaklar/index.html", None),
            ("/docs/%D1%8B/", None),
        ],
    )
    assert (directory.status_code, directory.text) == (file.status_code, file.text), (
        directory.status_code,
        file.status_code,
    )
    assert directory.status_code < 500 and missing.status_code == 404, (directory.status_code, missing.status_code)
