"""From a question to a citable figure (issue 21, items 1, 2 and 6): the canned queries are pages to
read. The article's Tables 1-3 say first what the article prints around them, and every printed
figure links to its row page, with a mark on a figure with no agreed reading and on an official out
of office; search results link to their rows and show the figure and its date; every word of a
search must match, as a prefix; a query that finds nothing says why. Expected values come from the
CSVs in data/ and from metadata.yml, never from the plugin (datasette_site/ots_datasette/query_pages.py)."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest
import yaml
from conftest import ROOT, datasette_fetcher, read_csv, show

QUERIES = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["ots"]["queries"]
LINK = re.compile(r'<a href="([^"]+)"')


@pytest.fixture(scope="module")
def get(fresh_db):
    return datasette_fetcher(fresh_db)


def csv_rows(name: str) -> list[dict]:
    return read_csv(ROOT / "data" / f"{name}.csv")


def table_cells(page: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)


def errata_naming(key: str) -> set[str]:
    return {e["erratum_id"] for e in csv_rows("errata") if key in [a.strip() for a in e["affects"].split(";")]}


# ------------------------------------------------------------------ the printed tables


@pytest.mark.parametrize("number", [1, 2, 3])
def test_every_printed_figure_links_to_its_row_page(get, number):
    listings = {r["listing_id"] for r in csv_rows("actor_listings") if r["table_number"] == str(number)}
    counts = [r["count_id"] for r in csv_rows("follower_counts") if r["listing_id"] in listings]
    links = set(LINK.findall(get(f"/ots/article_table_{number}").text))
    missing = [c for c in counts if f"/ots/follower_counts/{c}" not in links]
    assert counts and not missing, show(missing)


def test_every_link_of_a_printed_table_answers_and_a_figure_page_cites_it(get):
    links = set()
    for number in (1, 2, 3):
        links |= {html.unescape(h) for h in LINK.findall(get(f"/ots/article_table_{number}").text)}
    ours = sorted(h for h in links if re.match(r"/ots/(follower_counts|actors|errata|office_checks)/", h))
    answers = {h: get(h) for h in ours}
    broken = [h for h, a in answers.items() if a.status_code != 200]
    figures = [h for h in answers if h.startswith("/ots/follower_counts/")]
    uncited = [h for h in figures if 'class="ots-cite"' not in answers[h].text]
    assert len(ours) > 60 and not broken and not uncited, show(broken + uncited)


def test_a_figure_with_no_agreed_reading_is_marked_with_its_erratum(get):
    listings = {r["listing_id"]: r["table_number"] for r in csv_rows("actor_listings")}
    doubtful = [
        r for r in csv_rows("follower_counts") if r["listing_id"] and (r["is_ambiguous"] == "true" or not r["count"])
    ]
    wrong = []
    for count in doubtful:
        page = get(f"/ots/article_table_{listings[count['listing_id']]}").text
        cell = next((c for c in table_cells(page) if f'/ots/follower_counts/{count["count_id"]}"' in c), "")
        marks = set(re.findall(r'class="ots-mark" href="/ots/errata/([^"]+)"', cell))
        if not marks or not marks <= errata_naming(f"follower_counts:{count['count_id']}"):
            wrong.append((count["count_id"], marks, cell[:200]))
    assert doubtful and not wrong, show(wrong)


def test_an_official_out_of_office_on_the_tables_date_is_marked_with_the_erratum(get):
    out = {r["actor_id"]: r["erratum_id"] for r in csv_rows("office_checks") if r["holds_printed_office"] == "no"}
    listed = [r for r in csv_rows("actor_listings") if r["actor_id"] in out]
    wrong = []
    for listing in listed:
        page = get(f"/ots/article_table_{listing['table_number']}").text
        label = html.escape(listing["label_as_printed"], quote=False)
        cell = next((c for c in table_cells(page) if f">{label}</a>" in c), "")
        if f'class="ots-mark" href="/ots/errata/{out[listing["actor_id"]]}"' not in cell:
            wrong.append((listing["listing_id"], cell[:200]))
    assert listed and not wrong, show(wrong)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_a_printed_table_says_its_title_note_and_date_before_its_rows(get, number):
    printed = next(r for r in csv_rows("article_tables") if r["table_number"] == str(number))
    page = html.unescape(get(f"/ots/article_table_{number}").text)
    places = [page.find(printed[k]) for k in ("title_as_printed", "note_as_printed", "updated_on")]
    assert -1 not in places and max(places) < page.find("<table"), (places, page.find("<table"))


@pytest.mark.parametrize("name", sorted(n for n, q in QUERIES.items() if q.get("hide_sql")))
def test_a_reading_page_is_titled_by_its_query_and_folds_its_sql_away(get, name):
    page = get(f"/ots/{name}").text
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()
    shown = get(f"/ots/{name}?_show_sql=1").text
    assert html.unescape(title) == QUERIES[name]["title"]
    assert 'id="sql-query"' not in page and "<textarea" not in page, "the SQL is shown before it is asked for"
    assert 'id="sql-query"' in shown or "<textarea" in shown, "the show link shows no SQL"


def test_the_reading_pages_are_those_a_reader_lands_on():
    reading = {n for n, q in QUERIES.items() if q.get("hide_sql")}
    expected = {"article_table_1", "article_table_2", "article_table_3", "accounts_by_audience", "flagged_values"}
    assert expected | {"search_everything", "errata_with_evidence"} <= reading, sorted(reading)


def test_every_figure_of_the_audience_list_links_to_its_row_page(get):
    counts = [r["count_id"] for r in csv_rows("follower_counts")]
    links = set(LINK.findall(get("/ots/accounts_by_audience?_size=max").text))
    missing = [c for c in counts if f"/ots/follower_counts/{c}" not in links]
    assert not missing, show(missing)


# ------------------------------------------------------------------ search


def search(get, q: str) -> list[dict]:
    return get(f"/ots/search_everything.json?q={quote(q)}&_shape=array").json()


# (typed by a reader, table, row that must be found): words of two tables' text, prefixes, Russian
SEARCHES = [
    ("Erdoğan Instagram", "accounts", "instagram-rterdogan"),
    ("erdogan instagram", "accounts", "instagram-rterdogan"),
    ("Erdo", "actors", "recep-tayyip-erdogan"),
    ("tokay", "actors", "kassym-jomart-tokayev"),
    ("rterdo", "accounts", "twitter-rterdogan"),
]


@pytest.mark.parametrize("q,table,row_id", SEARCHES)
def test_every_word_of_a_search_matches_as_a_prefix(get, q, table, row_id):
    found = {(r["table_name"], r["row_id"]) for r in search(get, q)}
    assert (table, row_id) in found, show(sorted(found))


def test_a_search_for_the_ministry_of_a_state_in_russian_finds_its_foreign_minister(get):
    states = {r["state_code"]: r for r in csv_rows("states")}
    ministers = {
        r["actor_id"]
        for r in csv_rows("actors")
        if r["state_code"] == "KZ" and r["role_category"] == "foreign_minister"
    }
    found = {r["row_id"] for r in search(get, "МИД Казахстана") if r["table_name"] == "actors"}
    assert states["KZ"] and ministers and ministers <= found, (ministers, found)


def test_a_word_that_matches_nothing_leaves_no_result(get):
    assert search(get, "erdogan zzqqxx") == []
    assert search(get, "erdogan") != []


def test_every_search_result_links_to_its_row_page_which_answers(get):
    page = get("/ots/search_everything?q=erdogan").text
    results = search(get, "erdogan")
    links = set(LINK.findall(page))
    expected = {f"/ots/{r['table_name']}/{quote(r['row_id'])}" for r in results}
    assert results and expected <= links, show(sorted(expected - links))
    broken = [h for h in expected if get(h).status_code != 200]
    assert not broken, show(broken)


def test_an_account_result_shows_its_latest_figure_and_date(get):
    counts = [r for r in csv_rows("follower_counts") if r["account_id"] == "instagram-rterdogan"]
    latest = max(counts, key=lambda r: r["observed_on"])
    result = next(r for r in search(get, "rterdogan instagram") if r["row_id"] == "instagram-rterdogan")
    assert (result["figure"], result["as_of"]) == (latest["count_as_printed"], latest["observed_on"])


# ------------------------------------------------------------------ empty states


def test_a_search_that_finds_nothing_says_what_to_try(get):
    page = get("/ots/search_everything?q=zzqqxx").text
    assert 'class="ots-empty"' in page and "another spelling" in page


def test_an_empty_search_box_is_not_a_search_that_found_nothing(get):
    assert 'class="ots-empty"' not in get("/ots/search_everything").text


def test_a_change_between_rounds_that_finds_nothing_says_why_and_lists_the_rounds(get):
    rounds = sorted({r["observed_on"] for r in csv_rows("follower_counts")})
    page = get(f"/ots/change_between_rounds?from_on={rounds[0]}&to_on=2030-01-01").text
    section = re.search(r'<section class="ots-empty".*?</section>', page, re.S)
    assert section and all(f'datetime="{day}"' in section.group(0) for day in rounds), page[-1500:]
