"""The charts in the reader's language (issue 24, item 5): every chart of the Charts page is drawn
in English, Turkish and Russian from the same reading of the database; the Turkish and Russian
drawings hold no English word of the English drawing's labels (brands, handles, names and what the
article prints aside), write numbers as the language does, and are what the Turkish and Russian
pages show, with text alternatives in their language. The English drawings keep their published
addresses.

Expected values come from the database and the CSVs, the glossary, and the way each language writes
numbers (Babel's CLDR data, as the pages write them); the site is the one conftest builds from a
fresh database into a temporary folder."""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml
from babel.numbers import format_decimal
from conftest import ROOT, read_csv, show
from support import GLOSSARY, forbidden_uses

from ots_data import charts, docs

TRANSLATED = ("tr", "ru")
# The charts the article's data gives, at the addresses the English page has always used (the
# change chart appears only with a second round of counts: tests/test_docs_rounds.py).
NAMES = ("audience", "presence", "commitments", "timeline")
I18N = ROOT / "docs" / "i18n"
CHART_TEXTS = yaml.safe_load((I18N / "charts.yml").read_text(encoding="utf-8"))
NBSP = "\u00a0"
# How Turkish and Russian readers write thousands and millions (the Turkish and Russian pages say
# 100 bin, 1,2 milyon; 100 тыс., 1,2 млн; a chart's axis has room for the short forms).
UNITS = {"tr": {1_000: "bin", 1_000_000: "mn"}, "ru": {1_000: "тыс.", 1_000_000: "млн"}}
CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
TURKISH_LETTERS = re.compile(r"[çğıöşüÇĞİÖŞÜ]")
# Words the translation writes as English does, with the reason.
SAME_IN_TRANSLATION = {
    "tr": {
        "İstanbul": "a city: Turkish writes İstanbul, as the article does",
        "Libya": "a country: Turkish writes Libya",
    },
    "ru": {
        "Social": "the survey's name, Social Network Map, which the Russian pages keep (docs/i18n/schema.yml)",
        "Network": "the survey's name, Social Network Map",
        "Map": "the survey's name, Social Network Map",
    },
}
# Spellings a translated chart uses that no passage linked as `supports` writes, with the reason.
WITHOUT_SUPPORTING_PASSAGE = {
    ("asadjon-khodjaev", "Асаджон Ходжаев"): (
        "the Russian spelling of his name: the passages that write it (linked as context) name him as the"
        " presidential press service's head in 2017, not as the Agency's director; no Russian page was found"
        " that names the director"
    ),
}


def drawing(path: Path) -> dict:
    """The root's language attributes, the texts drawn (each <text>, its <tspan>s joined), the
    <title> and the <desc> of an SVG chart."""
    svg = path.read_text(encoding="utf-8")
    root = re.search(r"<svg\b[^>]*>", svg).group(0)
    return {
        "lang": re.search(r'\slang="([^"]*)"', root).group(1),
        "xml:lang": re.search(r'\sxml:lang="([^"]*)"', root).group(1),
        "drawn": [
            re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", "", text))).strip()  # keeps no-break spaces
            for text in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)
        ],
        "title": html.unescape(re.search(r"<title[^>]*>(.*?)</title>", svg, re.S).group(1)),
        "desc": html.unescape(re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)),
    }


def words(texts: list[str]) -> set[str]:
    """The words (two letters or more) of some texts, case-folded; a word a label cuts short
    ("Erdoğan greets heads of state in nin…", a handle "Republic of Türkiye Dir…") is no word."""
    return {
        match.group(0).casefold()
        for text in texts
        for match in re.finditer(r"[^\W\d_]{2,}", text)
        if not text.startswith("…", match.end())
    }


def readable(chart: dict) -> list[str]:
    return [*chart["drawn"], chart["title"], chart["desc"]]


