"""The front page in Turkish (/tr/) and Russian (/ru/) beside the English (/) (issue 24, item 4).

One template (datasette_site/templates/index.html) writes the three from docs/i18n/landing.yml, so:
every string has its English, Turkish and Russian; `/` says the English, /tr/ and /ru/ their own
language and none of the English; each page says its language in <html lang>, writes the as-of
date and its numbers as its language does, carries the version and the search box, links every
entry point, the documentation in its language and the other two front pages. The sitemap lists
the three and the Turkish and Russian docs homes link theirs. Pages are fetched from Datasette as
the one serving configuration builds it (tests/conftest.py); the last tests drive Chromium."""

from __future__ import annotations

import datetime
import re
import sqlite3
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from conftest import ROOT, datasette_fetcher, read_csv, show
from support import ARTIFACTS, BROWSER_MARKS, DATA_ENTRY_POINTS, axe_violations, forbidden_uses

from ots_data.schema import load_descriptor
from ots_data.serving import STATIC_MOUNTS

LANDING = yaml.safe_load((ROOT / "docs/i18n/landing.yml").read_text(encoding="utf-8"))
LANGS = ("en", "tr", "ru")
TRANSLATED = ("tr", "ru")
PAGES = {"en": "/", "tr": "/tr/", "ru": "/ru/"}
NBSP = "\u00a0"
# [text](address) in a string of landing.yml
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
# The entry points, in reading order (tests/support.py).
ENTRY_POINTS = DATA_ENTRY_POINTS
# Written here, not read from landing.yml, so that the page is checked against another source.
MONTHS = {
    "tr": "Ocak Şubat Mart Nisan Mayıs Haziran Temmuz Ağustos Eylül Ekim Kasım Aralık".split(),
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(),
}
# The names the search hint gives as examples, and whom the search finds by them.
SEARCH_EXAMPLES = {"tr": ["cavusoglu", "Çavuşoğlu"], "ru": ["cavusoglu", "Чавушоглу"]}


