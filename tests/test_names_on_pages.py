"""A Turkish or Russian reader finds the people and institutions the translated pages name by
typing the name as the page writes it (issue 15, item 4).

The rule (README, "Editing the data"): a Russian page writes a name in Cyrillic as Russian media
write it; a Turkish page writes the Turkish press spelling where the data records one with its
source (Hacıyev, Caparov), otherwise the dataset's; every spelling a page uses is an alias in
data/actor_aliases.csv, and one the article does not print gives, in `note`, the full address of a
page that writes it so.

How the names are found: the translated text is aligned with its English counterpart (a page with
its English page, a string of docs/i18n/*.yml with its English string, a commitment with the CSV's
statement). Every actor the English text names (by any Latin alias) must be named in the
translation by one of its aliases, allowing for the endings Russian and Turkish add to a name
(Алтуна, Berdimuhamedov'un). A translation that names someone in a spelling the data does not know
fails here and prints the text; the spellings found are then searched for through Datasette.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

import pytest
import yaml
from conftest import ROOT, datasette_fetcher, read_csv, show

from ots_data.build import fold

LANGUAGES = ("tr", "ru")
DOCS = ROOT / "docs"
ALIASES = read_csv(ROOT / "data/actor_aliases.csv")
ACTORS = {row["actor_id"]: row["name"] for row in read_csv(ROOT / "data/actors.csv")}
# Kinds of alias the article itself prints (their place in the article is in source_locator).
PRINTED = {"printed_spelling", "handle"}
# Aliases a translated page uses that no outside page was found for, with the reason.
NO_OUTSIDE_SOURCE = {
    ("uz-agency-of-information-and-mass-communications", "Bilgi ve Kitle İletişim Ajansı"): (
        "this dataset's own Turkish translation of the printed name; its note says so"
    ),
}
# Actors the English text names that a translation may leave unnamed, with the reason.
NOT_NAMED_IN_TRANSLATION = {
    ("docs/i18n/errata.yml: fifth-summit-theme", "organisation-of-turkic-states", "tr"): (
        "says Teşkilat (the Organisation) for the OTS, a noun, not a name"
    ),
}
# Endings Russian and Turkish add to a name: Алтун -> Алтуна, Bakanlığı -> Bakanlığı'nın (the
# apostrophe splits the word), Teşkilatı -> Teşkilatının. Up to this many letters.
ENDING = 3
VOWELS = set("aeiouyıаеёиоуыэюяйь")


@cache
def words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", fold(text)))


def stem(word: str) -> str:
    """A word without its last vowels, so that Агентство and Агентства share агентств. Short words
    (abbreviations such as ОТГ or TDT) must match whole."""
    if len(word) <= 4:
        return word
    while len(word) > 4 and word[-1] in VOWELS:
        word = word[:-1]
    return word


def same_word(want: str, got: str) -> bool:
    """got is want, or want with an ending (want's last vowels may change: Агентство, Агентства)."""
    if got == want:
        return True
    return len(want) > 4 and got.startswith(stem(want)) and len(got) - len(stem(want)) <= ENDING


def matches(alias: tuple[str, ...], text: tuple[str, ...], at: int) -> bool:
    here = text[at : at + len(alias)]
    return len(here) == len(alias) and all(same_word(w, g) for w, g in zip(alias, here, strict=True))


def names(text: str, aliases: list[str]) -> list[str]:
    """The aliases (of one actor) that text names, in any grammatical form."""
    return [alias for alias in aliases if named(text, alias)]


@cache
def named(text: str, alias: str) -> bool:
    tokens, wanted = words(text), words(alias)
    if not wanted:
        return False
    return any(same_word(wanted[0], token) and matches(wanted, tokens, i) for i, token in enumerate(tokens))


@cache
def aliases_of() -> dict[str, list[str]]:
    by_actor: dict[str, list[str]] = {actor: [name] for actor, name in ACTORS.items()}
    for row in ALIASES:
        by_actor[row["actor_id"]].append(row["alias"])
    return by_actor


def latin(alias: str) -> bool:
    return not re.search(r"[\u0400-\u04ff]", alias)


def plain(text: str) -> str:
    """Text as a reader reads it: without URLs and placeholders."""
    text = re.sub(r"\]\([^)]*\)|https?://\S+", " ", text)
    return re.sub(r"\{\{[^}]*\}\}", " ", text)


def entries(node: object, key: str) -> Iterator[tuple[str, dict]]:
    """Every mapping in a YAML document, with the key it is under."""
    if isinstance(node, dict):
        yield key, node
        for child_key, child in node.items():
            yield from entries(child, str(child_key))
    elif isinstance(node, list):
        for child in node:
            yield from entries(child, key)


@cache
def aligned() -> list[tuple[str, str, dict[str, str]]]:
    """(where, English text, {language: translated text}) for every translated page and string."""
    units = []
    for page in sorted(DOCS.glob("*.md")):
        if page.name.count(".") != 1:
            continue
        translated = {
            lang: (DOCS / f"{page.stem}.{lang}.md").read_text(encoding="utf-8")
            for lang in LANGUAGES
            if (DOCS / f"{page.stem}.{lang}.md").exists()
        }
        if translated:
            units.append((f"docs/{page.name}", page.read_text(encoding="utf-8"), translated))
    statements = {row["commitment_id"]: row["statement"] for row in read_csv(ROOT / "data/commitments.csv")}
    for path in sorted((DOCS / "i18n").glob("*.yml")):
        for key, entry in entries(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, ""):
            translated = {lang: entry[lang] for lang in LANGUAGES if isinstance(entry.get(lang), str)}
            english = entry["en"] if isinstance(entry.get("en"), str) else statements.get(key)
            if translated and english:
                units.append((f"docs/i18n/{path.name}: {key}", english, translated))
    return units


@cache
def names_on_pages() -> list[tuple[str, str, str, str]]:
    """(language, spelling as an alias, actor_id, where) for every actor a translated text names."""
    found = []
    for where, english, translated in aligned():
        for actor, aliases in aliases_of().items():
            if not names(plain(english), [a for a in aliases if latin(a)]):
                continue
            for lang, text in translated.items():
                found += [(lang, alias, actor, where) for alias in names(plain(text), aliases)]
    return found


def test_the_translations_are_found():
    """The alignment reads the pages and strings (a guard for the tests below)."""
    assert len(aligned()) > 50 and {"ru", "tr"} <= {lang for *_, t in aligned() for lang in t}, len(aligned())
    assert {actor for _, _, actor, _ in names_on_pages()} >= {"rashid-meredov", "peter-szijjarto", "sadyr-japarov"}


def test_every_actor_the_english_names_is_named_by_an_alias_in_each_translation():
    missing = []
    for where, english, translated in aligned():
        for actor, aliases in aliases_of().items():
            named_in_english = names(plain(english), [a for a in aliases if latin(a)])
            if not named_in_english:
                continue
            for lang, text in translated.items():
                if names(plain(text), aliases) or (where, actor, lang) in NOT_NAMED_IN_TRANSLATION:
                    continue
                missing.append((where, lang, actor, f"English: {named_in_english[0]}", text[:300]))
    assert not missing, "add the spelling the translation uses to data/actor_aliases.csv:\n" + show(missing)


def test_every_spelling_the_pages_use_that_the_article_does_not_print_names_its_source():
    """The source is a passage of the evidence table that writes the spelling (a `supports` link in
    alias_evidence), whose row gives the page's address."""
    kind = {(row["actor_id"], row["alias"]): row for row in ALIASES}
    addresses = {r["evidence_id"]: r["url"] for r in read_csv(ROOT / "data/evidence.csv")}
    written_by = {
        (link["actor_id"], link["alias"])
        for link in read_csv(ROOT / "data/alias_evidence.csv")
        if link["stance"] == "supports" and addresses.get(link["evidence_id"], "").startswith("https://")
    }
    unsourced = sorted(
        {
            (actor, alias, kind[(actor, alias)]["note"])
            for _, alias, actor, _ in names_on_pages()
            if (actor, alias) in kind
            and kind[(actor, alias)]["alias_kind"] not in PRINTED
            and (actor, alias) not in written_by
            and (actor, alias) not in NO_OUTSIDE_SOURCE
        }
    )
    assert not unsourced, "link a passage that writes it so (alias_evidence, stance supports):\n" + show(unsourced)


def test_the_exceptions_are_still_needed():
    kind = {(row["actor_id"], row["alias"]): row for row in ALIASES}
    stale = [key for key in NO_OUTSIDE_SOURCE if key not in kind or "https://" in kind[key]["note"]]
    assert not stale, show(stale)


# The spellings a translated page uses, each searched for as a reader types it; and the surnames
# alone, as a reader who remembers only the surname types them.
SPELLINGS = sorted({(lang, alias, actor) for lang, alias, actor, _ in names_on_pages() if alias != ACTORS[actor]})
SURNAMES = [
    ("ru", "Мередов", "rashid-meredov"),
    ("ru", "Сийярто", "peter-szijjarto"),
    ("ru", "Гаджиев", "hikmet-hajiyev"),
    ("ru", "Алтун", "fahrettin-altun"),
    ("ru", "Бердымухамедов", "gurbanguly-berdimuhamedov"),
    ("ru", "Жапаров", "sadyr-japarov"),
    ("ru", "ОТГ", "organisation-of-turkic-states"),
    ("tr", "Hacıyev", "hikmet-hajiyev"),
    ("tr", "Caparov", "sadyr-japarov"),
    ("tr", "TDT", "organisation-of-turkic-states"),
]
SEARCHES = SPELLINGS + SURNAMES


@pytest.fixture(scope="module")
def get(fresh_db):
    return datasette_fetcher(fresh_db)


@pytest.mark.parametrize("lang,typed,actor", SEARCHES, ids=[f"{lang}:{typed}" for lang, typed, _ in SEARCHES])
def test_the_search_box_finds_the_actor_by_the_name_on_the_page(get, lang, typed, actor):
    found = [r["actor_id"] for r in get("/ots/actors.json", _search=typed, _shape="array", _size="max").json()]
    assert actor in found, f"{typed!r} ({lang}): found {found}"


@pytest.mark.parametrize("lang,typed,actor", SEARCHES, ids=[f"{lang}:{typed}" for lang, typed, _ in SEARCHES])
def test_search_everything_finds_the_actor_by_the_name_on_the_page(get, lang, typed, actor):
    found = [(r["table_name"], r["row_id"]) for r in get("/ots/search_everything.json", q=typed, _shape="array").json()]
    assert ("actors", actor) in found, f"{typed!r} ({lang}): found {found}"


def test_the_surnames_searched_are_written_so_on_their_pages():
    """The surnames above are the pages' own (a page that stops naming someone drops them here)."""
    text = {lang: " ".join(t.get(lang, "") for _, _, t in aligned()) for lang in LANGUAGES}
    absent = [(lang, typed) for lang, typed, _ in SURNAMES if not names(text[lang], [typed])]
    assert not absent, show(absent)