@pytest.fixture(scope="module")
def kept(fresh_db) -> set[str]:
    """Words a translated chart keeps as the English one writes them, read from the database:
    platform names (brands), handles, the figures and marks the article prints ("4,279K", "None
    available"), the cited authors, state codes, and people's names (in Turkish a person may keep
    the dataset's spelling; institutions are translated)."""
    db = sqlite3.connect(f"file:{fresh_db}?mode=ro", uri=True)
    values = [
        value
        for sql in (
            "select platform from accounts",
            "select handle from accounts",
            "select count_as_printed from follower_counts",
            "select as_printed from absences",
            "select author from sources",
            "select state_code from states",
            "select alias from actor_aliases join actors using (actor_id) where actor_type = 'person'",
            "select name from actors where actor_type = 'person'",
        )
        for (value,) in db.execute(sql)
        if value
    ]
    db.close()
    return words(values)


def english_words(path: Path, kept: set[str]) -> set[str]:
    return words(readable(drawing(path))) - kept


def foreign(text_words: set[str], english: set[str], lang: str) -> set[str]:
    """The words of a translated text that are English words of the English chart."""
    return (text_words & english) - words(list(SAME_IN_TRANSLATION[lang]))


def page_figures(site: Path, lang: str) -> list[tuple[str, str]]:
    """(the address the <img> opens, its alt text) of each chart on a built Charts page."""
    folder = "" if lang == "en" else f"{lang}/"
    text = (site / folder / "charts" / "index.html").read_text(encoding="utf-8")
    base = f"http://site/{folder}charts/"
    found = []
    for figure in re.findall(r'<figure class="chart">(.*?)</figure>', text, re.S):
        img = re.search(r"<img\b[^>]*>", figure).group(0)
        src = html.unescape(re.search(r'\ssrc="([^"]*)"', img).group(1))
        alt = html.unescape(re.search(r'\salt="([^"]*)"', img).group(1))
        found.append((urljoin(base, src).removeprefix("http://site/"), alt))
    return found


def in_full(value: float, lang: str) -> str:
    """A number as the language writes it (1.234, 1 234 with a no-break space): CLDR, via Babel."""
    return format_decimal(value, locale=lang)


def shortened(value: int, lang: str) -> str:
    """A count of ten thousand or more, or a round number of thousands, with the language's unit:
    9,4 mn, 19 млн, 1 тыс."""
    unit = max(u for u in UNITS[lang] if u <= value)
    return in_full(value / unit, lang) + NBSP + UNITS[lang][unit]


# ------------------------------------------------------------------------------------ the drawings


@pytest.mark.slow
def test_the_english_charts_keep_their_published_addresses(docs_site):
    figures = page_figures(docs_site, "en")
    assert [src for src, _ in figures] == [f"assets/charts/{name}.svg" for name in NAMES], show(figures)
    for name in NAMES:
        chart = drawing(docs_site / "assets" / "charts" / f"{name}.svg")
        assert chart["lang"] == chart["xml:lang"] == "en", name


@pytest.mark.slow
@pytest.mark.parametrize("lang", TRANSLATED)
def test_each_chart_is_drawn_in_the_language_and_published_under_it(docs_source, docs_site, lang):
    """assets/charts/<name>.<lang>.svg is drawn; the site serves it at <lang>/assets/charts/<name>.svg,
    its root naming the language."""
    for name in NAMES:
        source = docs_source / "assets" / "charts" / f"{name}.{lang}.svg"
        published = docs_site / lang / "assets" / "charts" / f"{name}.svg"
        assert source.exists() and published.exists(), (source, published)
        assert published.read_bytes() == source.read_bytes(), name
        chart = drawing(published)
        assert chart["lang"] == chart["xml:lang"] == lang, name


@pytest.mark.slow
@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("name", NAMES)
def test_a_translated_chart_draws_no_english_word_of_the_english_chart(docs_source, kept, lang, name):
    folder = docs_source / "assets" / "charts"
    english = english_words(folder / f"{name}.svg", kept)
    assert len(english) > 5, english  # the rule can fail: the English chart has words of its own
    chart = drawing(folder / f"{name}.{lang}.svg")
    found = foreign(words(readable(chart)), english, lang)
    texts = [t for t in readable(chart) if words([t]) & found]
    assert not found, f"English words in {name}.{lang}.svg: {sorted(found)}\n" + show(texts)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_russian_chart_writes_every_other_word_in_cyrillic(docs_source, kept, name):
    chart = drawing(docs_source / "assets" / "charts" / f"{name}.ru.svg")
    latin = {w for w in words(readable(chart)) if not CYRILLIC.search(w)}
    found = latin - kept - words(list(SAME_IN_TRANSLATION["ru"]))
    assert not found, f"{name}.ru.svg: {sorted(found)}\n" + show(t for t in readable(chart) if words([t]) & found)


