"""The landing page (datasette_site/: templates/index.html with ots_datasette/landing_page.py): a
reader who opens `/`
finds what this is, the date the figures are as of, the version, the search, the main entry
points, how to cite and the documentation in three languages; every link on it answers; the
tables Datasette hides are not advertised and every other one is. Pages are fetched from Datasette
as the one serving configuration builds it (tests/conftest.py)."""

from __future__ import annotations

import datetime
import sqlite3
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import ROOT, datasette_fetcher, make_datasette, show
from support import DATA_ENTRY_POINTS

from ots_data.schema import load_descriptor
from ots_data.serving import STATIC_MOUNTS


class Page(HTMLParser):
    """The links, ids and forms of a page, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.forms: list[dict] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "method": attrs.get("method"), "inputs": []})
        if tag == "input" and self.forms:
            self.forms[-1]["inputs"].append(attrs)

    def handle_data(self, data):
        self.text.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture(scope="module")
def get(fresh_db):
    return datasette_fetcher(fresh_db)


@pytest.fixture(scope="module")
def landing(get) -> Page:
    answer = get("/")
    assert answer.status_code == 200, answer.status_code
    return Page(answer.text)


def local(links: list[str]) -> list[str]:
    return sorted({link for link in links if not urlsplit(link).netloc})


def test_the_landing_page_shows_the_date_the_figures_are_as_of_read_from_the_database(fresh_db, landing):
    conn = sqlite3.connect(fresh_db)
    dates = [d for (d,) in conn.execute("select distinct updated_on from article_tables order by 1")]
    conn.close()
    written = [f"{day:%B} {day.day}, {day.year}" for day in map(datetime.date.fromisoformat, dates)]
    missing = [text for text in written if f"Figures as of {text}" not in landing.plain]
    assert dates and not missing, f"as-of dates {dates} not shown as {missing}"


def test_the_landing_page_shows_the_data_package_version(landing):
    version = load_descriptor(ROOT / "datapackage.yaml")["version"]
    assert f"Data package version {version}" in landing.plain, f"version {version} not on the page"


def test_the_search_box_runs_the_everything_search_with_its_parameter(get, landing, metadata):
    query = metadata["databases"]["ots"]["queries"]["search_everything"]
    searches = [form for form in landing.forms if form["action"] == "/ots/search_everything"]
    names = [i.get("name") for form in searches for i in form["inputs"] if i.get("type") in ("search", "text")]
    assert names == ["q"] and ":q" in query["sql"], f"forms {landing.forms}; the query takes :q"
    assert searches[0]["method"] == "get"
    answer = get("/ots/search_everything.json", q="cavusoglu", _shape="array")
    found = {row["table_name"] for row in answer.json()} if answer.status_code == 200 else answer.status_code
    assert "actors" in found, f"a search from the box for cavusoglu finds {found}"


ENTRY_POINTS = [
    *DATA_ENTRY_POINTS,
    "/docs/#how-to-cite",
    "/docs/downloads/",
    "/docs/",
    "/docs/tr/",
    "/docs/ru/",
]


def test_the_landing_page_links_the_main_entry_points_citation_and_docs_in_three_languages(landing):
    missing = [path for path in ENTRY_POINTS if path not in landing.links]
    assert not missing, f"entry points not linked: {missing}"


def test_the_entry_points_come_in_reading_order(landing):
    order = [landing.links.index(path) for path in DATA_ENTRY_POINTS if path in landing.links]
    assert order == sorted(order), show(p for p in DATA_ENTRY_POINTS if p in landing.links)


def tables_and_views(fresh_db) -> set[str]:
    conn = sqlite3.connect(fresh_db)
    names = {n for (n,) in conn.execute("select name from sqlite_master where type in ('table', 'view')")}
    conn.close()
    return names


def test_every_table_a_reader_may_want_is_linked_and_no_internal_one(fresh_db, landing):
    async def hidden():
        datasette = make_datasette(fresh_db)
        await datasette.invoke_startup()
        return set(await datasette.get_database("ots").hidden_table_names())

    import asyncio

    internal = asyncio.run(hidden())
    linked = {urlsplit(link).path.removeprefix("/ots/") for link in landing.links if link.startswith("/ots/")}
    names = tables_and_views(fresh_db)
    advertised = sorted(linked & internal)
    missing = sorted(names - internal - linked)
    assert any("_fts" in n for n in internal), f"hidden tables: {sorted(internal)}"
    assert not advertised and not missing, f"internal tables linked: {advertised}; tables not linked: {missing}"


def test_every_datasette_link_on_the_landing_page_answers_200(get, landing):
    paths = [link for link in local(landing.links) if not link.startswith("/docs/")]
    failed = [(path, status) for path in paths if (status := get(path).status_code) != 200]
    assert paths and not failed, "(link, status):\n" + show(failed)


def test_the_landing_page_links_to_no_other_host_than_the_licence_and_datasette(landing, metadata):
    hosts = sorted({urlsplit(link).netloc for link in landing.links} - {""})
    expected = {urlsplit(metadata["license_url"]).netloc, "datasette.io"}
    assert set(hosts) <= expected, f"links to {hosts}"


@pytest.mark.slow  # builds the documentation site (docs_site)
def test_every_docs_link_on_the_landing_page_answers_200_with_its_anchor(fresh_db, docs_site, landing):
    mounts = [(prefix, str(docs_site if prefix == "docs" else folder)) for prefix, folder in STATIC_MOUNTS.items()]
    get = datasette_fetcher(fresh_db, static_mounts=mounts)
    failed = []
    for link in [link for link in local(landing.links) if link.startswith("/docs/")]:
        parts = urlsplit(link)
        answer = get(parts.path, **{k: v[0] for k, v in parse_qs(parts.query).items()})
        if answer.status_code != 200:
            failed.append((link, answer.status_code))
        elif parts.fragment and parts.fragment not in Page(answer.text).ids:
            failed.append((link, f"200, but no id {parts.fragment!r}"))
    assert not failed, "(link, answer):\n" + show(failed)
