"""The front page in three languages: `/` (English), `/tr/` (Turkish) and `/ru/` (Russian), all
written by datasette_site/templates/index.html from what this module gives it, read from what is
served.

Nothing the database or the metadata holds is written in the template: the date the figures are
as of is read from the article's tables (article_tables.updated_on), the version from the plugin's
settings (plugin_config("ots")["version"], written by ots_data/metadata.py from datapackage.yaml),
the number of rows from the database. Every word of the page is in docs/i18n/landing.yml, in the
three languages: `/` says its English, `/tr/` and `/ru/` its Turkish and Russian, so the three
cannot drift apart. The entry points and the tables are listed here in the order a reader needs
them; the tables Datasette hides (the search indexes, facet_counts) are not listed, and
tests/test_landing_page.py checks that every other table and view of the database is.

`/` is Datasette's own index page, whose template gets `landing` (a dict) and `ots_lang` from
`extra_template_vars`. `/tr/` and `/ru/` are routes of this plugin (`register_routes`) that render
the same template with `datasette.render_template`, so the hook gives them the same variables in
their language: it tells the language from the route's URL variable. base.html writes `ots_lang`
as <html lang>.
"""

from __future__ import annotations

import datetime
import re
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import yaml
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Request, Response
from markupsafe import Markup, escape

from ots_data.project import ROOT

if TYPE_CHECKING:  # only for type hints: Datasette loads this module while importing datasette.app
    from datasette.app import Datasette
    from datasette.database import Database

DATABASE = "ots"
STRINGS = ROOT / "docs" / "i18n" / "landing.yml"
# Read once, when Datasette starts: it is deployed with the code, as the templates are.
TEXT = yaml.safe_load(STRINGS.read_text(encoding="utf-8"))

# The three front pages, relative to the instance's address; English first. The names are each
# language's own, as a reader looks for it.
LANGUAGES = {"en": "", "tr": "tr/", "ru": "ru/"}
LANGUAGE_NAMES = {"en": "English", "tr": "Türkçe", "ru": "Русский"}
# The URL variable of the routes below that names the language; `/` has none, and is English.
LANG_VAR = "ots_lang"

# The main entry points, in reading order: (table or query, its name, extra query string, the
# number of the printed table it rebuilds). Their words are landing.yml's `entries`.
ENTRY_POINTS = [
    ("query", "article_table_1", "", 1),
    ("query", "article_table_2", "", 2),
    ("query", "article_table_3", "", 3),
    ("table", "latest_counts", "_sort_desc=count", None),
    ("query", "flagged_values", "", None),
    ("query", "errata_with_evidence", "", None),
    ("table", "commitments", "", None),
    ("table", "survey_figures", "", None),
    ("query", "timeline", "", None),
]
# Entry points whose number of rows is that of a table.
COUNTED_AS = {
    "latest_counts": "latest_counts",
    "errata_with_evidence": "errata",
    "commitments": "commitments",
    "survey_figures": "survey_figures",
    "timeline": "events",
}
# Every other table and view a reader may want, in reading order.
TABLES = [
    "actors",
    "accounts",
    "follower_counts",
    "absences",
    "actor_aliases",
    "office_checks",
    "states",
    "sources",
    "article_tables",
    "actor_listings",
    "printed_cells",
    "raw_table_rows",
    "account_observations",
    "count_changes",
    "errata",
    "evidence",
    "erratum_evidence",
    "office_check_evidence",
    "alias_evidence",
    "events",
]


# ------------------------------------------------------------------ words, numbers and dates


def long_date(iso: str, lang: str = "en") -> str:
    """June 22, 2022; 22 Haziran 2022; 22 июня 2022 г."""
    day = datetime.date.fromisoformat(iso)
    month = TEXT["dates"]["months"][lang][day.month - 1]
    return TEXT["dates"]["format"][lang].format(day=day.day, month=month, year=day.year)


# The thousands separator of each language: 1,234; 1.234; 1 234 (a non-breaking space).
THOUSANDS = {"en": ",", "tr": ".", "ru": "\u00a0"}


