"""The caching and directory plugins in plugins/, through real Datasette objects configured by the
one serving configuration and Datasette's own in-process client (nothing is mocked; the SQL a
request runs is read from Datasette's own tracer).

cache_schema.py keeps the answers that cannot change: the schema of an immutable database (and its
catalogue in Datasette's _internal database) and the anonymous reader's permissions.
cache_labels.py keeps the labels of an immutable database's foreign keys. read_templates_once.py
reads each template once. Their caches must never apply to a mutable database, nor (permissions)
to a signed-in actor. serve_directory_index.py serves index.html for a directory URL under /docs/
and /downloads/ and redirects the bare prefix; every other request passes through untouched.
That the speed plugins change no page is checked in test_same_pages.py."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import contextmanager

import pytest
from conftest import datasette_fetcher, make_datasette, show
from datasette import hookimpl
from datasette.database import Database
from datasette.plugins import pm
from datasette.tracer import capture_traces

# Datasette registers each plugin of the project's plugins folder under its file name.
CACHE_SCHEMA = "cache_schema.py"
CACHE_LABELS = "cache_labels.py"
READ_TEMPLATES_ONCE = "read_templates_once.py"
DIRECTORY_INDEX = "serve_directory_index.py"


def get_all(datasette, requests: list[tuple[str, dict | None]]) -> list:
    """GET each (path, cookies) in turn, in one event loop, as one reader's visits."""

    async def go():
        return [await datasette.client.get(path, cookies=cookies) for path, cookies in requests]

    return asyncio.run(go())


def sql_of_each(datasette, paths: list[str]) -> list[list[str]]:
    """GET each path in turn; the SQL each request ran, as Datasette's own tracer records it."""

    async def go():
        runs = []
        for path in paths:
            traces = []
            with capture_traces(traces):
                await datasette.client.get(path)
            runs.append([" ".join(t["sql"].split()) for t in traces if t["type"] == "sql"])
        return runs

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


# ---------------------------------------------------------------- cache_schema.py: the catalogue
# Datasette refreshes its catalogue of every database's schema (in _internal) before each request,
# starting with a PRAGMA schema_version of each database.

REFRESH = "PRAGMA schema_version"


def test_with_only_immutable_databases_the_schema_catalogue_is_refreshed_once(fresh_db):
    runs = sql_of_each(make_datasette(fresh_db), ["/ots/accounts?_size=1"] * 3)
    refreshes = [sum(sql == REFRESH for sql in run) for run in runs]
    assert refreshes[0] > 0 and refreshes[1:] == [0, 0], f"schema_version queries of each request: {refreshes}"


def test_with_a_mutable_database_every_request_refreshes_the_schema_catalogue(fresh_db, tmp_path):
    datasette = make_datasette(fresh_db, files=[str(scratch_database(tmp_path / "scratch.db"))])
    runs = sql_of_each(datasette, ["/ots/accounts?_size=1"] * 3)
    refreshes = [sum(sql == REFRESH for sql in run) for run in runs]
    assert all(refreshes), f"schema_version queries of each request: {refreshes}"


def test_a_database_added_while_serving_is_in_the_schema_catalogue_after_the_next_request(fresh_db, tmp_path):
    datasette = make_datasette(fresh_db)
    scratch = scratch_database(tmp_path / "scratch.db")

    async def go():
        await datasette.client.get("/ots/accounts?_size=1")
        datasette.add_database(Database(datasette, path=str(scratch), is_mutable=False), name="scratch")
        await datasette.client.get("/ots/accounts?_size=1")
        rows = await datasette.get_database("_internal").execute("select database_name from databases")
        return sorted(row[0] for row in rows)

    catalogued = asyncio.run(go())
    assert "scratch" in catalogued, f"databases in the catalogue: {catalogued}"


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


# ---------------------------------------------------------------- cache_labels.py


def labelled_database(path):
    """owners (id, name: Datasette's label column) and pets pointing at them, one at a missing owner."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        create table owners (id integer primary key, name text);
        create table pets (id integer primary key, owner_id integer references owners(id));
        insert into owners values (1, 'Alice'), (2, 'Bea');
        insert into pets values (1, 1), (2, 2), (3, 99);
        """
    )
    conn.commit()
    conn.close()
    return path


def label_lookups(runs: list[list[str]], table: str) -> list[int]:
    return [sum(sql.startswith("select") and f"from {table} where" in sql for sql in run) for run in runs]


def test_an_immutable_databases_labels_are_looked_up_once(fresh_db):
    runs = sql_of_each(make_datasette(fresh_db), ["/ots/follower_counts"] * 3)
    lookups = label_lookups(runs, "accounts")
    assert lookups[0] > 0 and lookups[1:] == [0, 0], f"lookups of accounts' labels by each request: {lookups}"


def test_a_value_without_a_label_is_looked_up_again(fresh_db, tmp_path):
    """Owner 99 does not exist: no label, and none kept (a lookup stopped by the time limit also
    gives none, and must not hide a label for good)."""
    scratch = labelled_database(tmp_path / "scratch.db")
    datasette = make_datasette(fresh_db, immutables=[str(fresh_db), str(scratch)])
    lookups = label_lookups(sql_of_each(datasette, ["/scratch/pets?owner_id=99"] * 3), "owners")
    assert lookups == [1, 1, 1], f"lookups of owners' labels by each request: {lookups}"


def test_a_mutable_databases_changed_label_shows_on_the_next_page(fresh_db, tmp_path):
    scratch = labelled_database(tmp_path / "scratch.db")
    fetch = datasette_fetcher(fresh_db, files=[str(scratch)])
    before = fetch("/scratch/pets?id=1").text
    conn = sqlite3.connect(scratch)
    conn.execute("update owners set name = 'Alicia' where id = 1")
    conn.commit()
    conn.close()
    after = fetch("/scratch/pets?id=1").text
    seen = [(">Alice<" in before, ">Alicia<" in before), (">Alice<" in after, ">Alicia<" in after)]
    assert seen == [(True, False), (False, True)], f"(Alice shown, Alicia shown) before and after: {seen}"


def test_at_most_limit_labels_are_kept_per_database(fresh_db, tmp_path, monkeypatch):
    monkeypatch.setattr(pm.get_plugin(CACHE_LABELS), "LIMIT", 1)
    scratch = labelled_database(tmp_path / "scratch.db")
    datasette = make_datasette(fresh_db, immutables=[str(fresh_db), str(scratch)])
    get_all(datasette, [("/scratch/pets", None)])
    kept = datasette.__dict__.get("_foreign_key_labels", {}).get("scratch", {})
    assert len(kept) == 1, f"labels kept with LIMIT = 1: {kept}"


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
