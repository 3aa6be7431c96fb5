"""The Turkish and Russian site: one rendering per term (docs/i18n/glossary.yml), the article's
words quoted only as the article printed them (in English), every page translated or marked as
English, and every section link resolving.

The quotation tests need the article's text (see tests/test_quotes.py); without it they skip."""

from __future__ import annotations

import html
import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
import yaml
from conftest import ROOT, read_csv, show
from support import forbidden_uses

I18N = ROOT / "docs" / "i18n"
GLOSSARY = yaml.safe_load((I18N / "glossary.yml").read_text(encoding="utf-8"))
MKDOCS = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
NAV = [(label, file) for entry in MKDOCS["nav"] for label, file in entry.items()]  # (English label, file)
TRANSLATED_LANGS = ("tr", "ru")
ARTICLE = Path(os.environ.get("ARTICLE_TEXT", ROOT.parent / "shared/sources/altun-2023-bilig-106.txt"))


def i18n(name: str) -> dict:
    return yaml.safe_load((I18N / name).read_text(encoding="utf-8"))


def translated_strings(langs=TRANSLATED_LANGS) -> list[tuple[str, str, str, str]]:
    """(file, key, lang, text) for every string of the translation files in those languages."""
    found = []
    for name in ("strings.yml", "errata.yml", "commitments.yml", "schema.yml"):
        for key, texts in i18n(name).items():
            found += [(name, key, lang, texts[lang]) for lang in langs if texts.get(lang)]
            # An erratum's short title (errata.yml) is a string of its own, in the same languages.
            title = texts.get("title") if isinstance(texts.get("title"), dict) else {}
            found += [(name, f"{key}.title", lang, title[lang]) for lang in langs if title.get(lang)]
    return found


