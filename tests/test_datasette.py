"""Datasette, through its own test client, serves every table, query and description."""

from __future__ import annotations

import html
import json
import re

import pytest
import yaml
from conftest import ROOT, datasette_fetcher, read_csv, show, skip_unless_made

from ots_data.metadata import column_description
from ots_data.serving import STATIC_MOUNTS

SETTINGS = json.loads((ROOT / "datasette_site" / "settings.json").read_text())
# The canned queries are written in metadata.yml (the metadata step fills in their SQL).
CANNED = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["ots"]["queries"]


@pytest.fixture(scope="module")
def get(fresh_db):
    return datasette_fetcher(fresh_db)


def test_index_page_shows_title_licence_and_source(get):
    page = get("/")
    assert page.status_code == 200
    for text in ("OTS Digital Diplomacy Data", "CC BY 4.0", "Altun, F. (2023)"):
        assert text in page.text, text


@pytest.mark.parametrize("table", [r for r in yaml.safe_load((ROOT / "datapackage.yaml").read_text())["resources"]])
def test_every_table_page_answers_with_its_description(get, table):
    page = get(f"/ots/{table['name']}")
    assert page.status_code == 200
    description = " ".join(table["description"].split())
    assert description[:60].replace("'", "&#39;").replace('"', "&#34;") in page.text or description[:60] in page.text


def test_every_column_description_is_served(get, resources):
    served = json.loads(get("/-/metadata.json").text)["databases"]["ots"]["tables"]
    missing = [
        (t, f.name)
        for t, r in resources.items()
        for f in r.fields
        if not served.get(t, {}).get("columns", {}).get(f.name, "").startswith(f.description)
    ]
    assert not missing, show(missing)


@pytest.mark.parametrize("table", ["follower_counts", "accounts", "absences", "actors"])
def test_column_descriptions_appear_on_the_table_page(get, resources, table):
    page = get(f"/ots/{table}").text
    shown = {html.unescape(dt): html.unescape(dd) for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page)}
    different = [
        (f.name, shown.get(f.name)) for f in resources[table].fields if shown.get(f.name) != column_description(f)
    ]
    assert not different, show(different)


# Example parameters for the canned queries that take them.
QUERY_PARAMS = {
    "search_everything": "?q=cavusoglu",
    "commitments_by_domain": "?domain=culture",
    "figures_by_country": "?country=TR",
    "change_between_rounds": "?from_on=2022-06-22&to_on=2022-06-22",
}


@pytest.mark.parametrize("query", sorted(CANNED))
def test_every_canned_query_answers(get, query):
    params = QUERY_PARAMS.get(query, "")
    page = get(f"/ots/{query}{params}")
    assert page.status_code == 200, page.text[:500]
    data = get(f"/ots/{query}.json{params}{'&' if params else '?'}_shape=array")
    assert data.status_code == 200 and isinstance(data.json(), list) and data.json()


@pytest.mark.parametrize("table_number", [1, 2, 3])
def test_canned_query_reproduces_the_printed_table_cell_for_cell(get, table_number):
    """Header = the raw header row; each row = the raw printed cells, in order. A null in the
    query is a cell the printed row does not have and is skipped."""
    raw = [r for r in read_csv(ROOT / "data/raw/article_table_rows.csv") if r["table_number"] == str(table_number)]
    result = get(f"/ots/article_table_{table_number}.json?_shape=objects").json()
    listings = {
        (r["table_number"], r["row_number"]): r["listing_id"] for r in read_csv(ROOT / "data/actor_listings.csv")
    }
    header = [raw[0][f"cell_{k}"] for k in range(1, 6)]
    # Row, the five printed columns, and the printed row's key (not printed: it links the cells)
    assert result["columns"] == ["Row", *header, "listing_id"]
    different = []
    rows = result["rows"]
    for raw_row, row in zip(raw[1:], rows, strict=False):  # the numbers of rows are compared below
        printed = [raw_row[f"cell_{k}"] for k in range(1, int(raw_row["printed_cell_count"]) + 1)]
        rebuilt = [row[c] for c in header if row[c] is not None]
        key = listings[(str(table_number), raw_row["row_number"])]
        if printed != rebuilt or row["Row"] != int(raw_row["row_number"]) or row["listing_id"] != key:
            different.append((raw_row["row_number"], printed, rebuilt))
    assert len(rows) == len(raw) - 1 and not different, show(different)


