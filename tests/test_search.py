"""Search works the way readers type: without Turkic letters, in any case, by alias or handle,
through Datasette's own search box and the search-everything query."""

from __future__ import annotations

import csv
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


# ------------------------------------------------------------ names in any grammatical form (issue 24)


def actors_where(**values) -> set[str]:
    """The actor ids whose row has these values (read from the CSV, not from the search index)."""
    with open(ROOT / "data/actors.csv", encoding="utf-8", newline="") as handle:
        return {r["actor_id"] for r in csv.DictReader(handle) if all(r[k] == v for k, v in values.items())}


# (typed by a reader, an actor it must find). The forms are written here by hand, as a Russian or
# Turkish sentence would write them, not generated by the code under test.
INFLECTED = [
    ("Эрдогана", "recep-tayyip-erdogan"),  # genitive
    ("Эрдогану", "recep-tayyip-erdogan"),  # dative
    ("Эрдоганом", "recep-tayyip-erdogan"),  # instrumental
    ("Токаева", "kassym-jomart-tokayev"),
    ("Токаеву", "kassym-jomart-tokayev"),
    ("Токаевым", "kassym-jomart-tokayev"),
    ("Алиеву", "ilham-aliyev"),
    ("Алиевым", "ilham-aliyev"),
    ("Орбана", "viktor-orban"),
    ("Мирзиёева", "shavkat-mirziyoyev"),
    ("Жапаровым", "sadyr-japarov"),
    ("Erdoğan'ın", "recep-tayyip-erdogan"),  # genitive, with the apostrophe
    ("Erdoğanın", "recep-tayyip-erdogan"),  # and without
    ("Erdoğan'a", "recep-tayyip-erdogan"),
    ("Tokayev'e", "kassym-jomart-tokayev"),
    ("Tokayev'in", "kassym-jomart-tokayev"),
    ("Aliyev'in", "ilham-aliyev"),
    ("Çavuşoğlu'nun", "mevlut-cavusoglu"),
]


@pytest.mark.parametrize("typed,expected", INFLECTED)
def test_a_name_in_any_grammatical_form_finds_the_actor(get, typed, expected):
    found = [r["actor_id"] for r in get("/ots/actors.json", _search=typed, _shape="array", _size="max").json()]
    assert expected in found, f"{typed!r}: found {found}"


# (typed, the actors it must find, from the data: the state's and the office's names in three languages)
PLACES_AND_OFFICES = [
    ("Казахстан", actors_where(state_code="KZ")),
    ("Kazakistan", actors_where(state_code="KZ")),
    ("Kazakhstan", actors_where(state_code="KZ")),
    ("МИД Казахстана", actors_where(state_code="KZ", role_category="foreign_minister")),
    ("Kazakistan Dışişleri", actors_where(state_code="KZ", role_category="foreign_minister")),
    ("министр иностранных дел", actors_where(role_category="foreign_minister")),
    ("министра иностранных дел", actors_where(role_category="foreign_minister")),
    ("Cumhurbaşkanı", actors_where(role_category="head_of_state")),
    ("президент Азербайджана", actors_where(role_category="head_of_state", state_code="AZ")),
]


@pytest.mark.parametrize("typed,expected", PLACES_AND_OFFICES, ids=[t for t, _ in PLACES_AND_OFFICES])
def test_a_state_or_an_office_finds_the_actors_it_names(get, typed, expected):
    found = {r["actor_id"] for r in get("/ots/actors.json", _search=typed, _shape="array", _size="max").json()}
    assert expected and expected <= found, f"{typed!r}: missing {sorted(expected - found)}"


def test_every_role_of_the_actors_has_its_names_in_three_languages():
    roles = yaml.safe_load((ROOT / "docs/i18n/roles.yml").read_text(encoding="utf-8"))
    with open(ROOT / "data/actors.csv", encoding="utf-8", newline="") as handle:
        categories = {r["role_category"] for r in csv.DictReader(handle)}
    missing = sorted(c for c in categories if not all((roles.get(c) or {}).get(lang) for lang in ("en", "tr", "ru")))
    assert not missing, missing


@pytest.mark.parametrize(
    "typed,expected", [("Эрдогана", "recep-tayyip-erdogan"), ("Tokayev'in", "kassym-jomart-tokayev")]
)
def test_search_everything_finds_a_name_in_any_grammatical_form(get, typed, expected):
    found = [r["row_id"] for r in get("/ots/search_everything.json", q=typed, _shape="array").json()]
    assert expected in found, f"{typed!r}: found {found}"
