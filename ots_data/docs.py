"""Step 4: build the documentation site (site/) from docs/ and the database.

  docs/*.md (hand-written, with {{ placeholders }})  ─┐
  build/ots.db (every number, table and chart)        ├─> build/docs/ ──mkdocs──> site/
  datapackage.yaml (the data dictionary)              ─┘

No figure is typed by hand: hand-written pages say {{ n_accounts }} and this step fills in the
value from the database. Pages that list data (errata, Vision 2040, survey figures, data
dictionary, charts, downloads, people and states) are generated here in English, Turkish and
Russian, with the UI strings, translations and the glossary of terms in docs/i18n/; pages a
Turkish or Russian reader gets wholly or partly in English are marked so (glossary.yml). This
module gathers what each page says; how it looks is in the Jinja2 templates in
ots_data/docs_templates/, one per page. Text from the data is HTML-escaped (the `esc` filter),
never interpreted. The site is built into a temporary folder and swapped in only when MkDocs
succeeded.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import cache, partial
from pathlib import Path
from urllib.parse import quote

import jinja2
import yaml
from babel.numbers import format_decimal

from ots_data import charts, feed
from ots_data.catalog import load as load_catalog
from ots_data.inflect import name_forms
from ots_data.json_ld import dataset, facts, script_text
from ots_data.project import ROOT
from ots_data.public_url import PublicUrlError, absolute, public_url
from ots_data.release import changelog_entry, published
from ots_data.schema import load_descriptor, load_resources

LANGUAGES = ("en", "tr", "ru")
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
TEMPLATES = Path(__file__).parent / "docs_templates"
# The docs' sitemap without PUBLIC_URL (build_site says why).
EMPTY_SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>\n'
)

# The article's printed figures and absences (listing_id set, reached from actor_listings) as
# against the rounds of observations made since (listing_id empty). The pages that use these
# placeholders describe the article's tables, so they count those rows only: a count over every
# row of every round would grow with each round and say something the page does not. CROSS JOIN
# keeps SQLite walking the article's rows (see charts.PRINTED_COUNTS).
PRINTED_COUNTS = charts.PRINTED_COUNTS
PRINTED_ABSENCES = "actor_listings l cross join absences b on b.listing_id = l.listing_id"

# Every placeholder a hand-written page may use, with the SQL that gives its value.
STATS = {
    "as_of": "select max(updated_on) from article_tables",
    "n_actors": "select count(*) from actors",
    "n_accounts": "select count(*) from accounts",
    "n_counts": f"select count(*) from {PRINTED_COUNTS}",
    "n_counts_with_value": f"select count(*) from {PRINTED_COUNTS} where f.count is not null",
    "n_ambiguous": f"select count(*) from {PRINTED_COUNTS} where f.is_ambiguous",
    "n_unresolved": f"select count(*) from {PRINTED_COUNTS} where f.parse_rule = 'unresolved'",
    "n_absences": f"select count(*) from {PRINTED_ABSENCES}",
    "n_commitments": "select count(*) from commitments",
    "n_vision_commitments": "select count(*) from commitments where attribution != 'author_recommendation'",
    "n_recommendations": "select count(*) from commitments where attribution = 'author_recommendation'",
    "n_survey_figures": "select count(*) from survey_figures",
    "n_events": "select count(*) from events",
    "n_errata": "select count(*) from errata",
    "n_errata_confirmed": "select count(*) from errata where status = 'confirmed'",
    "n_states": "select count(*) from states",
    "n_members": "select count(*) from states where ots_status = 'member'",
    "n_observers": "select count(*) from states where ots_status = 'observer'",
    "largest_count_as_printed": f"select f.count_as_printed from {PRINTED_COUNTS} order by f.count desc limit 1",
    "largest_count_handle": (
        f"select a.handle_as_printed from {PRINTED_COUNTS} join accounts a on a.account_id = f.account_id"
        " order by f.count desc limit 1"
    ),
    "largest_count_actor": (
        f"select ac.name from {PRINTED_COUNTS} join accounts a on a.account_id = f.account_id"
        " join actors ac on ac.actor_id = a.actor_id order by f.count desc limit 1"
    ),
    # The last date of any observation, the article's or a round's (the index on observed_on).
    "last_observed_on": "select max(observed_on) from follower_counts",
}


class DocsError(RuntimeError):
    pass


def stats(
    db: sqlite3.Connection, version: str, dist: Path = ROOT / "dist", root: Path = ROOT, lang: str = "en"
) -> dict[str, str]:
    """The figures the pages fill in, written as `lang` writes numbers (see number()). While a
    version is being prepared (CHANGELOG.md: Unreleased), the pages cite the newest published
    release, the one a reader can download."""
    return localised(stat_values(db, version, dist, root), lang)


def stat_values(db: sqlite3.Connection, version: str, dist: Path = ROOT / "dist", root: Path = ROOT) -> dict:
    """The figures of stats(), counts as numbers: read once, written in each language."""
    release_date, _ = changelog_entry(version, root)
    if release_date is None:
        newest = published(dist)[-1]
        cited_version, release_date = newest["version"], newest["date"]
    else:
        cited_version = version
    values: dict[str, str | int] = {
        "version": version,
        "cited_version": cited_version,
        "release_year": release_date[:4],
    }
    for name, sql in STATS.items():
        value = db.execute(sql).fetchone()[0]
        values[name] = value if isinstance(value, int) else str(value)
    return values


def number(value: int | float, lang: str) -> str:
    """A figure the site states (a count, not a printed form), as the page's language writes it:
    1,061 and 4.6 in English; 1.061 and 4,6 in Turkish; 1 061 (a no-break space) and 4,6 in Russian.
    Babel's CLDR data (Babel comes with MkDocs Material, pinned in requirements.txt). What the
    article prints (count_as_printed, "4,279K") is text and never passes here."""
    return format_decimal(value, locale=lang)


def localised(values: dict, lang: str) -> dict[str, str]:
    return {name: number(value, lang) if isinstance(value, int) else value for name, value in values.items()}


def fill_placeholders(text: str, values: dict[str, str], where: str) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            known = ", ".join(sorted(values))
            raise DocsError(f"{where}: unknown placeholder {{{{ {name} }}}}; known: {known}")
        return values[name]

    return PLACEHOLDER.sub(replace, text)


def esc(value: object) -> str:
    return "" if value is None else html.escape(str(value))


@cache
def templates() -> jinja2.Environment:
    """The page templates. Autoescape is off: text from the data goes through the `esc` filter
    (html.escape, the escaping the pages have always had); UI strings and Markdown go in as they are."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["esc"] = esc
    env.filters["number"] = number
    env.filters["path_segment"] = lambda value: quote(value, safe="")
    return env