@pytest.mark.slow
@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_audience_chart_writes_its_numbers_as_the_language_does(docs_source, fresh_db, lang):
    """Its axis counts in the language's units up to the largest printed figure (1 bin ... 10 mn;
    1 тыс. ... 10 млн), and its text alternative gives the number of figures and the largest one,
    as read from the article and as printed."""
    db = sqlite3.connect(f"file:{fresh_db}?mode=ro", uri=True)
    printed = "actor_listings l join follower_counts f on f.listing_id = l.listing_id where f.count is not null"
    (figures,) = db.execute(f"select count(*) from {printed}").fetchone()
    largest, largest_printed = db.execute(
        f"select f.count, f.count_as_printed from {printed} order by f.count desc"
    ).fetchone()
    db.close()
    chart = drawing(docs_source / "assets" / "charts" / f"audience.{lang}.svg")
    powers = [10**k for k in range(3, 9) if 10**k <= largest]
    ticks = [shortened(p, lang) for p in powers]
    assert len(ticks) >= 4 and all(t in chart["drawn"] for t in ticks), (ticks, chart["drawn"][:12])
    assert in_full(100, lang) in chart["drawn"]
    assert in_full(figures, lang) in chart["desc"], chart["desc"]
    assert shortened(largest, lang) in chart["desc"] and largest_printed in chart["desc"], chart["desc"]


def test_numbers_are_written_as_each_language_writes_them():
    """Small counts in full with the language's grouping, large ones with its unit."""
    texts = charts.Texts.load()
    expected = {
        ("tr", 1_234): "1.234",
        ("ru", 1_234): f"1{NBSP}234",
        ("tr", 9_400_000): f"9,4{NBSP}mn",
        ("ru", 9_400_000): f"9,4{NBSP}млн",
        ("tr", 1_000): f"1{NBSP}bin",
        ("ru", 32_050): f"32,05{NBSP}тыс.",
        ("en", 1_200_000): "1.2M",
        ("en", 98): "98",
    }
    written = {(lang, value): charts.compact(value, lang, texts) for lang, value in expected}
    assert written == expected, show(sorted(set(written.items()) ^ set(expected.items())))
    assert (charts.percent(-12.5, "tr"), charts.percent(-12.5, "ru")) == ("-%12,5", f"-12,5{NBSP}%")


# ---------------------------------------------------------------------------------------- the pages


@pytest.mark.slow
@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_translated_page_shows_its_language_s_charts_with_its_language_s_text(docs_site, docs_source, kept, lang):
    figures = page_figures(docs_site, lang)
    assert [src for src, _ in figures] == [f"{lang}/assets/charts/{name}.svg" for name in NAMES], show(figures)
    letters = CYRILLIC if lang == "ru" else TURKISH_LETTERS
    for (src, alt), name in zip(figures, NAMES, strict=True):
        chart = drawing(docs_site / src)
        assert chart["lang"] == lang and alt == chart["desc"], (name, alt, chart["desc"])
        english = english_words(docs_source / "assets" / "charts" / f"{name}.svg", kept)
        found = foreign(words([alt]), english, lang)
        assert letters.search(alt) and not found, (name, sorted(found), alt)


@pytest.mark.slow
@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_translated_charts_pages_are_not_marked_partly_english(docs_site, lang):
    """Every word of the page is translated now, so it carries no "partly English" notice: the
    charts page is not in glossary.yml's partly_english, and the built page has no language note."""
    text = (docs_site / lang / "charts" / "index.html").read_text(encoding="utf-8")
    assert "charts" not in GLOSSARY["partly_english"], "docs/i18n/glossary.yml: remove charts from partly_english"
    assert 'class="admonition language-note"' not in text


# ------------------------------------------------------------------------------ docs/i18n/charts.yml


