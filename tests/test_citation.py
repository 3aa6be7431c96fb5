"""Cite this figure (issue 11, item 2): every row page of the tables readers cite shows the dataset
and the version to cite, the row's stable address, its place in the article, an APA citation and a
link to the immutable release file that holds the row (datasette_site/: templates/row.html,
ots_datasette/cite_row.py; ots_data/citation.py). The version cited is the newest *published*
release holding the row; the page says when it shows a version in preparation, values that differ
from that release, or a row no release holds. And no row id of the previous release disappears
without the changelog (or an erratum) saying why.

Pages are fetched from Datasette as the one serving configuration builds it (tests/conftest.py),
the release files from the folder it serves at /downloads/ (dist/)."""

from __future__ import annotations

import asyncio
import csv
import difflib
import io
import json
import re
import shutil
import sqlite3
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, datasette_fetcher, make_datasette, read_csv, show

from ots_data.release import changelog_entry, published
from ots_data.schema import load_descriptor, load_resources
from ots_data.serving import STATIC_MOUNTS

# The tables a reader cites row by row, as the project's plugins are told (metadata.yml).
CITED_TABLES = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["plugins"]["ots"]["cited_tables"]
DIST = STATIC_MOUNTS["downloads"]
RESOURCES = {r.name: r for r in load_resources(ROOT / "datapackage.yaml")}
VERSION = load_descriptor(ROOT / "datapackage.yaml")["version"]


def key_of(table: str) -> str:
    (column,) = RESOURCES[table].primary_key
    return column


def first_row(table: str) -> dict:
    return read_csv(ROOT / RESOURCES[table].path)[0]


class Block(HTMLParser):
    """The "Cite this" block of a page (empty when there is none): its text by class, the href of
    each link by class, and all its text."""

    def __init__(self, page: str) -> None:
        super().__init__()
        start = page.find('<section class="ots-cite"')
        self.found = start >= 0
        self.classes: list[str] = []  # the class of each element we are in (no void elements here)
        self.text: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.words: list[str] = []
        if self.found:
            self.feed(page[start : page.index("</section>", start)])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.classes.append(attrs.get("class") or "")
        if tag == "a" and attrs.get("class"):
            self.links[attrs["class"]] = attrs["href"]

    def handle_endtag(self, tag):
        self.classes.pop()

    def handle_data(self, data):
        self.words.append(data)
        for name in filter(None, self.classes):
            self.text[name] = self.text.get(name, "") + data

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.words).split())


def newest_release_holding(table: str, key: str) -> dict | None:
    for release in reversed(published(DIST)):
        rows = read_csv(DIST / release["version"] / "data" / f"{table}.csv")
        if any(row[key_of(table)] == key for row in rows):
            return release
    return None


@pytest.fixture(scope="module")
def get(fresh_db):
    return datasette_fetcher(fresh_db)


@pytest.fixture(scope="module")
def blocks(get) -> dict[str, tuple[dict, Block]]:
    """The first row of each cited table and the block on its page."""
    found = {}
    for table in CITED_TABLES:
        row = first_row(table)
        answer = get(f"/ots/{table}/{row[key_of(table)]}")
        assert answer.status_code == 200, (table, answer.status_code)
        found[table] = (row, Block(answer.text))
    return found


@pytest.mark.parametrize("table", CITED_TABLES)
def test_a_row_page_shows_the_citation_block_with_version_address_locator_and_release_link(blocks, table):
    row, block = blocks[table]
    key = row[key_of(table)]
    release = newest_release_holding(table, key)
    expected = {
        "block": block.found,
        "version": block.text.get("ots-cite-version") == (release["version"] if release else None),
        "stable address": block.links.get("ots-cite-url") == f"http://localhost/ots/{table}/{key}",
        "locator": row["source_locator"] in block.text.get("ots-cite-locator", ""),
        "release link": block.links.get("ots-cite-file")
        == (f"/downloads/{release['version']}/data/{table}.csv" if release else None),
    }
    missing = [what for what, ok in expected.items() if not ok]
    assert not missing, f"/ots/{table}/{key}: wrong or missing {missing}; block text: {block.plain[:800]}"


@pytest.mark.parametrize("table", CITED_TABLES)
def test_the_release_link_answers_200_with_a_file_that_holds_the_row(get, blocks, table):
    row, block = blocks[table]
    key = row[key_of(table)]
    link = block.links.get("ots-cite-file") or pytest.fail(f"/ots/{table}/{key}: no release link")
    answer = get(link)
    ids = [r[key_of(table)] for r in csv.DictReader(io.StringIO(answer.text))] if answer.status_code == 200 else []
    assert answer.status_code == 200 and key in ids, f"{link}: status {answer.status_code}; {key} in it: {key in ids}"