class Page(HTMLParser):
    """A page's <html lang>, links, alternates, attribute texts, forms and text (without scripts;
    non-breaking spaces kept: Russian numbers and dates use them)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang: str | None = None
        self.links: list[dict] = []
        self.alternates: dict[str, str] = {}
        self.attributes: set[str] = set()  # title and aria-label values
        self.forms: list[dict] = []
        self.labels: list[str] = []
        self._in_label = False
        self._in_script = False
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.attributes |= {attrs[name] for name in ("title", "aria-label") if attrs.get(name)}
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs)
        if tag == "link" and attrs.get("rel") == "alternate" and attrs.get("hreflang"):
            self.alternates[attrs["hreflang"]] = attrs["href"]
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "method": attrs.get("method"), "inputs": []})
        if tag == "input" and self.forms:
            self.forms[-1]["inputs"].append(attrs)
        if tag == "label":
            self._in_label = True
            self.labels.append("")
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag):
        if tag == "label":
            self._in_label = False
        if tag in ("script", "style"):
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:  # the JSON-LD and scripts are not what a reader reads
            return
        self._text.append(data)
        if self._in_label:
            self.labels[-1] += data

    @property
    def text(self) -> str:
        """The text as a reader reads it: runs of spaces and line breaks as one space."""
        return re.sub(r"[ \t\r\n]+", " ", "".join(self._text))

    @property
    def hrefs(self) -> list[str]:
        return [link["href"] for link in self.links]


def plain(text: str) -> str:
    """A string of landing.yml as the page shows it: links as their text."""
    return LINK.sub(r"\1", text)


def link_targets(text: str) -> list[str]:
    return [href.format(database="/ots") for _, href in LINK.findall(text)]


def leaves(node: object, where: str = "") -> list[tuple[str, dict]]:
    """Every mapping of landing.yml that holds a string in languages, with where it is."""
    if isinstance(node, dict) and set(node) & set(LANGS):
        return [(where, node)]
    if isinstance(node, dict):
        return [leaf for key, child in node.items() for leaf in leaves(child, f"{where}.{key}".lstrip("."))]
    return []


@pytest.fixture(scope="module")
def get(fresh_db):
    return datasette_fetcher(fresh_db)


@pytest.fixture(scope="module")
def pages(get) -> dict[str, Page]:
    found = {}
    for lang, path in PAGES.items():
        answer = get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        found[lang] = Page(answer.text)
    return found


@pytest.fixture(scope="module")
def as_of(fresh_db) -> list[datetime.date]:
    conn = sqlite3.connect(fresh_db)
    dates = [datetime.date.fromisoformat(d) for (d,) in conn.execute("select distinct updated_on from article_tables")]
    conn.close()
    return sorted(dates)


# ------------------------------------------------------------------ the strings


def test_every_string_of_landing_yml_has_english_turkish_and_russian():
    found = leaves(LANDING)
    missing = [(where, lang) for where, texts in found for lang in LANGS if not texts.get(lang)]
    assert len(found) > 40 and not missing, show(missing)
    months = LANDING["dates"]["months"]
    assert all(len(months[lang]) == 12 for lang in LANGS), months
    assert len(LANDING["text"]["rows"]["ru"]) == 3, "Russian needs the forms for 1, 2-4 and 5 rows"


def test_every_entry_point_has_its_words():
    from ots_datasette.landing_page import ENTRY_POINTS as PLUGIN_ENTRY_POINTS

    names = [name for _, name, _, _ in PLUGIN_ENTRY_POINTS]
    assert names == list(LANDING["entries"]), "landing.yml's entries and landing_page.py's ENTRY_POINTS differ"
    assert all({"label", "note"} <= set(LANDING["entries"][name]) for name in names)


def test_the_english_titles_are_the_metadata_s_and_the_article_s(metadata):
    """The English the page says is the one source's: the queries' titles and the licence of the
    metadata, the printed tables' titles of the data."""
    titles = metadata["plugins"]["ots"]["query_titles"]
    wrong = [
        (name, words["title"]["en"], titles.get(name))
        for name, words in LANDING["entries"].items()
        if "title" in words and words["title"]["en"] != titles.get(name)
    ]
    printed = {int(row["table_number"]): row["title_as_printed"] for row in read_csv(ROOT / "data/article_tables.csv")}
    wrong += [
        (f"printed_titles.{number}", texts["en"], printed.get(number))
        for number, texts in LANDING["printed_titles"].items()
        if texts["en"] != printed.get(number)
    ]
    wrong += [
        (key, LANDING["text"][key]["en"], metadata[field])
        for key, field in (("licence_name", "license"), ("licence_url", "license_url"))
        if LANDING["text"][key]["en"] != metadata[field]
    ]
    assert not wrong, show(wrong)


def test_the_turkish_and_russian_use_the_glossary_s_renderings():
    found = [
        (where, lang, term, used)
        for where, texts in leaves(LANDING)
        for lang in TRANSLATED
        if isinstance(texts.get(lang), str)
        for term, used in forbidden_uses(plain(texts[lang]), lang)
    ]
    assert not found, show(found)


def test_the_glossary_check_finds_what_it_forbids():
    assert forbidden_uses("üye ve gözlemci ülkeler", "tr") and forbidden_uses("Видение 2040", "ru")


# ------------------------------------------------------------------ the three pages


def test_each_front_page_says_its_language(pages):
    wrong = {lang: page.lang for lang, page in pages.items() if page.lang != lang}
    assert not wrong, wrong


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_address_without_its_slash_leads_to_the_front_page(get, lang):
    answer = get(f"/{lang}")
    assert answer.status_code == 301 and answer.headers["location"] == f"/{lang}/", (
        answer.status_code,
        answer.headers.get("location"),
    )


def shown(lang: str, key: str, values: dict) -> str:
    """What the page writes for a string of landing.yml's `text`."""
    return plain(LANDING["text"][key][lang]).format(**values)