def prose(markdown: str) -> str:
    """The words a reader reads: no code, no link targets, no HTML tags, no placeholders."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\{\{[^}]*\}\}", " ", text)


# ------------------------------------------------------------------------------------- glossary


def test_every_glossary_term_has_a_rendering_in_every_language():
    missing = [
        (name, lang) for name, term in GLOSSARY["terms"].items() for lang in ("en", "tr", "ru") if not term.get(lang)
    ]
    assert not missing, show(missing)


def test_the_menu_in_every_language_is_the_glossary_s_page_names_with_english_pages_marked():
    languages = {lang["locale"]: lang for lang in MKDOCS["plugins"][1]["i18n"]["languages"]}
    assert [label for label, _ in NAV] == list(GLOSSARY["pages"]), "glossary.yml pages and mkdocs.yml nav differ"
    wrong = []
    for lang in TRANSLATED_LANGS:
        for label, file in NAV:
            expected = GLOSSARY["pages"][label][lang]
            if Path(file).stem in GLOSSARY["english_only"]:
                expected += GLOSSARY["english_marker"][lang]
            actual = languages[lang]["nav_translations"].get(label)
            if actual != expected:
                wrong.append((lang, label, f"mkdocs.yml: {actual!r}", f"glossary: {expected!r}"))
    assert not wrong, show(wrong)


def test_generated_pages_take_the_glossary_s_renderings():
    """The keys a term supplies (`strings:`) come from the glossary only: strings.yml has none of them."""
    from ots_data.docs import with_glossary_strings

    strings = i18n("strings.yml")
    doubled = [key for term in GLOSSARY["terms"].values() for key in term.get("strings", []) if key in strings]
    assert not doubled, f"strings.yml defines keys the glossary supplies: {doubled}"
    merged = with_glossary_strings(strings, GLOSSARY)
    wrong = [
        (key, lang, merged[key][lang])
        for term in GLOSSARY["terms"].values()
        for key in term.get("strings", [])
        for lang in ("en", "tr", "ru")
        if merged[key][lang] != term[lang]
    ]
    assert not wrong, show(wrong)


def test_the_forbidden_renderings_are_found_where_they_occur():
    """The rule can fail: the renderings the review found are caught."""
    assert forbidden_uses("Durum: Doğrulanmadı", "tr") == [("unverified", "Doğrulanmadı")]
    assert forbidden_uses("Durum: Henüz doğrulanmadı", "tr") == []
    assert [name for name, _ in forbidden_uses("Как на самом деле: …", "ru")] == ["record"]
    assert [name for name, _ in forbidden_uses("Статус: Не подтверждено", "ru")] == ["unverified"]


@pytest.mark.parametrize("lang", TRANSLATED_LANGS)
def test_translated_pages_use_only_the_glossary_s_renderings(lang):
    found = []
    for page in sorted((ROOT / "docs").glob(f"*.{lang}.md")):
        for number, line in enumerate(prose(page.read_text(encoding="utf-8")).split("\n"), 1):
            found += [(f"docs/{page.name}:{number}", term, text) for term, text in forbidden_uses(line, lang)]
    for name, key, _, text in translated_strings((lang,)):
        found += [(f"docs/i18n/{name}: {key}", term, used) for term, used in forbidden_uses(prose(text), lang)]
    found += [
        (f"docs/i18n/glossary.yml: {key}", term, used)
        for key in ("english_notice",)
        for term, used in forbidden_uses(prose(GLOSSARY[key][lang]), lang)
    ]
    assert not found, "another rendering of a glossary term (see docs/i18n/glossary.yml):\n" + show(found, 50)


# ----------------------------------------------------------------------------------- quotations

QUOTED = re.compile(r'"([^"]+)"|«([^«»]+)»|“([^”]+)”')


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    return " ".join(text.split()).casefold()


def quotations(text: str) -> list[str]:
    """The spans in quotation marks that are not a translation: a translation goes in [brackets]
    right after the original, and is left out here with everything else in brackets."""
    outside = re.sub(r"\[[^\]]*\]", " ", text)
    return [next(g for g in match.groups() if g) for match in QUOTED.finditer(outside)]


@pytest.fixture(scope="module")
def printed_or_recorded() -> str:
    """The article's text and the data's, normalised: what a quotation may be taken from."""
    if not ARTICLE.exists():
        pytest.skip(f"the article's text is not at {ARTICLE} (set ARTICLE_TEXT)")
    data = " ".join(
        v for path in sorted((ROOT / "data").glob("*.csv")) for row in read_csv(path) for v in row.values() if v
    )
    return normalise(ARTICLE.read_text(encoding="utf-8")) + " | " + normalise(data)


def names_in_the_glossary() -> set[str]:
    """Titles and page names a translation may put in quotation marks (they quote no one)."""
    names = {term[lang] for term in GLOSSARY["terms"].values() for lang in TRANSLATED_LANGS}
    names |= {page[lang] for page in GLOSSARY["pages"].values() for lang in TRANSLATED_LANGS}
    return {normalise(name.strip("«»")) for name in names}


def unfounded(span: str, source: str, names: set[str]) -> bool:
    """A quotation is founded when every part of it (split at an ellipsis) is in the article or the
    data, or when it is a name from the glossary."""
    if normalise(span) in names or any(re.fullmatch(title, span) for title in GLOSSARY["titles"]):
        return False
    parts = [normalise(part) for part in re.split(r"\.\.\.|…", span)]
    return any(part and part not in source for part in parts)


def test_a_translation_in_quotation_marks_is_caught():
    """The rule can fail: translated words in quotation marks are not the article's."""
    source = normalise('the article says "ten summits were held until 2022" here')
    assert quotations('Makale "2022\'ye kadar on zirve yapıldığını" yazıyor.') == ["2022'ye kadar on zirve yapıldığını"]
    assert unfounded("2022'ye kadar on zirve yapıldığını", source, set())
    assert quotations('Makale "ten summits were held until 2022" [2022\'ye kadar on zirve yapıldı] diyor.') == [
        "ten summits were held until 2022"
    ]
    assert not unfounded("ten summits were held until 2022", source, set())