@pytest.mark.parametrize("table", CITED_TABLES)
def test_the_apa_text_names_the_version_and_the_place_in_the_article(blocks, table):
    row, block = blocks[table]
    apa = block.text.get("ots-cite-text", "")
    release = newest_release_holding(table, row[key_of(table)])
    wanted = [f"(Version {release['version']}) [Data set]", row["source_locator"], row[key_of(table)]]
    missing = [text for text in wanted if text not in apa]
    assert apa and not missing, f"APA text {apa!r} lacks {missing}"


@pytest.mark.parametrize("table", CITED_TABLES)
def test_the_page_says_when_it_shows_a_version_in_preparation(blocks, table):
    _, block = blocks[table]
    preparing = changelog_entry(VERSION)[0] is None  # CHANGELOG.md: "## [<version>] - Unreleased"
    says = f"This page shows version {VERSION}, in preparation" in block.plain
    assert says == preparing, f"version {VERSION} in preparation: {preparing}; the page says so: {says}"


def changed_rows(table: str, release: str) -> dict[str, list[str]]:
    """The rows of a table that differ between a release's CSV and data/, with the columns."""
    old = {r[key_of(table)]: r for r in read_csv(DIST / release / "data" / f"{table}.csv")}
    new = {r[key_of(table)]: r for r in read_csv(ROOT / RESOURCES[table].path)}
    return {
        key: sorted(c for c in new[key].keys() | old[key].keys() if new[key].get(c) != old[key].get(c))
        for key in sorted(old.keys() & new.keys())
        if old[key] != new[key]
    }


def one_release(tmp_path: Path, version: str) -> tuple[Path, Path]:
    """A releases folder holding only the newest release's files, published as `version`:
    (the folder, the release's own folder)."""
    newest = published(DIST)[-1]
    dist = tmp_path / "dist"
    shutil.copytree(DIST / newest["version"], dist / version)
    release = {**newest, "version": version, "path": f"/downloads/{version}/"}
    (dist / "releases.json").write_text(json.dumps({"releases": [release]}), encoding="utf-8")
    return dist, dist / version