def test_json_api_returns_every_follower_count(get, rows):
    data = get("/ots/follower_counts.json?_shape=array&_size=max").json()
    assert sorted(r["count_id"] for r in data) == sorted(r["count_id"] for r in rows["follower_counts"])


def test_a_count_row_page_leads_back_to_table_row_and_column(get):
    page = get("/ots/follower_counts/altun-2023-t3-r06-instagram").text
    for text in ("Table 3, row 6, Instagram column", "4,279K", "aoka_uz 4,279K Followers"):
        assert text in page, text


@pytest.mark.parametrize("table", ["follower_counts", "survey_figures", "errata"])
def test_a_row_page_read_first_names_the_licence_and_the_source(fresh_db, rows, table):
    """A fresh server whose first request is a row page (as a reader arriving from a citation)."""
    first_row = rows[table][0]
    key = next(iter(first_row.values()))
    page = datasette_fetcher(fresh_db)(f"/ots/{table}/{key}").text
    missing = [label for label in ("Data license:", "Data source:") if label not in page]
    assert not missing, (table, key, missing)


def test_table_search_box_finds_names_typed_without_turkic_letters(get):
    data = get("/ots/actors.json?_search=cavusoglu&_shape=array").json()
    assert [r["actor_id"] for r in data] == ["mevlut-cavusoglu"]


def test_metadata_yml_holds_no_descriptions_of_its_own():
    """Descriptions come only from datapackage.yaml; metadata.yml must not hold a second copy."""
    tables = yaml.safe_load((ROOT / "metadata.yml").read_text())["databases"]["ots"]["tables"]
    copies = [(t, k) for t, v in tables.items() for k in ("description", "columns") if k in v]
    assert not copies, show(copies)


def differing_keys(a, b, path: str = ""):
    """The paths (a.b.c) at which two JSON documents differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            yield from differing_keys(a.get(key), b.get(key), f"{path}.{key}" if path else key)
    elif a != b:
        yield path


def test_served_metadata_file_is_current(metadata):
    """build/metadata.json, which `make serve` serves, is what the committed inputs make."""
    skip_unless_made("build/metadata.json")
    built = json.loads((ROOT / "build" / "metadata.json").read_text())
    different = list(differing_keys(built, metadata))
    assert not different, "build/metadata.json is out of date (run `make build`) at:\n" + show(different)


def test_a_slow_query_is_stopped_by_the_time_limit(get):
    """The served setting, through Datasette: a query that runs longer than sql_time_limit_ms is
    interrupted (a recursive count to a hundred million takes seconds)."""
    sql = "with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000000) select count(*) from n"
    answer = get("/ots.json", sql=sql, _shape="array")
    assert answer.status_code in (400, 500) and "interrupted" in answer.text.lower(), answer.text[:300]


# The index, database, table and row pages carry the "about" link (about_url in metadata.yml) to the
# docs. (A canned query page shows its own metadata instead, and has no such link.)
PAGES = ["/", "/ots", "/ots/follower_counts", "/ots/follower_counts/altun-2023-t3-r06-instagram"]


def test_docs_link_is_on_the_index_database_table_and_row_pages(get):
    without = [path for path in PAGES if 'href="/docs/"' not in get(path).text]
    assert not without, "pages without a link to /docs/: " + show(without)


@pytest.mark.slow  # needs the docs site built by MkDocs (conftest.docs_site)
def test_the_docs_link_leads_to_the_built_site(fresh_db, docs_site):
    """/docs/ is served from the folder `make docs` builds; following the link reaches its home page."""
    assert STATIC_MOUNTS["docs"] == ROOT / "site", STATIC_MOUNTS
    mounts = [(prefix, str(docs_site if prefix == "docs" else folder)) for prefix, folder in STATIC_MOUNTS.items()]
    get = datasette_fetcher(fresh_db, static_mounts=mounts)
    page = get("/docs/")
    assert page.status_code == 200 and page.text == (docs_site / "index.html").read_text(encoding="utf-8"), (
        page.status_code,
        page.text[:300],
    )