def render(template: str, **context: object) -> str:
    return templates().get_template(template).render(**context)


def row_link(table: str, key: str, label: str) -> str:
    return templates().get_template("_macros.j2").module.row_link(table, key, label)


def suffix(lang: str) -> str:
    return "" if lang == "en" else f".{lang}"


def ui_string(strings: dict, key: str, lang: str) -> str:
    try:
        return strings[key][lang]
    except KeyError as error:
        raise DocsError(f"docs/i18n/strings.yml: no {lang!r} text for {key!r}") from error


class Site:
    def __init__(self, db: sqlite3.Connection, out: Path, strings: dict, translations: dict) -> None:
        self.db, self.out, self.strings, self.translations = db, out, strings, translations

    def t(self, key: str, lang: str) -> str:
        return ui_string(self.strings, key, lang)

    def write(self, name: str, lang: str, text: str) -> None:
        (self.out / f"{name}{suffix(lang)}.md").write_text(text, encoding="utf-8")

    def rows(self, sql: str) -> list[sqlite3.Row]:
        return self.db.execute(sql).fetchall()

    def page(self, name: str, lang: str, **context: object) -> None:
        """Render docs_templates/<name>.md.j2 into <name>[.lang].md; the template's t(key) is the UI string."""
        self.write(name, lang, render(f"{name}.md.j2", t=partial(self.t, lang=lang), lang=lang, **context))

    # ------------------------------------------------------------------ generated pages
    # Rows that need a translation are checked as the template reaches them (generators), so a
    # missing string or translation is reported in the order the page is written.

    def data_dictionary(self, lang: str) -> None:
        catalog = load_catalog()
        columns = catalog.columns(ROOT / "datapackage.yaml")
        relations = []
        for relation in [*catalog.views.values(), *catalog.derived_tables.values()]:
            described = []
            for column in columns[relation.name]:
                field = catalog.describing_field(relation, column, ROOT / "datapackage.yaml")
                described.append((column, relation.columns.get(column) or (field.description if field else "")))
            relations.append((relation, described))
        self.page(
            "data-dictionary",
            lang,
            resources=load_resources(ROOT / "datapackage.yaml"),
            relations=relations,
            describe=partial(self.schema_description, lang=lang),
        )

    def schema_description(self, key: str, english: str, lang: str) -> str:
        """The description of a table (key `table`) or column (`table.column`) in this language:
        the schema's own in English, docs/i18n/schema.yml's in Turkish and Russian."""
        if lang == "en":
            return english
        text = self.translations["schema"].get(key, {}).get(lang)
        if not text:
            raise DocsError(f"docs/i18n/schema.yml: no {lang!r} description for {key}")
        return text

    def errata(self, lang: str) -> None:
        """docs/errata{.tr,.ru}.md: a section per topic (the schema's order of topics), and under it
        each erratum, confirmed first, headed by its short title in this language and anchored at its
        id, its summary the first paragraph, with the passages of outside sources linked to it
        (erratum_evidence). Title and summary come from docs/i18n/errata.yml (see its header)."""
        texts = self.translations["errata"]
        topics = errata_topics()
        passages: dict[str, list[sqlite3.Row]] = {}
        for link in self.rows(
            "select l.erratum_id, l.stance, l.note as link_note, e.* from erratum_evidence l"
            " join evidence e on e.evidence_id = l.evidence_id"
            " order by l.erratum_id, case l.stance when 'supports' then 0 when 'contradicts' then 1 else 2 end,"
            " e.published_on is null, e.published_on, e.evidence_id"
        ):
            passages.setdefault(link["erratum_id"], []).append(link)
        by_topic: dict[str, list[tuple[sqlite3.Row, str, str, list[sqlite3.Row]]]] = {}
        for row in self.rows("select * from errata order by status != 'confirmed', erratum_id"):
            entry = texts.get(row["erratum_id"]) or {}
            summary = entry.get(lang)
            if not summary:
                raise DocsError(f"docs/i18n/errata.yml: no {lang!r} summary for {row['erratum_id']}")
            titles = entry.get("title") or {}
            title = titles.get(lang) if isinstance(titles, dict) else None
            if not isinstance(title, str) or not title.strip():
                raise DocsError(
                    f"docs/i18n/errata.yml: no {lang!r} title for {row['erratum_id']}"
                    f" (its heading on the errata page: `title: {{en: ..., tr: ..., ru: ...}}`)"
                )
            if row["topic"] not in topics:
                raise DocsError(f"errata {row['erratum_id']}: topic {row['topic']!r} is not one of {topics}")
            if row["erratum_id"] in topics:
                raise DocsError(f"errata {row['erratum_id']}: an erratum id may not be a topic's anchor")
            by_topic.setdefault(row["topic"], []).append((row, title, summary, passages.get(row["erratum_id"], [])))
        self.page(
            "errata",
            lang,
            topics=[(topic, by_topic[topic]) for topic in topics if topic in by_topic],
            heading=markdown_text,
            text=source_text,
            link=safe_href,
            quote=QUOTATION_MARKS[lang],
        )

    def vision(self, lang: str) -> None:
        statements = self.translations["commitments"]

        def commitments(domain: str) -> Iterator[tuple[sqlite3.Row, str]]:
            for row in self.rows(
                f"select * from commitments where domain = '{domain}'"
                " order by attribution = 'author_recommendation', commitment_id"
            ):
                statement = row["statement"] if lang == "en" else statements.get(row["commitment_id"], {}).get(lang)
                if not statement:
                    raise DocsError(f"docs/i18n/commitments.yml: no {lang!r} statement for {row['commitment_id']}")
                yield row, statement

        def domains() -> Iterator[tuple[str, Iterator[tuple[sqlite3.Row, str]]]]:
            for (domain,) in self.rows("select distinct domain from commitments order by domain"):
                yield domain, commitments(domain)

        self.page("vision-2040", lang, domains=domains())

    def survey(self, lang: str) -> None:
        rows = self.rows("select * from survey_figures order by country_code is null, country_code, figure_id")
        self.page("survey-figures", lang, rows=rows)

    def people(self, lang: str) -> None:
        """docs/people{.tr,.ru}.md: each state (members, then observers, in the alphabetical order of
        the page's language) with its actors under it (by role, in the schema's order, then by
        name), then the actors of no state. Each actor has its office or kind, its label as printed,
        its aliases by script and its handles; on the Turkish and Russian pages each person and
        state also has the forms of its names a reader of the language types (reader_forms), which
        is how the docs' search finds Эрдогана or Erdoğanın (mkdocs.yml, plugins: search, says why)."""
        roles, statuses = schema_enum("actors", "role_category"), schema_enum("states", "ots_status")
        aliases: dict[str, list[sqlite3.Row]] = {}
        for row in self.rows("select * from actor_aliases order by actor_id, alias"):
            aliases.setdefault(row["actor_id"], []).append(row)
        by_state: dict[str | None, list[dict]] = {}
        for row in self.rows("select * from actors"):
            own = aliases.get(row["actor_id"], [])
            spellings = [a for a in own if a["alias_kind"] != "handle"]
            scripts: dict[str, list[tuple[sqlite3.Row, str, str]]] = {}
            for alias in spellings:
                kind = self.t(f"people_alias_{alias['alias_kind']}", lang)
                scripts.setdefault(script_of(alias["alias"]), []).append((alias, kind, recorded_note(alias["note"])))
            # The reader's own script first: Cyrillic on the Russian page, Latin on the others.
            order = ["cyrillic", "latin"] if lang == "ru" else ["latin", "cyrillic"]
            person = row["actor_type"] == "person"
            by_state.setdefault(row["state_code"], []).append(
                {
                    "row": row,
                    "label": self.t("people_office" if person else "people_kind", lang),
                    "office": self.t(f"people_role_{row['role_category']}", lang),
                    "aliases": [(script, scripts[script]) for script in order if script in scripts],
                    "handles": [a["alias"] for a in own if a["alias_kind"] == "handle"],
                    # Only people's names are declined: an institution's name is not a name but words
                    # (Bakanlığı, Министерство), which the inflector's rules for names get wrong
                    # (Bakanlığıya, Кыргызскоя); a reader finds it by the other words of its name.
                    "forms": reader_forms([row["name"], *(a["alias"] for a in spellings)], lang) if person else [],
                }
            )
        for actors in by_state.values():
            actors.sort(key=lambda a: (roles.index(a["row"]["role_category"]), a["row"]["name"]))
        states = sorted(
            self.rows("select * from states"),
            key=lambda s: (statuses.index(s["ots_status"]), alphabetical(s[f"name_{lang}"], lang)),
        )
        groups = [
            (
                s[f"name_{lang}"],
                s["state_code"].lower(),
                s,
                reader_forms([s[f"name_{lang}"]], lang),
                by_state.get(s["state_code"], []),
            )
            for s in states
        ]
        if None in by_state:
            groups.append((self.t("people_no_state", lang), "no-state", None, [], by_state[None]))
        self.page("people", lang, groups=groups, heading=markdown_text, text=source_text)

    def charts_page(self, lang: str, made: list[charts.Chart]) -> None:
        def caption(chart: charts.Chart) -> str:
            """The chart's caption with what it states about this chart's figures (chart.facts)
            filled in; the placeholders of the whole site ({{ as_of }}) are filled in later."""
            text = self.t(f"chart_{chart.name}_caption", lang)
            facts = localised(chart.facts, lang)
            return PLACEHOLDER.sub(lambda m: facts.get(m.group(1), m.group(0)), text)

        self.page("charts", lang, charts=made, caption=caption)


