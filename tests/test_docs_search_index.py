"""The documentation's search index holds, on the Turkish and Russian pages, the forms of every
person's and every state's name that a reader of the language types (issue 24, item 2), so that the
docs' search finds Эрдогана, Токаевым, Erdoğanın or Kazakistanın (tests/test_browser_docs_search.py
types them in Chromium; mkdocs.yml says why the words must be in the pages' text).

Read without a browser: the search_index.json MkDocs writes, of the site conftest builds from a fresh
database, split into words as the theme splits them (mkdocs.yml's separator). The people and states
come from data/*.csv, their forms from ots_data/inflect.py: a person added to the data without a
Russian spelling, or whose forms the pages do not hold, fails here."""

from __future__ import annotations

import html
import json
import re

import pytest
from conftest import ROOT, read_csv, show

from ots_data.inflect import name_forms

LANGS = ("tr", "ru")
ACTORS = read_csv(ROOT / "data/actors.csv")
ALIASES = read_csv(ROOT / "data/actor_aliases.csv")
STATES = read_csv(ROOT / "data/states.csv")
# A spelling in the letters of the Russian alphabet: the ones Russian grammar declines (a Kazakh or
# Uzbek Cyrillic spelling such as Қасым-Жомарт Тоқаев is not Russian).
RUSSIAN = re.compile(r"[А-ЯЁа-яё\s-]+")

pytestmark = pytest.mark.slow  # the site is built by MkDocs from a fresh database (conftest.docs_site)


@pytest.fixture(scope="module")
def index(docs_site) -> dict:
    return json.loads((docs_site / "search" / "search_index.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def words(index) -> dict[str, set[str]]:
    """Per language, every word of its pages' titles and texts, as the theme's index holds them:
    split at the separator, without the punctuation at their ends (lunr's trimmer), lower case."""
    separator = re.compile(index["config"]["separator"])
    found: dict[str, set[str]] = {lang: set() for lang in LANGS}
    for doc in index["docs"]:
        lang = doc["location"].split("/")[0]  # tr/people/#kz; an English page has no language folder
        if lang in found:
            text = html.unescape(re.sub(r"<[^>]+>", " ", f"{doc['title']} {doc['text']}"))
            found[lang] |= {trim(w).lower() for w in separator.split(text) if trim(w)}
    return found


def trim(word: str) -> str:
    return re.sub(r"^\W+|\W+$", "", word)


def as_indexed(forms: str, separator: str) -> set[str]:
    """The words a form becomes in the index: Erdoğan'ın is split at the apostrophe, Касым-Жомарт
    at the hyphen, as the theme splits what a reader types."""
    return {w.lower() for form in forms.split() for w in re.split(separator, form) if w}


def expected_forms(separator: str) -> list[tuple[str, str, set[str]]]:
    """(language, whose, forms) for every person and state of the data: on the Turkish pages the
    person's name (as the dataset writes it) and the state's Turkish name with the suffixes Turkish
    adds; on the Russian pages the case forms of the person's spellings in the Russian alphabet
    and of the state's Russian name."""
    expected = []
    for actor in ACTORS:
        if actor["actor_type"] != "person":  # institutions' names are words, not declined (ots_data/docs.py)
            continue
        russian = [
            a["alias"]
            for a in ALIASES
            if a["actor_id"] == actor["actor_id"] and a["alias_kind"] != "handle" and RUSSIAN.fullmatch(a["alias"])
        ]
        turkish = name_forms(actor["name"].replace("-", " "))
        expected.append(("tr", actor["actor_id"], as_indexed(turkish, separator)))
        expected.append(
            ("ru", actor["actor_id"], as_indexed(name_forms(" ".join(russian).replace("-", " ")), separator))
        )
    for state in STATES:
        for lang in LANGS:
            expected.append((lang, state["state_code"], as_indexed(name_forms(state[f"name_{lang}"]), separator)))
    return expected


def test_the_expected_forms_are_the_ones_readers_type(index):
    """A guard for the test below: the forms derived from the data hold what readers write."""
    forms = {(lang, whose): f for lang, whose, f in expected_forms(index["config"]["separator"])}
    assert {"токаева", "токаевым"} <= forms["ru", "kassym-jomart-tokayev"]
    assert {"алиеву", "алиевым"} <= forms["ru", "ilham-aliyev"]
    assert {"erdoğanın", "erdoğan", "ın"} <= forms["tr", "recep-tayyip-erdogan"]
    assert {"tokayeve", "tokayevin"} <= forms["tr", "kassym-jomart-tokayev"]
    assert "казахстана" in forms["ru", "KZ"] and "kazakistanın" in forms["tr", "KZ"]
    # Names from other languages take the suffix their vowels sound like, and no wrong one.
    assert {"orbánın", "orbánı"} <= forms["tr", "viktor-orban"] and "orbánun" not in forms["tr", "viktor-orban"]
    assert {"szijjártónun", "szijjártóya"} <= forms["tr", "peter-szijjarto"]
    assert not {"szijjártóin", "szijjártóe"} & forms["tr", "peter-szijjarto"]
    assert "алиевой" not in forms["ru", "ilham-aliyev"]  # a man's surname: masculine forms only


def test_the_turkish_and_russian_pages_hold_every_person_s_and_state_s_name_forms(index, words):
    expected = expected_forms(index["config"]["separator"])
    none = [(lang, whose) for lang, whose, forms in expected if not forms]
    missing = [
        (lang, whose, sorted(forms - words[lang])[:8])
        for lang, whose, forms in expected
        if forms and not forms <= words[lang]
    ]
    assert not none, "no forms to find them by (a person needs a Russian spelling in data/actor_aliases.csv):\n" + show(
        none
    )
    assert not missing, "forms the docs' search index does not hold (the people page, ots_data/docs.py):\n" + show(
        missing
    )


@pytest.mark.parametrize("lang", LANGS)
def test_every_actor_is_on_the_page_of_each_language(index, words, lang):
    """Institutions have no forms (their names are words, not declined), but each is on the page:
    every word of its name as the dataset writes it is in the language's index."""
    separator = index["config"]["separator"]
    missing = [
        (a["actor_id"], sorted({trim(w) for w in as_indexed(a["name"], separator)} - words[lang]))
        for a in ACTORS
        if not {trim(w) for w in as_indexed(a["name"], separator)} <= words[lang]
    ]
    assert not missing, show(missing)