def page_values(lang: str, as_of: list[datetime.date]) -> dict:
    version = load_descriptor(ROOT / "datapackage.yaml")["version"]
    return {"date": ", ".join(written(day, lang) for day in as_of), "version": version}


def written(day: datetime.date, lang: str) -> str:
    if lang == "en":
        return f"{day:%B} {day.day}, {day.year}"
    if lang == "tr":
        return f"{day.day} {MONTHS['tr'][day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS['ru'][day.month - 1]} {day.year}{NBSP}г."


@pytest.mark.parametrize("lang", LANGS)
def test_each_page_shows_every_string_in_its_language(pages, as_of, lang):
    """For `/`, the English of landing.yml is what the page says; for /tr/ and /ru/, their own."""
    page, values = pages[lang], page_values(lang, as_of)
    missing = []
    for key, texts in LANDING["text"].items():
        if key == "rows":  # a form of it for each number: see the test of numbers
            continue
        if key.endswith("_url"):
            if texts[lang] not in page.hrefs:
                missing.append((key, "link", texts[lang]))
        elif shown(lang, key, values) not in page.text and shown(lang, key, values) not in page.attributes:
            missing.append((key, shown(lang, key, values)))
        missing += [(key, "link", href) for href in link_targets(texts[lang]) if href not in page.hrefs]
    for name, words in LANDING["entries"].items():
        missing += [(name, part, words[part][lang]) for part in ("label", "note") if words[part][lang] not in page.text]
        if "title" in words and words["title"][lang] not in page.attributes:
            missing.append((name, "title", words["title"][lang]))
    assert not missing, show(missing, 50)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_translated_pages_say_what_only_they_need_and_no_english(pages, lang):
    """/tr/ and /ru/ say that the data pages are in English and give the printed tables' titles as
    our translation; `/` says neither; no English string of the page is left on them."""
    page, english = pages[lang], pages["en"]
    only = LANDING["translated_only"]
    titles = [only["printed_title"][lang].format(title=texts[lang]) for texts in LANDING["printed_titles"].values()]
    missing = [text for text in (only["data_in_english"][lang], *titles) if text not in page.text]
    on_english = [
        text for text in (only["data_in_english"]["en"], *LANDING["printed_titles"][1].values()) if text in english.text
    ]
    left = [
        (key, plain(texts["en"]))
        for key, texts in LANDING["text"].items()
        if isinstance(texts["en"], str) and not key.endswith("_url") and texts["en"] != texts[lang]
        if "{" not in texts["en"] and plain(texts["en"]) in page.text
    ]
    assert not missing and not on_english and not left, f"missing {missing}; on /: {on_english}; English: {left}"


@pytest.mark.parametrize("lang", LANGS)
def test_each_page_writes_the_as_of_date_and_version_as_its_language_does(pages, as_of, lang):
    values = page_values(lang, as_of)
    wanted = [written(day, lang) for day in as_of] + [values["version"]]
    missing = [text for text in wanted if text not in pages[lang].text]
    assert as_of and not missing, f"not on {PAGES[lang]}: {missing}"
    if as_of == [datetime.date(2022, 6, 22)]:  # the article's date, spelt out
        expected = {"en": "June 22, 2022", "tr": "22 Haziran 2022", "ru": f"22 июня 2022{NBSP}г."}[lang]
        assert expected in pages[lang].text


def russian_rows(count: int) -> str:
    """1, 21 строка; 2-4, 22 строки; 5-20, 25, 111 строк."""
    one, few, many = LANDING["text"]["rows"]["ru"]
    last, last_two = count % 10, count % 100
    form = many
    if last == 1 and last_two != 11:
        form = one
    elif 2 <= last <= 4 and not 12 <= last_two <= 14:
        form = few
    return form.format(count=f"{count:,}".replace(",", NBSP))