# ---------------------------------------------------------------------- the people page

# The letters of the Russian alphabet. Only a spelling written in them is declined for the Russian
# page: a Kazakh or Uzbek Cyrillic spelling (Қасым-Жомарт Тоқаев) declined by Russian rules gives
# forms no one writes (the inflector reads Тоқаев as the words То and аев).
RUSSIAN_SPELLING = re.compile(r"[А-ЯЁа-яё\s-]+")
# Where a language's alphabet orders letters otherwise than their code points (Turkish ç after c,
# ı before i; Russian ё with е): the states are listed in the order the page's reader expects.
COLLATION = {
    "en": {},
    "tr": str.maketrans({"ç": "c~", "ğ": "g~", "ı": "h~", "ö": "o~", "ş": "s~", "ü": "u~"}),
    "ru": str.maketrans({"ё": "е~"}),
}


def alphabetical(name: str, lang: str) -> str:
    return name.lower().translate(COLLATION[lang])


def schema_enum(resource: str, field: str) -> tuple[str, ...]:
    """The allowed values of a column, in the order datapackage.yaml lists them."""
    (table,) = [r for r in load_descriptor(ROOT / "datapackage.yaml")["resources"] if r["name"] == resource]
    (column,) = [f for f in table["schema"]["fields"] if f["name"] == field]
    return tuple(column["constraints"]["enum"])