def number(count: int, lang: str) -> str:
    return f"{count:,}".replace(",", THOUSANDS[lang])


def russian_form(count: int) -> int:
    """Which of the three Russian forms a number takes: 1, 21 строка; 2, 22 строки; 5, 11, 25 строк."""
    if count % 10 == 1 and count % 100 != 11:
        return 0
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return 1
    return 2


def rows_text(count: int, lang: str) -> str:
    text = TEXT["text"]["rows"][lang]
    if isinstance(text, list):  # Russian: a form for each kind of number
        text = text[russian_form(count)]
    return text.format(count=number(count, lang))


# [text](address), as in Markdown: a link in a string of landing.yml.
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def linked(text: str, **values: str) -> Markup:
    """The string as HTML, its [text](address) links as <a> (`{name}` in an address filled from
    values); everything else escaped."""
    parts, at = [], 0
    for match in LINK.finditer(text):
        parts.append(escape(text[at : match.start()]))
        parts.append(Markup('<a href="{}">{}</a>').format(match.group(2).format(**values), match.group(1)))
        at = match.end()
    parts.append(escape(text[at:]))
    return Markup("").join(parts)


def around(text: str, placeholder: str) -> tuple[str, str]:
    """The words before and after a placeholder, which the template fills with markup."""
    before, _, after = text.partition(placeholder)
    return before, after


def strings(lang: str) -> dict[str, str]:
    """landing.yml's `text` and `translated_only` in one language."""
    return {key: value[lang] for key, value in {**TEXT["text"], **TEXT["translated_only"]}.items()}


# ------------------------------------------------------------------ what the page shows


# Row counts per Datasette instance: the database is immutable, so they are counted once.
ROW_COUNTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# A view is counted by running it: at a million rows a join may not finish within Datasette's time
# limit, and the front page must answer anyway, without that count (as Datasette's own index does).
COUNT_TIME_LIMIT_MS = 200


async def row_counts(db: Database, tables: set[str]) -> dict[str, int | None]:
    """The number of rows of each of these tables (those the database has); None for one that
    cannot be counted within COUNT_TIME_LIMIT_MS."""
    counts = ROW_COUNTS.get(db)
    if counts is None:
        present = set(await db.table_names()) | set(await db.view_names())
        counts = {}
        for table in sorted(tables & present):
            try:
                found = await db.execute(f"select count(*) from [{table}]", custom_time_limit=COUNT_TIME_LIMIT_MS)
                counts[table] = found.first()[0]
            except QueryInterrupted:
                counts[table] = None
        ROW_COUNTS[db] = counts
    return counts


def front_pages(datasette: Datasette, request: Request | None, lang: str) -> list[dict]:
    """The three front pages, for the links between them: each one's address on this site, and its
    absolute address (hreflang alternates must be absolute) under PUBLIC_URL when it is set, else
    under the address the request came to."""
    base = (datasette.plugin_config("ots") or {}).get("public_url")
    pages = []
    for code, suffix in LANGUAGES.items():
        path = datasette.urls.instance() + suffix
        if base:
            absolute = base + path
        else:
            absolute = datasette.absolute_url(request, path) if request else path
        pages.append(
            {"lang": code, "name": LANGUAGE_NAMES[code], "href": path, "absolute": absolute, "current": code == lang}
        )
    return pages


