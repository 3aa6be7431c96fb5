"""The two Datasette plugins in plugins/, through real Datasette objects configured by the one
serving configuration and Datasette's own in-process client (nothing is mocked).

cache_schema.py keeps the answers that cannot change: the schema of an immutable database and the
anonymous reader's permissions. Its caches must never apply to a mutable database, nor to a
signed-in actor. serve_directory_index.py serves index.html for a directory URL under /docs/ and
/downloads/ and redirects the bare prefix; every other request passes through untouched."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import contextmanager

import pytest
from conftest import make_datasette, show
from datasette import hookimpl
from datasette.database import Database
from datasette.plugins import pm

# Datasette registers each plugin of the project's plugins folder under its file name.
CACHE_SCHEMA = "cache_schema.py"
DIRECTORY_INDEX = "serve_directory_index.py"


def get_all(datasette, requests: list[tuple[str, dict | None]]) -> list:
    """GET each (path, cookies) in turn, in one event loop, as one reader's visits."""

    async def go():
        return [await datasette.client.get(path, cookies=cookies) for path, cookies in requests]

    return asyncio.run(go())


def signed_in(datasette, actor: dict) -> dict:
    """The cookie Datasette sets for a signed-in actor (its own ds_actor cookie, signed)."""
    return {"ds_actor": datasette.sign({"a": actor}, "actor")}


def scratch_database(path):
    conn = sqlite3.connect(path)
    conn.execute("create table notes (id integer primary key, body text)")
    conn.commit()
    conn.close()
    return path


# ---------------------------------------------------------------- cache_schema.py: the schema


def test_the_served_configuration_caches_every_introspection_method(fresh_db):
    """What the tests below rely on: the plugin is loaded and wraps each method it names."""
    datasette = make_datasette(fresh_db)
    asyncio.run(datasette.invoke_startup())
    names = pm.get_plugin(CACHE_SCHEMA).INTROSPECTION
    not_wrapped = [name for name in names if not hasattr(getattr(Database, name), "_cached_original")]
    assert not not_wrapped, "introspection methods the plugin does not wrap:\n" + show(not_wrapped)


def test_a_mutable_databases_schema_change_shows_on_the_next_request(fresh_db, tmp_path):
    """A database opened without -i, next to the immutable one: a column and a table added between
    two requests are served on the second (the immutable database's cache must not hide them)."""
    scratch = scratch_database(tmp_path / "scratch.db")
    datasette = make_datasette(fresh_db, files=[str(scratch)])
    requests = [("/ots/accounts.json?_size=1", None), ("/scratch/notes.json", None), ("/scratch/tags.json", None)]
    before = get_all(datasette, requests)
    conn = sqlite3.connect(scratch)
    conn.execute("alter table notes add column tag text")
    conn.execute("create table tags (tag text primary key)")
    conn.commit()
    conn.close()
    after = get_all(datasette, requests)
    seen = {
        "columns of notes": (before[1].json()["columns"], after[1].json()["columns"]),
        "status of the new table": (before[2].status_code, after[2].status_code),
    }
    expected = {"columns of notes": (["id", "body"], ["id", "body", "tag"]), "status of the new table": (404, 200)}
    wrong = [(what, seen[what], expected[what]) for what in expected if seen[what] != expected[what]]
    assert not wrong, "(what, before and after, expected):\n" + show(wrong)


# ---------------------------------------------------------------- cache_schema.py: permissions


class Gate:
    """A permission plugin, registered like any other, whose answer for viewing the accounts table
    the test sets (the project's own metadata never refuses anyone)."""

    __name__ = "test-permission-gate"  # Datasette lists plugins by name

    def __init__(self):
        self.answer = True

    @hookimpl
    def permission_allowed(self, actor, action, resource):
        if action == "view-table" and resource == ("ots", "accounts"):
            return self.answer
        return None


@pytest.fixture
def gate():
    gate = Gate()
    pm.register(gate, name=gate.__name__)
    try:
        yield gate
    finally:
        pm.unregister(name=gate.__name__)


def statuses_while_the_gate_changes(datasette, gate, cookies: dict | None) -> list[int]:
    """GET /ots/accounts with the gate open, closed, then open again."""

    async def go():
        statuses = []
        for answer in (True, False, True):
            gate.answer = answer
            statuses.append((await datasette.client.get("/ots/accounts?_size=1", cookies=cookies)).status_code)
        return statuses

    return asyncio.run(go())


def test_the_anonymous_readers_permissions_are_cached_when_every_database_is_immutable(fresh_db, gate):
    """The cache the next two tests fence in: the first answer stands (shows they are not vacuous)."""
    datasette = make_datasette(fresh_db)
    assert statuses_while_the_gate_changes(datasette, gate, None) == [200, 200, 200]


def test_a_signed_in_actor_is_never_answered_from_a_cache(fresh_db, gate):
    """The anonymous answer (allowed) is cached first; the actor then gets each current answer."""
    datasette = make_datasette(fresh_db)
    gate.answer = True
    assert get_all(datasette, [("/ots/accounts?_size=1", None)])[0].status_code == 200
    assert asyncio.run(datasette.permission_allowed(None, "view-table", ("ots", "accounts"))) is True
    actor = {"id": "alice"}
    statuses = statuses_while_the_gate_changes(datasette, gate, signed_in(datasette, actor))
    gate.answer = False
    direct = asyncio.run(datasette.permission_allowed(actor, "view-table", ("ots", "accounts")))
    assert (statuses, direct) == ([200, 403, 200], False), "(statuses while open, closed, open; direct check)"


def test_no_permission_is_cached_while_a_database_is_mutable(fresh_db, gate, tmp_path):
    datasette = make_datasette(fresh_db, files=[str(scratch_database(tmp_path / "scratch.db"))])
    assert statuses_while_the_gate_changes(datasette, gate, None) == [200, 403, 200]


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


def test_every_other_request_is_answered_as_without_the_plugin(fresh_db, static_mounts):
    with_plugin = make_datasette(fresh_db, static_mounts=static_mounts)
    with unregistered(DIRECTORY_INDEX):
        without = make_datasette(fresh_db, static_mounts=static_mounts, plugins_dir=None)
    requests = [(path, None) for path in UNTOUCHED]

    def seen(answer):
        return answer.status_code, answer.headers.get("location"), answer.text

    different = [
        (path, seen(a)[:2], seen(b)[:2], seen(a)[2][:60], seen(b)[2][:60])
        for path, a, b in zip(UNTOUCHED, get_all(with_plugin, requests), get_all(without, requests), strict=True)
        if seen(a) != seen(b)
    ]
    assert not different, "(path, with the plugin, without it):\n" + show(different)