@pytest.mark.parametrize("lang", LANGS)
def test_each_page_writes_its_numbers_as_its_language_does(fresh_db, pages, lang):
    """1,234 rows; 1.234 satır; 1 234 строки (a non-breaking space), each with its table's count."""
    conn = sqlite3.connect(fresh_db)
    counts = {table: conn.execute(f"select count(*) from [{table}]").fetchone()[0] for table in ("errata", "events")}
    conn.close()
    separator = {"en": ",", "tr": ".", "ru": NBSP}[lang]
    wanted = []
    for count in counts.values():
        number = f"{count:,}".replace(",", separator)
        rows = russian_rows(count) if lang == "ru" else LANDING["text"]["rows"][lang].format(count=number)
        wanted.append(f"({rows})")
    missing = [text for text in wanted if text not in pages[lang].text]
    assert not missing, f"not on {PAGES[lang]}: {missing}"


def test_the_plugin_writes_large_numbers_and_russian_forms_so():
    from ots_datasette.landing_page import number, rows_text

    assert [number(1_234_567, lang) for lang in LANGS] == ["1,234,567", "1.234.567", f"1{NBSP}234{NBSP}567"]
    assert [rows_text(n, "ru") for n in (1, 3, 5, 11, 21, 22, 112, 1_234)] == [
        "1 строка",
        "3 строки",
        "5 строк",
        "11 строк",
        "21 строка",
        "22 строки",
        "112 строк",
        f"1{NBSP}234 строки",
    ]
    assert rows_text(1_234, "tr") == "1.234 satır" and rows_text(1_234, "en") == "1,234 rows"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_search_box_runs_the_everything_search_and_finds_the_names_its_hint_gives(get, pages, lang):
    page = pages[lang]
    searches = [form for form in page.forms if form["action"] == "/ots/search_everything"]
    names = [i.get("name") for form in searches for i in form["inputs"] if i.get("type") in ("search", "text")]
    assert names == ["q"] and searches[0]["method"] == "get", page.forms
    assert LANDING["text"]["search_label"][lang] in [label.strip() for label in page.labels], page.labels
    hint = LANDING["text"]["search_hint"][lang]
    not_found = []
    for typed in SEARCH_EXAMPLES[lang]:
        rows = get("/ots/search_everything.json", q=typed, _shape="array").json()
        found = [(row["table_name"], row["row_id"]) for row in rows]
        if typed not in hint or ("actors", "mevlut-cavusoglu") not in found:
            not_found.append((typed, found[:5]))
    assert not not_found, show(not_found)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_entry_point_is_linked_in_reading_order_and_every_data_link_answers(get, pages, lang):
    page = pages[lang]
    missing = [path for path in ENTRY_POINTS if path not in page.hrefs]
    order = [page.hrefs.index(path) for path in ENTRY_POINTS if path in page.hrefs]
    local = sorted({href for href in page.hrefs if not urlsplit(href).netloc and not href.startswith("/docs/")})
    failed = [(path, status) for path in local if (status := get(path).status_code) != 200]
    assert not missing and order == sorted(order), f"missing {missing}; order {order}"
    assert local and not failed, "(link, status):\n" + show(failed)


def docs_anchor(lang: str, heading: str) -> str:
    """The anchor MkDocs gives a heading of docs/index.<lang>.md (mkdocs.yml's slugify)."""
    from pymdownx.slugs import slugify

    source = (ROOT / "docs" / ("index.md" if lang == "en" else f"index.{lang}.md")).read_text(encoding="utf-8")
    assert f"\n## {heading}\n" in source, f"docs/index.{lang}.md has no heading {heading!r}"
    return slugify(case="lower")(heading, "-")


@pytest.mark.parametrize("lang", LANGS)
def test_each_page_links_the_documentation_in_its_language_and_how_to_cite(pages, lang):
    docs = "/docs/" if lang == "en" else f"/docs/{lang}/"
    cite = docs + "#" + docs_anchor(lang, LANDING["text"]["how_to_cite"][lang])
    wanted = [cite, docs + "downloads/", docs + "reporting-errors/", "/docs/", "/docs/tr/", "/docs/ru/"]
    missing = [href for href in wanted if href not in pages[lang].hrefs]
    wrong = [href for href in pages[lang].hrefs if href.startswith("/docs/") and href not in wanted]
    assert not missing and not wrong, f"missing {missing}; other docs links {wrong}"