async def landing(datasette: Datasette, lang: str = "en", request: Request | None = None) -> dict:
    db = datasette.get_database(DATABASE)
    dates = [row[0] for row in await db.execute("select distinct updated_on from article_tables order by updated_on")]
    counts = await row_counts(db, {*TABLES, *COUNTED_AS.values()})
    config = datasette.plugin_config("ots") or {}
    text = strings(lang)
    entries = []
    for kind, name, query_string, printed_table in ENTRY_POINTS:
        words = TEXT["entries"][name]
        path = datasette.urls.query(DATABASE, name) if kind == "query" else datasette.urls.table(DATABASE, name)
        count = counts.get(COUNTED_AS.get(name, ""))
        printed_title = TEXT["printed_titles"].get(printed_table) if lang != "en" else None
        entries.append(
            {
                "label": words["label"][lang],
                "href": path + ("?" + query_string if query_string else ""),
                "note": words["note"][lang],
                "title": words["title"][lang] if "title" in words else None,
                "rows": rows_text(count, lang) if count is not None else None,
                # Under a printed table on /tr/ and /ru/: its title in the reader's language, as our translation.
                "printed_title": text["printed_title"].format(title=printed_title[lang]) if printed_title else None,
            }
        )
    hidden = set(await db.hidden_table_names())
    tables = [
        {
            "name": name,
            "href": datasette.urls.table(DATABASE, name),
            "number": number(counts[name], lang) if counts.get(name) is not None else None,
        }
        for name in TABLES
        if name not in hidden
    ]
    database = datasette.urls.database(DATABASE)
    languages = front_pages(datasette, request, lang)
    return {
        "lang": lang,
        "text": text,
        "languages": languages,
        "here": next(page["href"] for page in languages if page["current"]),
        "as_of": [{"iso": iso, "text": long_date(iso, lang)} for iso in dates],
        "as_of_around": around(text["as_of"], "{date}"),
        "version": config.get("version"),
        "version_around": around(text["version"], "{version}"),
        "entries": entries,
        "tables": tables,
        "search": datasette.urls.query(DATABASE, "search_everything"),
        "database": database,
        "cite": linked(text["cite"]),
        "whole_database": linked(text["whole_database"], database=database),
        "powered_by": linked(text["powered_by"]),
        "report": linked(text["report"]),
    }


@hookimpl
def extra_template_vars(
    template: str, datasette: Datasette, request: Request | None
) -> Callable[[], Awaitable[dict]] | None:
    if template != "index.html" or DATABASE not in datasette.databases:
        return None  # without the database, the front page is Datasette's own
    lang = (request.url_vars.get(LANG_VAR) if request else None) or "en"

    async def variables() -> dict:
        return {"landing": await landing(datasette, lang, request), "ots_lang": lang}

    return variables


# ------------------------------------------------------------------ /tr/ and /ru/

# /tr/ and /ru/ show the metadata (title, source) Datasette gives its own index page, as
# /-/metadata.json serves it (Datasette has no documented method for it in 0.65): read once per
# instance, as Datasette reads its metadata once, when it starts.
METADATA: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def served_metadata(datasette: Datasette) -> dict:
    metadata = METADATA.get(datasette)
    if metadata is None:
        answer = await datasette.client.get("/-/metadata.json")
        metadata = answer.json() if answer.status_code == 200 else {}
        METADATA[datasette] = metadata
    return metadata


async def translated_front_page(datasette: Datasette, request: Request) -> Response:
    """/tr/ and /ru/: the front page's template, as Datasette renders it for `/`, in the language
    of the address (the hook above reads it from the URL variable)."""
    if DATABASE not in datasette.databases:
        return Response.text("Not found", status=404)
    # No permission check: the site is public and has no signed-in actors (and Datasette 1.0 replaces
    # permission_allowed, which `make check-datasette-next` would find failing).
    html = await datasette.render_template(
        "index.html", {"metadata": await served_metadata(datasette)}, request=request
    )
    return Response.html(html)


async def add_slash(datasette: Datasette, request: Request) -> Response:
    """/tr and /ru: the front page's address ends with a slash (as /docs/tr/ does)."""
    return Response.redirect(datasette.urls.instance() + LANGUAGES[request.url_vars[LANG_VAR]], status=301)


@hookimpl
def register_routes() -> list:
    translated = "|".join(code for code in LANGUAGES if code != "en")
    return [
        (rf"^/(?P<{LANG_VAR}>{translated})/$", translated_front_page),
        (rf"^/(?P<{LANG_VAR}>{translated})$", add_slash),
    ]