def script_of(spelling: str) -> str:
    """'latin' or 'cyrillic': the script of an alias, by its letters (Unicode's names of them:
    ə and ő are Latin, Қ and ў Cyrillic; a modifier letter such as the ʻ of Xoʻjayev is no letter of
    either). A spelling in another script or in two stops the docs step: the page has no heading for
    it yet (strings.yml, people_aliases_*)."""
    letters = [c for c in spelling if unicodedata.category(c) in ("Lu", "Ll")]
    for script in ("latin", "cyrillic"):
        if all(unicodedata.name(c).startswith(script.upper()) for c in letters):
            return script
    raise DocsError(
        f"actor_aliases: {spelling!r} is neither all Latin nor all Cyrillic; add its script to the people page"
    )


def recorded_note(note: str | None) -> str:
    """The first clause of what the data notes about an alias (up to its first full stop or
    semicolon), without its evidence ids: the language or kind of the spelling as recorded (Russian
    spelling, Kazakh Latin spelling). The whole note and its sources are on the data site."""
    if not note:
        return ""
    depth, end = 0, len(note)
    for at, char in enumerate(note):  # a full stop or semicolon inside brackets ends no clause
        depth += (char == "(") - (char == ")")
        if depth == 0 and (char == ";" or (char == "." and note[at + 1 : at + 2] in ("", " "))):
            end = at
            break
    return re.sub(r"\s*\(evidence: [^)]*\)", "", note[:end]).strip()


