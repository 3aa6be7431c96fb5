"""Search works the way readers type: without Turkic letters, in any case, by alias or handle,
through Datasette's own search box and the search-everything query."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import ROOT, datasette_fetcher, show

from ots_data.build import TRANSLATED, fold

# (typed by a reader, table searched, row id that must be found)
CASES = [
    ("cavusoglu", "actors", "mevlut-cavusoglu"),
    ("ilham", "actors", "ilham-aliyev"),
    ("ILHAM", "actors", "ilham-aliyev"),
    ("erdogan", "actors", "recep-tayyip-erdogan"),
    ("Erdoğan", "actors", "recep-tayyip-erdogan"),
    ("szijjarto", "actors", "peter-szijjarto"),
    ("orban", "actors", "viktor-orban"),
    ("berdimuhamedow", "actors", "gurbanguly-berdimuhamedov"),
    ("Berdimuhamedov", "actors", "gurbanguly-berdimuhamedov"),
    ("hodjayev", "actors", "asadjon-khodjaev"),
    ("khodjaev", "actors", "asadjon-khodjaev"),
    ("tokayev_online", "actors", "kassym-jomart-tokayev"),
    ("RTErdogan", "accounts", "twitter-rterdogan"),
    ("mirziyoyev", "accounts", "instagram-mirziyoyev-sh"),
    ("disinformation", "commitments", "v2040-disinfo-01"),
    ("cybersecurity", "commitments", "v2040-ict-04"),
    ("Reuters", "survey_figures", "reuters-dnr-2018-tr-made-up-news-exposure"),
    ("karabakh", "events", "second-karabakh-war"),
    ("nakhchivan", "errata", "nakhchivan-agreement-renaming"),
    ("turkish states", "errata", "ots-name-slip-con-p2"),
]
PRIMARY_KEYS = {
    "actors": "actor_id",
    "accounts": "account_id",
    "commitments": "commitment_id",
    "survey_figures": "figure_id",
    "events": "event_id",
    "errata": "erratum_id",
}


@pytest.fixture(scope="module")
def get(fresh_db):
    return datasette_fetcher(fresh_db)


@pytest.mark.parametrize("typed,table,expected", CASES)
def test_search_box_finds_what_a_reader_types(get, typed, table, expected):
    found = [
        r[PRIMARY_KEYS[table]] for r in get(f"/ots/{table}.json", _search=typed, _shape="array", _size="max").json()
    ]
    assert expected in found, f"{typed!r} in {table}: found {found}"


@pytest.mark.parametrize("typed,table,expected", CASES)
def test_search_everything_finds_what_a_reader_types(get, typed, table, expected):
    found = [(r["table_name"], r["row_id"]) for r in get("/ots/search_everything.json", q=typed, _shape="array").json()]
    assert (table, expected) in found, f"{typed!r}: found {found}"


def test_search_with_quotes_or_operators_does_not_fail(get):
    for typed in ['"', "a OR", "NEAR(", "*", "-x"]:
        assert get("/ots/search_everything.json", q=typed, _shape="array").status_code == 200, typed


def test_search_finds_nothing_for_an_absent_word(get):
    assert get("/ots/actors.json", _search="zzyzx", _shape="array").json() == []


@pytest.mark.parametrize(
    "text,folded",
    [
        ("Çavuşoğlu", "cavusoglu"),
        ("İlham", "ilham"),
        ("Kırgızistan", "kirgizistan"),
        ("Szijjártó", "szijjarto"),
        ("Ağdərə", "agdere"),
        ("Орбан", "орбан"),
    ],
)
def test_fold_gives_plain_lower_case_letters(text, folded):
    assert fold(text) == folded


def distinctive_words(text: str, script: str) -> list[str]:
    """The two longest words of a translated text in the reader's script: Cyrillic letters for
    Russian, the letters only Turkish spells (ç ğ ı ö ş ü İ) for Turkish."""
    letters = r"[А-Яа-яЁё]" if script == "ru" else r"[çğıöşüÇĞİÖŞÜ]"
    words = {w for w in re.findall(r"[\wçğıöşüÇĞİÖŞÜ]+", text) if re.search(letters, w)}
    return sorted(words, key=lambda w: (-len(w), w))[:2]


@pytest.mark.parametrize("table", TRANSLATED)
@pytest.mark.parametrize("lang", ["tr", "ru"])
def test_a_row_is_found_by_the_words_its_translation_uses(get, table, lang):
    """Each erratum and commitment is found by the words of its Turkish and Russian text
    (docs/i18n/), as a reader who read the page in that language would type them."""
    texts = yaml.safe_load((ROOT / TRANSLATED[table]).read_text(encoding="utf-8"))
    missed = []
    for key, entry in texts.items():
        for word in distinctive_words(entry[lang], lang):
            rows = get(f"/ots/{table}.json", _search=word, _shape="array", _size="max").json()
            if key not in [r[PRIMARY_KEYS[table]] for r in rows]:
                missed.append((key, word))
    assert not missed, show(missed)


def test_a_person_the_russian_errata_name_is_found_in_cyrillic(get):
    """Serdar Berdimuhamedov is no actor of the dataset: the Russian summary of the erratum
    that names him is what a reader searching "Сердар" finds."""
    found = [
        (r["table_name"], r["row_id"]) for r in get("/ots/search_everything.json", q="Сердар", _shape="array").json()
    ]
    assert ("errata", "berdimuhamedov-office-table-1") in found, found