@pytest.mark.parametrize("name", ["errata.yml", "commitments.yml", "strings.yml", "schema.yml"])
def test_quotations_in_the_translations_are_the_article_s_english_words(name, printed_or_recorded):
    """Every span in quotation marks in a string (the English summary of an erratum too) is the
    article's text or the data's, unless it is in [brackets]: the translation of the quotation
    before it. So no translated words are passed off as what the English article printed."""
    names = names_in_the_glossary()
    langs = ("en", "tr", "ru") if name == "errata.yml" else TRANSLATED_LANGS
    offending = [
        (key, lang, span, text)
        for file, key, lang, text in translated_strings(langs)
        if file == name
        for span in quotations(text)
        if unfounded(span, printed_or_recorded, names)
    ]
    assert not offending, (
        f"docs/i18n/{name}: quoted words that are neither in the article nor in the data; quote the "
        "article's English and put the translation in [brackets] after it, e.g. \"ten summits were held "
        "until 2022\" [2022'ye kadar on zirve yapıldı]:\n" + show(offending, 50)
    )


@pytest.mark.parametrize("name", ["errata.yml"])
def test_unverified_errata_stay_hedged_in_every_language(name):
    """An erratum whose status is unverified does not say in Turkish or Russian that it is settled:
    where its English summary says so (Unverified, Not verified), the translation says 'not yet'."""
    summaries = i18n(name)
    status = {r["erratum_id"]: r["status"] for r in read_csv(ROOT / "data/errata.csv")}
    hedge = {"tr": "henüz doğrulanmadı", "ru": "пока не подтверждено"}
    missing = [
        (key, lang)
        for key, texts in summaries.items()
        if status.get(key) == "unverified" and re.search(r"\b(unverified|not verified)\b", texts["en"], re.I)
        for lang in TRANSLATED_LANGS
        if hedge[lang] not in texts[lang].casefold()
    ]
    assert not missing, show(missing)


# ---------------------------------------------------------------------- pages and their language

TURKISH_LETTERS = re.compile(r"[çğıöşüÇĞİÖŞÜ]")
CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")


