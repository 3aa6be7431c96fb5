"""A reader who opens an erratum or an office check sees the passages it rests on, with their stance
and clickable addresses; a row that links an erratum shows the erratum's status read from the errata
(datasette_site/: ots_datasette/row_evidence.py, templates/row.html). Expected values are read
from the CSVs."""

from __future__ import annotations

import html
from collections import defaultdict

import pytest
from conftest import ROOT, datasette_fetcher, read_csv

EVIDENCE = {r["evidence_id"]: r for r in read_csv(ROOT / "data/evidence.csv")}
ERRATA = {r["erratum_id"]: r for r in read_csv(ROOT / "data/errata.csv")}


def links(table: str, key: str) -> dict[str, list[dict]]:
    found = defaultdict(list)
    for link in read_csv(ROOT / f"data/{table}.csv"):
        found[link[key]].append(link)
    return found


ERRATUM_LINKS = links("erratum_evidence", "erratum_id")
CHECK_LINKS = links("office_check_evidence", "actor_id")


@pytest.fixture(scope="module")
def get(fresh_db):
    return datasette_fetcher(fresh_db)


def section(page: str, css_class: str) -> str:
    start = page.find(f'<section class="{css_class}"')
    return page[start : page.find("</section>", start)] if start >= 0 else ""


@pytest.mark.parametrize(
    "table,key,linked",
    [("errata", k, v) for k, v in sorted(ERRATUM_LINKS.items())]
    + [("office_checks", k, v) for k, v in sorted(CHECK_LINKS.items())],
)
def test_a_claims_row_page_shows_every_passage_with_its_stance_and_address(get, table, key, linked):
    page = get(f"/ots/{table}/{key}").text
    shown = html.unescape(section(page, "ots-evidence"))
    missing = [
        (link["evidence_id"], what)
        for link in linked
        for what in (
            f'href="{EVIDENCE[link["evidence_id"]]["url"]}"',
            EVIDENCE[link["evidence_id"]]["passage"],
            f'class="ots-evidence-{link["stance"]}"',
        )
        if what not in shown
    ]
    assert shown and not missing, missing


def test_an_erratum_with_no_outside_passage_says_so(get):
    key = next(k for k in sorted(ERRATA) if k not in ERRATUM_LINKS)
    shown = section(get(f"/ots/errata/{key}").text, "ots-evidence")
    assert "No passage of an outside source is linked to this row." in shown


def test_a_row_that_links_an_erratum_shows_the_erratum_s_status_from_the_errata(get):
    events = [r for r in read_csv(ROOT / "data/events.csv") if r["erratum_id"]]
    assert events
    for event in events:
        erratum = ERRATA[event["erratum_id"]]
        shown = html.unescape(section(get(f"/ots/events/{event['event_id']}").text, "ots-erratum"))
        assert f"({erratum['status']})" in shown and erratum["record"] in shown, (event["event_id"], shown[:300])


def test_other_tables_row_pages_have_no_evidence_section(get):
    page = get("/ots/follower_counts/altun-2023-t1-r01-twitter").text
    assert 'class="ots-evidence"' not in page and 'class="ots-erratum"' not in page
