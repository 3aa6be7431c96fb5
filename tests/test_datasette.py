"""Datasette, through its own test client, serves every table, query and description."""

from __future__ import annotations

import html
import json
import re

import pytest
import yaml
from conftest import ROOT, datasette_fetcher, read_csv, show

from ots_data.metadata import build_metadata, column_description

SETTINGS = json.loads((ROOT / "settings.json").read_text())
METADATA = build_metadata(ROOT)
CANNED = METADATA["databases"]["ots"]["queries"]


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
    header = [raw[0][f"cell_{k}"] for k in range(1, 6)]
    assert result["columns"][1:] == header
    different = []
    rows = result["rows"]
    for raw_row, row in zip(raw[1:], rows):
        printed = [raw_row[f"cell_{k}"] for k in range(1, int(raw_row["printed_cell_count"]) + 1)]
        rebuilt = [row[c] for c in result["columns"][1:] if row[c] is not None]
        if printed != rebuilt or row["Row"] != int(raw_row["row_number"]):
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


def test_served_metadata_file_is_current():
    built = ROOT / "build" / "metadata.json"
    assert built.exists(), "run `make build` first (make test does)"
    assert json.loads(built.read_text()) == METADATA


def test_settings_limit_time_and_rows():
    assert SETTINGS["sql_time_limit_ms"] <= 5000 and SETTINGS["max_returned_rows"] <= 5000
    assert SETTINGS["suggest_facets"] is False


def test_docs_link_on_every_page_points_to_existing_site(get):
    assert re.search(r'href="/docs/"', get("/").text)
    assert (ROOT / "site" / "index.html").exists(), "run `make docs` first (make test does)"