def reader_forms(names: list[str], lang: str) -> list[str]:
    """The forms of the names a reader of the page's language types (ots_data/inflect.py, as the
    data site's search index holds them): on the Russian page the case forms of the spellings in
    the Russian alphabet (Эрдогана, Токаевым), on the Turkish page the Latin spellings with the
    suffixes Turkish adds, with and without the apostrophe (Erdoğan'ın, Erdoğanın); none in English.
    The docs' search finds a typed form only where the page's text holds it (mkdocs.yml says why)."""
    if lang == "ru":
        names = [n for n in names if RUSSIAN_SPELLING.fullmatch(n)]
    elif lang == "tr":
        names = [n for n in names if script_of(n) == "latin"]
    else:
        return []
    # A hyphen splits a word in the docs' search (mkdocs.yml's separator), so each part of a name is
    # declined on its own: Касым-Жомарта is typed and indexed as касым and жомарта (given whole,
    # pymorphy3 also makes Касыма-Жомарт, which no one writes).
    forms = name_forms(" ".join(dict.fromkeys(n.replace("-", " ") for n in names))).split()
    # pymorphy3 gives Russian forms in lower case; the page writes a name with its capital.
    return sorted({form[:1].upper() + form[1:] for form in forms})


# ---------------------------------------------------------------------- the errata page

# Quotation marks around a source's passage, as the page's language writes them.
QUOTATION_MARKS = {"en": ("“", "”"), "tr": ("“", "”"), "ru": ("«", "»")}
# Characters Markdown would read in a heading's text: emphasis, code, links, attribute lists ({#id}),
# a closing run of #, and the backslash itself. Backslash-escaped, they are shown as they are.
MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]{}#!])")


def errata_topics() -> tuple[str, ...]:
    """The topics of the errata, in the order datapackage.yaml lists them: the page's sections."""
    (errata,) = [r for r in load_descriptor(ROOT / "datapackage.yaml")["resources"] if r["name"] == "errata"]
    (topic,) = [f for f in errata["schema"]["fields"] if f["name"] == "topic"]
    return tuple(topic["constraints"]["enum"])


def markdown_text(value: str) -> str:
    """Text for a Markdown heading: HTML-escaped, and with Markdown's punctuation escaped, so that it
    is shown as written (never emphasis, a link or an attribute list) on one line."""
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(" ".join(value.split()), quote=False))


def source_text(value: str | None) -> str:
    """A source's words (a passage, a title) for the page: HTML-escaped, and with "{" written as an
    entity, so that a passage that happens to hold "{{ name }}" is not taken for a placeholder."""
    return esc(value).replace("{", "&#123;")


def safe_href(url: str | None) -> str | None:
    """An address for href: only http(s), HTML-escaped (as source_text); None for anything else,
    which the page shows as text."""
    if not url or not re.fullmatch(r"https?://\S+", url):
        return None
    return source_text(url)


def citations(release: dict, descriptor: dict, base: str | None) -> dict[str, str]:
    """How to cite one release, in APA, BibTeX and CFF form. A citation needs an address a reader
    anywhere can open: without PUBLIC_URL it names none (a relative link is no use in a paper)."""
    version, date = release["version"], release["date"]
    year = date[:4]
    url = absolute(release["path"], base) if base else None
    creator = descriptor["contributors"][0]["title"]
    key = "ots_digital_diplomacy_data_" + version.replace(".", "_")
    return {
        "APA": f"{creator}. ({year}). *{descriptor['title']}* (Version {version}) [Data set]."
        + (f" {url}" if url else ""),
        "BibTeX": (
            f"@misc{{{key},\n  title = {{{descriptor['title']}}},\n  author = {{{{{creator}}}}},\n"
            f"  year = {{{year}}},\n  version = {{{version}}},\n  howpublished = {{Data set}}"
            + (f",\n  url = {{{url}}}" if url else "")
            + "\n}"
        ),
        "CFF": (
            f'cff-version: 1.2.0\ntype: dataset\ntitle: "{descriptor["title"]}"\nauthors:\n  - name: "{creator}"\n'
            f'version: "{version}"\ndate-released: "{date}"\n'
            + (f'url: "{url}"\n' if url else "")
            + "license: CC-BY-4.0"
        ),
    }


