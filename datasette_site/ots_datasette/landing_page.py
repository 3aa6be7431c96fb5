"""What the landing page (datasette_site/templates/index.html, the front page `/`) shows, read from what is served.

Nothing the database or the metadata holds is written in the template: the date the figures are
as of is read from the article's tables (article_tables.updated_on), the version from the
database's description in the metadata ("Data package version X.", written by ots_data/metadata.py
from datapackage.yaml), the titles of the canned queries from the metadata and the number of rows
from the database. The template gets `landing` (a dict) only on the front page. The entry points
and the tables are listed here in the order a reader needs them; the tables Datasette hides (the
search indexes, facet_counts) are not listed, and tests/test_landing_page.py checks that every
other table and view of the database is.
"""

from __future__ import annotations

import datetime
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from datasette import hookimpl
from datasette.database import QueryInterrupted

if TYPE_CHECKING:  # only for type hints: Datasette loads this module while importing datasette.app
    from datasette.app import Datasette
    from datasette.database import Database

DATABASE = "ots"

# The main entry points, in reading order: (what it is, table or query, its name, extra query string, note).
ENTRY_POINTS = [
    ("Table 1 as printed", "query", "article_table_1", "", "heads of state and government, and the OTS"),
    ("Table 2 as printed", "query", "article_table_2", "", "foreign ministers and ministries"),
    ("Table 3 as printed", "query", "article_table_3", "", "communications officials and ministries"),
    ("Accounts by audience", "table", "latest_counts", "_sort_desc=count", "the latest figure, largest first"),
    ("Flagged values", "query", "flagged_values", "", "ambiguous, inferred or repaired, with the reason"),
    ("Errata", "query", "errata_with_evidence", "", "what the article gets wrong, and the evidence"),
    ("Vision 2040", "table", "commitments", "", "the Turkic World Vision 2040 commitments"),
    ("Survey figures", "table", "survey_figures", "", "the statistics the article cites"),
    ("Timeline", "query", "timeline", "", "every dated event, with corrections"),
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


def long_date(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day:%B} {day.day}, {day.year}"


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


async def landing(datasette: Datasette) -> dict:
    db = datasette.get_database(DATABASE)
    dates = [row[0] for row in await db.execute("select distinct updated_on from article_tables order by updated_on")]
    counts = await row_counts(db, {*TABLES, *COUNTED_AS.values()})
    config = datasette.plugin_config("ots") or {}
    titles = config.get("query_titles", {})
    entries = []
    for label, kind, name, query_string, note in ENTRY_POINTS:
        path = datasette.urls.query(DATABASE, name) if kind == "query" else datasette.urls.table(DATABASE, name)
        title = titles.get(name) if kind == "query" else None
        entries.append(
            {
                "label": label,
                "href": path + ("?" + query_string if query_string else ""),
                "note": note,
                "title": title,
                "count": counts.get(COUNTED_AS.get(name, "")),
            }
        )
    hidden = set(await db.hidden_table_names())
    tables = [
        {"name": name, "href": datasette.urls.table(DATABASE, name), "count": counts.get(name)}
        for name in TABLES
        if name not in hidden
    ]
    return {
        "as_of": [{"iso": iso, "text": long_date(iso)} for iso in dates],
        "version": config.get("version"),
        "entries": entries,
        "tables": tables,
        "search": datasette.urls.query(DATABASE, "search_everything"),
        "database": datasette.urls.database(DATABASE),
    }


@hookimpl
def extra_template_vars(template: str, datasette: Datasette) -> Callable[[], Awaitable[dict]] | None:
    if template != "index.html" or DATABASE not in datasette.databases:
        return None  # without the database, the front page is Datasette's own

    async def variables() -> dict:
        return {"landing": await landing(datasette)}

    return variables