def edit_released_errata(folder: Path, rows: list[dict], sql: str, key: str) -> None:
    """Give a release's errata these rows in its CSV, and run `sql` (with `key`) on its database."""
    with open(folder / "data" / "errata.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    conn = sqlite3.connect(folder / "ots.db")
    conn.execute(sql, [key])
    conn.commit()
    conn.close()


@pytest.fixture
def dist_with_a_changed_row(tmp_path) -> tuple[Path, str, str]:
    """One release, an older version than the one served (0.0.1), in which the first erratum's
    `record` and `status` differ from data/: a row that changed since the cited release, whatever
    the state of the real releases."""
    dist, folder = one_release(tmp_path, "0.0.1")
    key = first_row("errata")["erratum_id"]
    rows = read_csv(folder / "data" / "errata.csv")
    for row in rows:
        if row["erratum_id"] == key:
            row["record"] = "An older record."
            row["status"] = "confirmed" if row["status"] == "unverified" else "unverified"
    edit_released_errata(
        folder,
        rows,
        "update errata set record = 'An older record.', "
        "status = case status when 'unverified' then 'confirmed' else 'unverified' end where erratum_id = ?",
        key,
    )
    return dist, "0.0.1", key


def test_a_row_that_differs_from_the_cited_release_names_the_columns_that_differ(fresh_db, dist_with_a_changed_row):
    dist, version, key = dist_with_a_changed_row
    mounts = [(prefix, str(dist if prefix == "downloads" else folder)) for prefix, folder in STATIC_MOUNTS.items()]
    plain = Block(datasette_fetcher(fresh_db, static_mounts=mounts)(f"/ots/errata/{key}").text).plain
    # The columns that differ, read from the two CSVs: record and status (edited by the fixture), and
    # whatever else changed since the release the fixture copied (a column added or removed counts).
    released = next(r for r in read_csv(dist / version / "data" / "errata.csv") if r["erratum_id"] == key)
    current = first_row("errata")
    differ = sorted(c for c in set(released) | set(current) if released.get(c) != current.get(c))
    assert {"record", "status"} <= set(differ)
    assert f"In {version} this row differs in: {', '.join(differ)}." in plain, plain[:800]


def test_an_unchanged_row_is_said_to_be_the_same_as_in_the_cited_release(get):
    releases = published(DIST)
    newest = releases[-1]["version"] if releases else pytest.skip("no published release")
    table = "follower_counts"
    released = {r[key_of(table)] for r in read_csv(DIST / newest / "data" / f"{table}.csv")}
    unchanged = sorted(released - set(changed_rows(table, newest)))
    plain = Block(get(f"/ots/{table}/{unchanged[0]}").text).plain
    if VERSION == newest:
        assert "differs" not in plain and "This page shows" not in plain, plain[:600]
    else:
        assert f"This row is the same in {newest}" in plain, plain[:600]


@pytest.fixture
def dist_without_a_row(tmp_path) -> tuple[Path, str, str]:
    """One release, the newest, from which the first erratum has been taken out (of its CSV and
    its database): a row no published release holds."""
    dist, folder = one_release(tmp_path, published(DIST)[-1]["version"])
    key = first_row("errata")["erratum_id"]
    rows = [r for r in read_csv(folder / "data" / "errata.csv") if r["erratum_id"] != key]
    edit_released_errata(folder, rows, "delete from errata where erratum_id = ?", key)
    return dist, "errata", key


def test_a_row_no_published_release_holds_is_cited_without_a_release_link(fresh_db, dist_without_a_row):
    dist, table, key = dist_without_a_row
    mounts = [(prefix, str(dist if prefix == "downloads" else folder)) for prefix, folder in STATIC_MOUNTS.items()]
    block = Block(datasette_fetcher(fresh_db, static_mounts=mounts)(f"/ots/{table}/{key}").text)
    found = {
        "says no release holds it": "no published release holds this row yet" in block.plain,
        "no release link": "ots-cite-file" not in block.links,
        "APA of the version shown, unreleased": f"(Version {VERSION}, unreleased) [Data set]"
        in block.text.get("ots-cite-text", ""),
    }
    assert all(found.values()), f"{found}; block: {block.plain[:800]}"


def test_row_pages_of_other_tables_have_no_citation_block(get):
    pages = ["/ots/sources/altun-2023", "/ots/states/TR", "/ots/actor_listings/t1-r01"]
    with_block = [path for path in pages if 'class="ots-cite"' in get(path).text]
    assert not with_block, f"pages of tables not cited row by row with a citation block: {with_block}"


def pages_with_and_without_our_row_template(fresh_db, tmp_path, path: str) -> tuple[str, str]:
    """The page at `path` with the project's templates, and with them less row.html (so Datasette's own
    row.html), the query time taken out."""
    without = tmp_path / "templates"
    if not without.exists():
        shutil.copytree(ROOT / "datasette_site" / "templates", without)
        (without / "row.html").unlink()

    async def page(template_dir):
        answer = await make_datasette(fresh_db, template_dir=str(template_dir)).client.get(path)
        return re.sub(r"Queries took [0-9.]+ms", "", answer.text)

    return asyncio.run(page(ROOT / "datasette_site" / "templates")), asyncio.run(page(without))


def line_changes(theirs: str, ours: str) -> list[str]:
    return [
        line
        for line in difflib.ndiff(theirs.splitlines(), ours.splitlines())
        if line[:2] in ("+ ", "- ") and line[2:].strip()
    ]


def content(page: str) -> tuple[str, str]:
    """(the page's content element, what is around it): base.html's content, up to the footer."""
    start, end = page.index('class="content">'), page.index("<footer")
    return page[start:end], page[:start] + page[end:]


@pytest.mark.parametrize("path", ["/ots/sources/altun-2023", "/ots/actor_listings/t1-r01", "/ots/states/TR"])
def test_the_row_page_of_a_table_not_cited_is_datasettes_own(fresh_db, tmp_path, path):
    """datasette_site/templates/row.html extends Datasette's own row.html (no copy to drift from it):
    a row page of a table readers do not cite is exactly the page Datasette's own template writes."""
    ours, theirs = pages_with_and_without_our_row_template(fresh_db, tmp_path, path)
    changes = line_changes(theirs, ours)
    assert not changes, f"{path}: changes from Datasette's own row page:\n" + show(changes)


def test_a_cited_row_page_keeps_datasettes_own_page_around_the_record(fresh_db, tmp_path):
    """On a cited row page the record replaces Datasette's heading and one-row table only: the page
    around the content is Datasette's own, and every other line Datasette writes in the content
    (the description, licence and source, "This data as" json, "Links from other tables") is kept,
    in order; the citation block and its script are in the content."""
    path = f"/ots/accounts/{first_row('accounts')['account_id']}"
    ours, theirs = pages_with_and_without_our_row_template(fresh_db, tmp_path, path)
    (our_content, our_frame), (their_content, their_frame) = content(ours), content(theirs)
    frame_changes = line_changes(their_frame, our_frame)
    replaced = re.sub(r'<div class="table-wrapper">.*?</table>\s*</div>', "", their_content, flags=re.S)
    replaced = re.sub(r"<h1 [^>]*>.*?</h1>", "", replaced, flags=re.S)
    kept = [line.strip() for line in replaced.splitlines() if line.strip()]
    missing = [
        line[2:]
        for line in difflib.ndiff(kept, [line.strip() for line in our_content.splitlines() if line.strip()])
        if line.startswith("- ")
    ]
    assert "table-wrapper" in their_content and "This data as" in replaced and "Links from other tables" in replaced
    assert not frame_changes, f"{path}: changes around the content:\n" + show(frame_changes)
    assert not missing, f"{path}: lines of Datasette's own content missing from the record page:\n" + show(missing)
    assert '<section class="ots-cite"' in our_content and "button.ots-cite-copy" in our_content
    assert "table-wrapper" not in our_content, f"{path}: the one-row table is still there"


@pytest.mark.slow  # every row page of the seven tables, about 300
def test_every_cited_row_links_a_release_file_that_holds_it_or_says_none_does(get):
    wrong = []
    for table in CITED_TABLES:
        files: dict[str, set[str]] = {}
        for row in read_csv(ROOT / RESOURCES[table].path):
            key = row[key_of(table)]
            block = Block(get(f"/ots/{table}/{key}").text)
            link = block.links.get("ots-cite-file")
            if link is None:
                if newest_release_holding(table, key) is not None or "no published release holds" not in block.plain:
                    wrong.append((table, key, "no link"))
                continue
            if link not in files:
                answer = get(link)
                files[link] = {r[key_of(table)] for r in csv.DictReader(io.StringIO(answer.text))}
            if key not in files[link] or row["source_locator"] not in block.text.get("ots-cite-locator", ""):
                wrong.append((table, key, link))
    assert not wrong, "(table, row, release link):\n" + show(wrong)


@pytest.mark.server
@pytest.mark.parametrize("table", CITED_TABLES)
def test_through_make_serve_the_release_link_answers_200_with_the_row(live_server, table):
    key = first_row(table)[key_of(table)]
    with urllib.request.urlopen(f"{live_server}/ots/{table}/{key}") as answer:
        block = Block(answer.read().decode("utf-8"))
    link = block.links.get("ots-cite-file") or pytest.fail(f"/ots/{table}/{key}: no release link")
    with urllib.request.urlopen(live_server + link) as answer:
        status, ids = answer.status, [r[key_of(table)] for r in csv.DictReader(io.StringIO(answer.read().decode()))]
    assert status == 200 and key in ids, f"{link}: status {status}; {key} in it: {key in ids}"
    assert block.links.get("ots-cite-url") == f"{live_server}/ots/{table}/{key}"


# ---------------------------------------------------------------- no row id disappears unexplained


def previous_release() -> str | None:
    """The newest published release older than the version in datapackage.yaml (the version being
    prepared, or the one just published)."""
    older = [r["version"] for r in published(DIST) if r["version"] != VERSION]
    return older[-1] if older else None


def test_no_row_id_of_the_previous_release_disappeared_without_a_reason():
    """Every primary key of every table of the previous release is still in data/, or is named in
    CHANGELOG.md's section for the current version or in data/errata.csv. A compound key counts
    as named when each of its values is."""
    previous = previous_release() or pytest.skip("no earlier published release")
    _, section = changelog_entry(VERSION)
    errata = (ROOT / "data" / "errata.csv").read_text(encoding="utf-8")
    current = {r.name: r for r in load_resources(ROOT / "datapackage.yaml")}
    unexplained = []
    for resource in load_resources(DIST / previous / "datapackage.json"):
        keys = [tuple(r[c] for c in resource.primary_key) for r in read_csv(DIST / previous / resource.path)]
        now = current.get(resource.name)
        kept = (
            {tuple(r[c] for c in resource.primary_key) for r in read_csv(ROOT / now.path)}
            if now and set(resource.primary_key) <= set(now.field_names)
            else set()
        )
        for key in keys:
            if key not in kept and not all(value in section or value in errata for value in key):
                unexplained.append((resource.name, key))
    assert not unexplained, (
        f"row ids of {previous} missing from data/ and not named in CHANGELOG.md's [{VERSION}] section "
        "or in data/errata.csv (table, id):\n" + show(unexplained)
    )