def downloads_page(out: Path, descriptor: dict, dist: Path, strings: dict) -> None:
    """docs/downloads{.tr,.ru}.md; the UI strings are strings.yml's downloads_* keys."""
    index = dist / "releases.json"
    releases = json.loads(index.read_text(encoding="utf-8"))["releases"] if index.exists() else []
    base = public_url()
    newest_first = [(release, citations(release, descriptor, base)) for release in reversed(releases)]
    for lang in LANGUAGES:
        text = render("downloads.md.j2", releases=newest_first, t=partial(ui_string, strings, lang=lang), lang=lang)
        (out / f"downloads{suffix(lang)}.md").write_text(text, encoding="utf-8")


def changes_page(out: Path, dist: Path, strings: dict) -> None:
    """docs/changes{.tr,.ru}.md: each published release's changes.csv (ots_data/changes.py), newest
    first; the UI strings are strings.yml's changes_* keys."""
    releases = published(dist)
    sections = []
    for index, release in enumerate(releases):
        path = dist / release["version"] / "changes.csv"
        if not path.exists():  # releases before 0.4.0 carry none, and the first has nothing before it
            continue
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        counts = sorted(Counter((r["table"], r["change"]) for r in rows).items())
        sections.append((release, releases[index - 1]["version"], counts, rows))
    for lang in LANGUAGES:
        text = render("changes.md.j2", releases=sections[::-1], t=partial(ui_string, strings, lang=lang), lang=lang)
        (out / f"changes{suffix(lang)}.md").write_text(text, encoding="utf-8")


def performance_page(out: Path, reports: Path) -> None:
    """Render the measured figures (make loadtest, make bench) from their reports."""
    load, bench, report = reports / "loadtest.md", reports / "bench.md", reports / "bench.json"
    reasons: dict[str, dict] = {}  # each target not met, named as in the template, with what its text needs
    if report.exists():
        measured = json.loads(report.read_text(encoding="utf-8"))
        targets, build, steps = measured["targets"], measured["build"], measured["steps"]
        large, growth = build["1M"], build["1M"]["ratio"] / build["100k"]["ratio"]
        if (
            large["ratio"] > targets["build_ratio"]
            or growth > targets["build_ratio_growth"]
            or large["peak_memory_mib"] >= targets["build_memory_mib"]
        ):
            reasons["build"] = {}
        if steps["1M"]["docs"]["seconds"] / steps["real"]["docs"]["seconds"] > targets["docs_ratio"] or any(
            r["peak_memory_mib"] > targets["step_memory_mib"] for r in steps["1M"].values()
        ):
            reasons["steps"] = {}
        # A report written before `make bench` compared pages with stock Datasette and hot pages with
        # their static twins has neither.
        urls, pages = measured["proxy"]["urls"], measured.get("pages", {})
        if any("ratio_to_twin" in r and not r["met"] for r in urls.values()):
            reasons["hot_pages"] = {"urls": urls}
        if pages:
            if pages["table, HTML"]["share_of_static"] < targets["cold_html_vs_datasette_static"]:
                reasons["cold_html"] = {"page": pages["table, HTML"]}
            if pages["table, JSON"]["share_of_static"] < targets["cold_json_vs_datasette_static"]:
                reasons["cold_json"] = {
                    "page": pages["table, JSON"],
                    "static": pages["static file"],
                    "target": targets["cold_json_vs_datasette_static"],
                }
            slower = {
                n: r
                for n, r in pages.items()
                if n != "static file" and r["project_vs_stock"] < targets["pages_vs_stock"]
            }
            if slower:
                reasons["stock"] = {"pages": slower}
        # Reports written before the flood and the mirror's curve were measured have neither.
        flooded = {n: r for n, r in measured.get("flood", {}).get("readers", {}).items() if not r["met"]}
        if flooded:
            reasons["flood"] = {"readers": flooded}
        mirrors = measured.get("mirror", {})
        if "mirror_rate_flat" in targets and "real" in mirrors:
            real_rate = mirrors["real"]["pages_per_second"]
            not_flat = {
                n: r for n, r in mirrors.items() if r["pages_per_second"] < targets["mirror_rate_flat"] * real_rate
            }
            if not_flat:
                reasons["mirror_rate"] = {"sizes": not_flat, "real": mirrors["real"]}
        slow = [name for name, r in measured["latency"].items() if r["ratio"] > targets["latency_ratio"]]
        if slow:
            reasons["latency"] = {"pages": slow}
    text = render(
        "performance.md.j2",
        load=load.read_text(encoding="utf-8") if load.exists() else None,
        bench=bench.read_text(encoding="utf-8") if bench.exists() else None,
        reasons=reasons,
    )
    (out / "performance.md").write_text(text, encoding="utf-8")