def test_each_front_page_links_the_other_two_with_their_language(pages):
    """A visible link to each language, marked with hreflang and lang, and the alternates of the
    <head> (absolute, as search engines want them), with `/` as the default."""
    problems = []
    for lang, page in pages.items():
        for other, path in PAGES.items():
            links = [link for link in page.links if link["href"] == path and link.get("hreflang") == other]
            if not links or links[0].get("lang") != other:
                problems.append((lang, "no link to", path))
            elif (links[0].get("aria-current") == "page") != (other == lang):
                problems.append((lang, "aria-current wrong on", path))
            alternate = page.alternates.get(other, "")
            if not (urlsplit(alternate).scheme and urlsplit(alternate).path == path):
                problems.append((lang, "alternate", other, alternate))
        if urlsplit(page.alternates.get("x-default", "")).path != "/":
            problems.append((lang, "x-default", page.alternates.get("x-default")))
    assert not problems, show(problems)


def test_the_sitemap_lists_the_three_front_pages(get):
    text = get("/sitemap.xml").text
    listed = [urlsplit(loc).path for loc in re.findall(r"<loc>(.*?)</loc>", text)]
    assert listed[:3] == list(PAGES.values()), listed[:5]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_docs_home_links_the_front_page_in_its_language(lang):
    source = (ROOT / "docs" / f"index.{lang}.md").read_text(encoding="utf-8")
    assert f"](/{lang}/)" in source, f"docs/index.{lang}.md does not link /{lang}/"


@pytest.mark.slow  # builds the documentation site (docs_site)
@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_docs_link_of_the_translated_pages_answers_with_its_anchor(fresh_db, docs_site, pages, lang):
    mounts = [(prefix, str(docs_site if prefix == "docs" else folder)) for prefix, folder in STATIC_MOUNTS.items()]
    get = datasette_fetcher(fresh_db, static_mounts=mounts)
    failed = []
    for link in sorted({href for href in pages[lang].hrefs if href.startswith("/docs/")}):
        parts = urlsplit(link)
        answer = get(parts.path, **{k: v[0] for k, v in parse_qs(parts.query).items()})
        if answer.status_code != 200:
            failed.append((link, answer.status_code))
        elif parts.fragment and f'id="{parts.fragment}"' not in answer.text:
            failed.append((link, f"200, but no id {parts.fragment!r}"))
    built = (docs_site / lang / "index.html").read_text(encoding="utf-8")
    if f'href="/{lang}/"' not in built:
        failed.append((f"/docs/{lang}/", f"does not link /{lang}/"))
    assert not failed, "(link, answer):\n" + show(failed)


# ------------------------------------------------------------------ in a browser


SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
AXE_TAGS = ["wcag2a", "wcag2aa", "best-practice"]
# Only these cases drive Chromium against `make serve`: the browser marks are theirs.
CASES = [pytest.param(lang, size, marks=BROWSER_MARKS, id=f"{lang}-{size}") for lang in TRANSLATED for size in SIZES]


@pytest.mark.parametrize("lang,size", CASES)
def test_the_translated_front_page_passes_axe_and_does_not_scroll_sideways(browser, live_server, lang, size):
    """As tests/test_browser_reading.py checks `/`: no violation of WCAG 2 A/AA or of axe's best
    practices (none allowed here), and no sideways scroll on a desktop or a phone."""

    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    response = page.goto(live_server + PAGES[lang], wait_until="networkidle")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"landing-{lang}-{size}.png"), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    violations, _ = axe_violations(page, "datasette", AXE_TAGS)
    page.close()
    assert response.status == 200, response.status
    assert scroll_width <= width, f"/{lang}/ scrolls sideways at {size}: {scroll_width} px wide"
    assert not violations, show(violations)