def main_text(page_html: str) -> str:
    """The words of a built page's content, without code."""
    match = re.search(r'<article class="md-content__inner[^"]*">(.*?)</article>', page_html, re.S)
    content = match.group(1) if match else page_html
    content = re.sub(r"<(pre|code|script)[^>]*>.*?</\1>", " ", content, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", content))


def reads_as(text: str, lang: str) -> bool:
    """Whether a text is mostly in that language: for Turkish, at least one word in six of four or
    more letters has a Turkish letter (English prose with a few names has far fewer); for Russian,
    most words of four or more letters are Cyrillic."""
    words = [w for w in re.findall(r"[^\W\d_]{4,}", text)]
    if not words:
        return False
    if lang == "tr":
        return sum(bool(TURKISH_LETTERS.search(w)) for w in words) / len(words) >= 1 / 6
    return sum(bool(CYRILLIC.search(w)) for w in words) / len(words) >= 0.5


def test_the_language_rule_tells_an_english_page_from_a_translated_one():
    """The rule can fail: the English pages do not read as Turkish or Russian, their translations do."""
    for name in ("methodology", "editorial-policy", "using-the-data"):
        english = prose((ROOT / "docs" / f"{name}.md").read_text(encoding="utf-8"))
        assert not reads_as(english, "tr") and not reads_as(english, "ru"), name
        for lang in TRANSLATED_LANGS:
            assert reads_as(prose((ROOT / "docs" / f"{name}.{lang}.md").read_text(encoding="utf-8")), lang), (
                name,
                lang,
            )


def built_page(site: Path, lang: str, file: str) -> Path:
    stem = Path(file).stem
    return site / lang / ("" if stem == "index" else stem) / "index.html"


@pytest.mark.slow
@pytest.mark.parametrize("lang", TRANSLATED_LANGS)
def test_every_page_is_translated_or_marked_as_english(docs_site, lang):
    """Per language, which pages a reader gets translated, which are marked (wholly or partly in
    English), and none in English without a mark."""
    report, unmarked = [], []
    for _, file in NAV:
        text = built_page(docs_site, lang, file).read_text(encoding="utf-8")
        marked = 'class="admonition language-note"' in text
        translated = reads_as(main_text(text), lang)
        if Path(file).stem in GLOSSARY["english_only"]:
            state = "English, marked" if marked and not translated else "English-only page: NOT MARKED"
        elif translated:
            state = "translated" + (" (partly English, marked)" if marked else "")
        else:
            state = "mostly English content, marked" if marked else "ENGLISH, NOT MARKED"
        report.append(f"{lang} {file}: {state}")
        if "NOT MARKED" in state:
            unmarked.append(file)
    print("\n".join(report))
    assert not unmarked, "\n".join(report)


# --------------------------------------------------------------------------------------- anchors


@pytest.mark.slow
@pytest.mark.parametrize("lang", ("en", *TRANSLATED_LANGS))
def test_every_section_link_resolves_and_every_heading_has_a_readable_anchor(docs_site, lang):
    """Every href with a #fragment, in every built page of the language, points at an id on its
    target page; and no heading has an empty slug (Python-Markdown's `_1`, `_2`)."""
    base = "http://site/"
    folder = docs_site / lang if lang != "en" else docs_site
    pages = [
        p
        for p in folder.rglob("index.html")
        if lang != "en" or p.relative_to(docs_site).parts[0] not in TRANSLATED_LANGS
    ]
    ids: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            ids[path] = {html.unescape(unquote(i)) for i in re.findall(r'\sid="([^"]+)"', text)}
        return ids[path]

    broken, empty = [], []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        where = str(page.relative_to(docs_site))
        url = base + "".join(f"{part}/" for part in page.parent.relative_to(docs_site).parts)
        empty += [(where, "heading id", h) for h in re.findall(r'<h[1-6] id="(_\d+)"', text)]
        for href in re.findall(r'href="([^"]*#[^"]+)"', text):
            target = urljoin(url, html.unescape(href))
            if not target.startswith(base) or target[len(base) :].startswith(("ots", "-/", "downloads/")):
                continue  # another site, or Datasette and the releases (not part of the docs site)
            path, fragment = target[len(base) :].split("#", 1)
            path = unquote(path.split("?")[0])
            file = docs_site / path if path.endswith(".html") else docs_site / path / "index.html"
            if unquote(fragment) not in ids_of(file):
                broken.append((where, href))
    assert not broken and not empty, show(broken + empty, 50)


def test_every_table_and_column_of_the_schema_has_a_turkish_and_russian_description():
    """docs/i18n/schema.yml keys `table` and `table.column`: one per table and column of
    datapackage.yaml, none stale, each with both languages."""
    from ots_data.schema import load_resources

    translated = i18n("schema.yml")
    keys = set()
    for resource in load_resources(ROOT / "datapackage.yaml"):
        keys |= {resource.name} | {f"{resource.name}.{field.name}" for field in resource.fields}
    missing = sorted(
        (key, lang) for key in keys for lang in TRANSLATED_LANGS if not (translated.get(key) or {}).get(lang)
    )
    stale = sorted(set(translated) - keys)
    assert not missing and not stale, f"missing: {show(missing)}\nnot in datapackage.yaml: {stale}"


# -------------------------------------------------------------------- sections of the translations


def headings(markdown: str) -> list[tuple[int, str]]:
    """(level, text) of a page's section headings (`## ` and deeper), outside fenced code (where a
    `# ` line is a comment)."""
    found, in_code = [], False
    for line in markdown.split("\n"):
        if re.match(r"\s*(```|~~~)", line):
            in_code = not in_code
        elif not in_code and (match := re.match(r"(#{2,6}) +(\S.*)", line)):
            found.append((len(match.group(1)), match.group(2).strip()))
    return found


def sections_without_counterpart(english: str, translated: str) -> list[str]:
    """The English sections the translation has no counterpart for. The `## ` sections are matched
    in order, and within each its subsections by number and level (their text is translated, so it
    is not compared); a heading with an explicit anchor ({#id}) needs a heading with that anchor."""

    def sections(markdown: str) -> list[tuple[str, list[tuple[int, str]]]]:
        grouped: list[tuple[str, list[tuple[int, str]]]] = []
        for level, text in headings(markdown):
            if level == 2:
                grouped.append((text, []))
            elif grouped:
                grouped[-1][1].append((level, text))
        return grouped

    ours, theirs = sections(english), sections(translated)
    if len(ours) != len(theirs):
        return [f"{len(ours)} `## ` sections in English, {len(theirs)} in the translation: {[t for t, _ in ours]}"]
    missing = [
        f"under '## {text}': English {[f'{chr(35) * level} {sub}' for level, sub in subs]}, "
        f"translation {[f'{chr(35) * level} {sub}' for level, sub in translated_subs]}"
        for (text, subs), (_, translated_subs) in zip(ours, theirs, strict=True)
        if [level for level, _ in subs] != [level for level, _ in translated_subs]
    ]
    anchor = re.compile(r"\{#([^}\s]+)\}")
    translated_anchors = {a for _, text in headings(translated) for a in anchor.findall(text)}
    missing += [
        f"'{text}': no heading with the anchor #{a}"
        for _, text in headings(english)
        for a in anchor.findall(text)
        if a not in translated_anchors
    ]
    return missing


def marked_as_english(name: str) -> bool:
    """Whether the docs step marks the page as (wholly or partly) English in Turkish and Russian:
    glossary.yml lists it under `english_only` or `partly_english` (ots_data/docs.py puts the notice
    on top)."""
    return name in GLOSSARY["english_only"] or name in GLOSSARY["partly_english"]


def test_a_missing_section_is_caught():
    """The rule can fail: a translation without one subsection, without a `## ` section or without an
    anchored heading is caught; one with the same structure (and a `# ` comment in code) is not."""
    english = "# Page\n\n## A\n\n### A1\n\n### A2\n\n## B {#bee}\n\n```python\n# a comment\n```\n"
    same = "# Sayfa\n\n## Ay\n\n### Ay1\n\n### Ay2\n\n## Be {#bee}\n\n```python\n# a comment\n```\n"
    assert sections_without_counterpart(english, same) == []
    no_subsection = same.replace("### Ay2\n", "")
    assert sections_without_counterpart(english, no_subsection) == [
        "under '## A': English ['### A1', '### A2'], translation ['### Ay1']"
    ]
    assert len(sections_without_counterpart(english, same.replace("## Be {#bee}", "Be"))) == 1
    assert sections_without_counterpart(english, same.replace("{#bee}", "")) == [
        "'B {#bee}': no heading with the anchor #bee"
    ]
    assert marked_as_english("deploying") and marked_as_english("errata") and not marked_as_english("using-the-data")


@pytest.mark.parametrize("lang", TRANSLATED_LANGS)
def test_every_section_of_an_english_page_is_in_its_translation_or_the_page_is_marked(lang):
    """docs/<name>.md against docs/<name>.<lang>.md: a section added to the English page after the
    translation (review 3, TR-E2/RU-E2) fails here, unless the page carries the English notice."""
    gaps = []
    for english in sorted((ROOT / "docs").glob("*.md")):
        name = english.name.removesuffix(".md")
        if "." in name or marked_as_english(name):
            continue
        translated = english.with_name(f"{name}.{lang}.md")
        if not translated.exists():
            gaps.append((english.name, f"no {translated.name} and not marked as English in glossary.yml"))
            continue
        gaps += [
            (translated.name, gap)
            for gap in sections_without_counterpart(
                english.read_text(encoding="utf-8"), translated.read_text(encoding="utf-8")
            )
        ]
    assert not gaps, "sections of the English page missing from the translation:\n" + show(gaps)