def json_ld(descriptor: dict, db_facts: dict, release: dict | None, lang: str) -> str:
    """The schema.org Dataset of a language's home page (ots_data/json_ld.py builds it)."""
    page = "/docs/" + ("" if lang == "en" else f"{lang}/")
    data = dataset(descriptor, db_facts, release, public_url(), page, lang)
    return render("json-ld.html.j2", text=script_text(data))


# ---------------------------------------------------------------------- glossary and page marking
# docs/i18n/glossary.yml holds the one rendering of each term in each language (see its header):
# it supplies some UI strings, and it lists the pages a Turkish or Russian reader gets in English
# (marked at the top of the page and in the menu) or partly in English (a notice says which part).


def load_glossary(i18n: Path) -> dict:
    return yaml.safe_load((i18n / "glossary.yml").read_text(encoding="utf-8"))


def with_glossary_strings(strings: dict, glossary: dict) -> dict:
    """strings.yml, plus the keys the glossary's terms supply (`strings:`); a key in both is an error."""
    merged = dict(strings)
    for name, term in glossary["terms"].items():
        for key in term.get("strings", []):
            if key in strings:
                raise DocsError(f"docs/i18n/strings.yml: {key!r} comes from glossary.yml (term {name!r}); remove it")
            merged[key] = {lang: term[lang] for lang in LANGUAGES}
    return merged


def language_notice(glossary: dict, lang: str, text: str, title: str = "notice_title") -> str:
    """A Markdown admonition of class `language-note`: the mark of a page (or part) in English."""
    return f'!!! language-note "{glossary[title][lang]}"\n    {text}\n\n'


def with_notice(page: str, notice: str, where: str) -> str:
    """The page with the notice right under its title (its first line that starts with '# ')."""
    lines = page.split("\n")
    for number, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join([*lines[: number + 1], "", notice.rstrip("\n"), *lines[number + 1 :]])
    raise DocsError(f"{where}: no '# title' line to put the language notice under")


def mark_english_pages(out: Path, glossary: dict) -> None:
    """For Turkish and Russian: an English-only page gets a copy with the notice on top (MkDocs would
    otherwise serve the English page unmarked); a partly English page gets the notice on top."""
    for lang in LANGUAGES[1:]:
        for name in glossary["english_only"]:
            english, translated = out / f"{name}.md", out / f"{name}.{lang}.md"
            if translated.exists():
                raise DocsError(f"{translated.name} exists, but glossary.yml lists {name} as English only")
            notice = language_notice(glossary, lang, glossary["english_notice"][lang])
            translated.write_text(with_notice(english.read_text(encoding="utf-8"), notice, english.name), "utf-8")
        for name, texts in glossary["partly_english"].items():
            page = out / f"{name}.{lang}.md"
            notice = language_notice(glossary, lang, texts[lang], "partly_title")
            page.write_text(with_notice(page.read_text(encoding="utf-8"), notice, page.name), "utf-8")


def generate(db_path: Path, out: Path, i18n: Path = ROOT / "docs" / "i18n", dist: Path = ROOT / "dist") -> None:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(ROOT / "docs", out, ignore=shutil.ignore_patterns("i18n", "reports"))
    glossary = load_glossary(i18n)
    strings = with_glossary_strings(yaml.safe_load((i18n / "strings.yml").read_text(encoding="utf-8")), glossary)
    translations = {
        "commitments": yaml.safe_load((i18n / "commitments.yml").read_text(encoding="utf-8")),
        "errata": yaml.safe_load((i18n / "errata.yml").read_text(encoding="utf-8")),
        "schema": yaml.safe_load((i18n / "schema.yml").read_text(encoding="utf-8")),
    }
    descriptor = load_descriptor(ROOT / "datapackage.yaml")
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    counted = stat_values(db, descriptor["version"], dist)
    values = {lang: localised(counted, lang) for lang in LANGUAGES}
    db_facts = facts(db)
    releases = published(dist)
    newest = releases[-1] if releases else None
    site = Site(db, out, strings, translations)
    made = charts.make_all(db, out / "assets" / "charts", charts.Texts.load(i18n / "charts.yml"))
    downloads_page(out, descriptor, dist, strings)
    changes_page(out, dist, strings)
    feed.write(out, dist, descriptor, public_url() or "..")
    performance_page(out, ROOT / "docs" / "reports")
    for lang in LANGUAGES:
        site.data_dictionary(lang)
        site.errata(lang)
        site.vision(lang)
        site.survey(lang)
        site.people(lang)
        site.charts_page(lang, made[lang])
    mark_english_pages(out, glossary)
    for page in sorted(out.rglob("*.md")):
        where = str(page.relative_to(out))
        lang = page.name.split(".")[-2] if page.name.count(".") == 2 else "en"
        if lang not in values:
            raise DocsError(f"{where}: {lang!r} is not a language of the site ({', '.join(LANGUAGES)})")
        text = fill_placeholders(page.read_text(encoding="utf-8"), values[lang], where)
        text = text.replace("<!-- JSON-LD -->", json_ld(descriptor, db_facts, newest, lang))
        page.write_text(text, encoding="utf-8")
    db.close()


class MkDocsConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml safely: the Python objects it names for MkDocs (the slugify function of
    the table of contents) are read as None, never imported or called here."""


MkDocsConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def switcher_links() -> str:
    """The language switcher's links for a site without a site_url. The i18n plugin takes their
    path from site_url, and without one links the home pages to /tr/ and /ru/ (the host's root,
    where Datasette is), not /docs/tr/: so they are given as it would make them from a site_url
    whose path is /docs/, where every serving of the docs puts them."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=MkDocsConfigLoader)
    (i18n,) = [p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p]
    links = [
        {
            "name": language["name"],
            "link": "/docs/" if language.get("default") else f"/docs/{language['locale']}/",
            "lang": language["locale"],
        }
        for language in i18n["languages"]
        if language.get("build", True)
    ]
    return yaml.safe_dump({"extra": {"alternate": links}}, allow_unicode=True, sort_keys=False)


def build_site(source: Path, site: Path) -> None:
    """Build into a fresh folder under site.builds/, then point the `site` symlink at it with one
    atomic rename: readers (and `make serve`) see the old site or the new one, never a half one,
    even if this process is killed."""
    site = Path(os.path.abspath(site))  # absolute, but not resolved: `site` itself is the symlink
    builds = site.with_name(site.name + ".builds")
    builds.mkdir(exist_ok=True)
    current = site.resolve() if site.is_symlink() else None
    for old in builds.iterdir():  # leftovers of killed builds, and superseded sites
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    target = builds / f"site-{os.getpid()}-{len(list(builds.iterdir()))}"
    # mkdocs.yml names build/docs; a config that inherits it points MkDocs at `source` instead.
    config = Path(os.path.abspath(source.with_name(source.name + ".mkdocs.yml")))
    # The site's address comes from PUBLIC_URL (ots_data/public_url.py), never from mkdocs.yml.
    base = public_url()
    address = f"site_url: {base}/docs/\n" if base else switcher_links()
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {source.resolve()}\n{address}", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--quiet",
            "--config-file",
            str(config),
            "--site-dir",
            str(target),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    config.unlink(missing_ok=True)
    if result.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        raise DocsError("mkdocs build failed:\n" + result.stdout + result.stderr)
    if not base:
        # Without a site_url MkDocs and the i18n plugin write a sitemap of addresses like "None./"
        # and "Noneru/". A sitemap lists absolute URLs only, so without PUBLIC_URL it lists none.
        # It stays, empty: Material's language switcher fetches it (a 404 is an error in the
        # browser's console) and, finding no page in it, opens the other language's home page.
        (target / "sitemap.xml").write_text(EMPTY_SITEMAP, encoding="utf-8")
        (target / "sitemap.xml.gz").unlink(missing_ok=True)
    # Material's language switcher fetches sitemap.xml from the folder of the page's translation
    # (e.g. /docs/tr/methodology/sitemap.xml) to find where to go; the i18n plugin writes only the
    # root sitemap, which lists every language, so put a copy in every page folder. Static files
    # only, so this works on any static host too.
    for index in target.rglob("index.html"):
        if index.parent != target:
            shutil.copyfile(target / "sitemap.xml", index.parent / "sitemap.xml")
    if site.exists() and not site.is_symlink():  # a site/ folder from before symlinks were used
        site.rename(builds / "previous-folder")
    link = site.with_name(site.name + ".link.tmp")
    link.unlink(missing_ok=True)
    link.symlink_to(target.relative_to(site.parent))
    os.replace(link, site)
    if current and current != target:
        shutil.rmtree(current, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "build" / "ots.db")
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument(
        "--i18n", type=Path, default=ROOT / "docs" / "i18n", help="folder of strings.yml and translations"
    )
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build" / "docs", help="where the generated Markdown is assembled"
    )
    args = parser.parse_args(argv)
    try:
        generate(args.db, args.work, args.i18n)
        build_site(args.work, args.site)
    except (DocsError, PublicUrlError) as error:
        print(f"docs failed: {error}; {args.site} was not changed", file=sys.stderr)
        return 1
    print(f"built {args.site}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