def translations(node: object, key: str = "") -> list[tuple[str, str, str]]:
    """(key, language, text) of every Turkish and Russian text of charts.yml."""
    found = []
    if isinstance(node, dict):
        for child_key, child in node.items():
            if child_key in TRANSLATED:
                texts = child if isinstance(child, list) else [child]
                found += [(key, child_key, text) for text in texts]
            elif child_key != "en":
                found += translations(child, f"{key}.{child_key}".strip("."))
    return found


def test_the_chart_texts_use_only_the_glossary_s_renderings():
    found = [
        (key, lang, name, used)
        for key, lang, text in translations(CHART_TEXTS)
        for name, used in forbidden_uses(text, lang)
    ]
    assert len(translations(CHART_TEXTS)) > 100
    assert not found, "another rendering of a glossary term (see docs/i18n/glossary.yml):\n" + show(found)


def test_every_chart_text_has_every_language():
    missing = []

    def walk(node: object, key: str) -> None:
        if isinstance(node, dict) and set(node) & {"en", "tr", "ru"}:
            needed = ("tr", "ru") if key.startswith(("names.", "timeline.dates.")) else ("en", "tr", "ru")
            missing.extend((key, lang) for lang in needed if not node.get(lang))
        elif isinstance(node, dict):
            for child_key, child in node.items():
                walk(child, f"{key}.{child_key}".strip("."))

    walk(CHART_TEXTS, "")
    assert not missing, show(missing)


def test_every_actor_is_named_by_one_of_its_spellings():
    """README: a Russian page writes a name in Cyrillic, a Turkish one the Turkish press spelling
    where the data records one, else the dataset's; each is a spelling of data/actor_aliases.csv
    that the article prints, that a passage of an outside source writes (alias_evidence), or that
    its note says is this dataset's own."""
    actors = {row["actor_id"]: row["name"] for row in read_csv(ROOT / "data/actors.csv")}
    aliases = {(row["actor_id"], row["alias"]): row for row in read_csv(ROOT / "data/actor_aliases.csv")}
    sourced = {
        (link["actor_id"], link["alias"])
        for link in read_csv(ROOT / "data/alias_evidence.csv")
        if link["stance"] == "supports"
    }
    names = CHART_TEXTS["names"]
    assert set(names) == set(actors), f"missing: {set(actors) - set(names)}, stale: {set(names) - set(actors)}"
    wrong = []
    for actor, spelled in names.items():
        for lang in TRANSLATED:
            name, alias = spelled[lang], aliases.get((actor, spelled[lang]))
            if lang == "ru" and not CYRILLIC.search(name):
                wrong.append((actor, lang, name, "not in Cyrillic"))
            elif name != actors[actor] and alias is None:
                wrong.append((actor, lang, name, "not a spelling of data/actor_aliases.csv"))
            elif alias and alias["alias_kind"] not in ("printed_spelling", "handle") and (actor, name) not in sourced:
                if "this dataset's" not in alias["note"].casefold() and (actor, name) not in WITHOUT_SUPPORTING_PASSAGE:
                    wrong.append((actor, lang, name, "no passage writes it, and its note does not say it is ours"))
    assert not wrong, show(wrong)


def test_the_exceptions_are_still_needed():
    sourced = {
        (link["actor_id"], link["alias"])
        for link in read_csv(ROOT / "data/alias_evidence.csv")
        if link["stance"] == "supports"
    }
    used = {(actor, spelled[lang]) for actor, spelled in CHART_TEXTS["names"].items() for lang in TRANSLATED}
    stale = [key for key in WITHOUT_SUPPORTING_PASSAGE if key in sourced or key not in used]
    assert not stale, show(stale)


def test_every_event_has_a_translation_of_its_current_title():
    titles = {row["event_id"]: row["title"] for row in read_csv(ROOT / "data/events.csv")}
    events = CHART_TEXTS["events"]
    assert set(events) == set(titles), f"missing: {set(titles) - set(events)}, stale: {set(events) - set(titles)}"
    changed = [(event, entry["en"], titles[event]) for event, entry in events.items() if entry["en"] != titles[event]]
    assert not changed, "the English title changed: review the translations, then update `en`:\n" + show(changed)


def test_the_charts_are_drawn_in_the_site_s_languages():
    assert charts.LANGUAGES == docs.LANGUAGES
