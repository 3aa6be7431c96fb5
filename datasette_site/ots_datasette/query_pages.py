"""The canned queries as pages to read (templates/query.html): every figure and every result a link
to its row page, the printed tables with their title, note and date, and a reason when nothing is found.

On Datasette's documented hooks:
- `render_cell`, on query pages of the project's database only (table pages keep Datasette's own
  cells, which already link their foreign keys): a column that holds a cited row's key (count_id,
  actor_id, ...) links to that row page; the figure columns of a row that has a count_id link to it;
  a search result's title and row_id link to the result (its table_name and row_id); and in the
  article's Tables 1-3 each printed figure links to its row page and each actor to theirs, with a
  mark linking the erratum on a figure that has no agreed reading and on an official who no longer
  held the printed office on the tables' date.
- `extra_template_vars`, on query pages: the printed table a query rebuilds (article_tables: title,
  note and date as printed), and for a query that found nothing, what to try
  (plugin_config("ots")["empty_notes"]) and the dates of the rounds held.
- `extra_body_script`: a wide table scrolls inside a region the keyboard can reach and a screen
  reader names (tabindex, role, aria-label on Datasette's .table-wrapper).
HTML only: JSON and CSV answers are Datasette's own, with the same columns.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup

if TYPE_CHECKING:  # only for type hints: Datasette loads this module while importing datasette.app
    from datasette.app import Datasette
    from datasette.utils.asgi import Request

DATABASE = "ots"
# A column holding the key of a row a reader may open -> that row's table.
KEY_COLUMNS = {
    "count_id": "follower_counts",
    "account_id": "accounts",
    "actor_id": "actors",
    "erratum_id": "errata",
    "figure_id": "survey_figures",
    "commitment_id": "commitments",
    "event_id": "events",
    "evidence_id": "evidence",
    "listing_id": "actor_listings",
}
# Columns that show a follower count: in a row that has a count_id they link to the count's page.
FIGURE_COLUMNS = {"count", "count_as_printed", "figure"}
# The platform columns of the article's tables (ots_data/catalog/queries/article_table.sql).
PRINTED_COLUMN = re.compile(r"^(Twitter|Instagram|Facebook|Youtube) \((Followers|Subscribers)\)$")
PRINTED_TABLE_QUERY = re.compile(r"^article_table_(\d+)$")

# What the printed tables need, per Datasette instance: the database is immutable, so read once.
LOOKUPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def lookups(datasette: Datasette) -> dict:
    found = LOOKUPS.get(datasette)
    if found is not None:
        return found
    db = datasette.get_database(DATABASE)
    errata_of: dict[str, list[str]] = {}  # "table:key" -> the errata that name it
    for erratum_id, affects in await db.execute("select erratum_id, affects from errata order by erratum_id"):
        for named in (affects or "").split(";"):
            errata_of.setdefault(named.strip(), []).append(erratum_id)
    cells: dict[tuple[str, str], list[dict]] = {}
    for row in await db.execute(
        "select c.listing_id, a.platform, c.count_id, c.count, c.is_ambiguous from follower_counts c "
        "join accounts a on a.account_id = c.account_id where c.listing_id is not null "
        "order by c.listing_id, a.platform, c.entry_number"
    ):
        cells.setdefault((row["listing_id"], row["platform"]), []).append(dict(row))
    listings = {}
    for row in await db.execute(
        "select l.listing_id, l.label_as_printed, l.actor_id, o.holds_printed_office, o.erratum_id "
        "from actor_listings l left join office_checks o on o.actor_id = l.actor_id"
    ):
        listings[row["listing_id"]] = dict(row)
    found = {"errata_of": errata_of, "cells": cells, "listings": listings}
    LOOKUPS[datasette] = found
    return found


def link(datasette: Datasette, table: str, key: object, text: object) -> Markup:
    href = datasette.urls.row(DATABASE, table, tilde_encode(str(key)))
    return Markup('<a href="{}">{}</a>').format(href, text)


def mark(datasette: Datasette, erratum_id: str | None, row_table: str, row_key: str, why: str) -> Markup:
    """A visible mark after a cell: it links the erratum when there is one, else the row's page."""
    if erratum_id:
        href = datasette.urls.row(DATABASE, "errata", tilde_encode(erratum_id))
    else:
        href = datasette.urls.row(DATABASE, row_table, tilde_encode(row_key))
    return Markup(' <a class="ots-mark" href="{}" title="{}">&#9888;&#xFE0E;&nbsp;{}</a>').format(
        href, why, "erratum" if erratum_id else "see the row"
    )


def printed_cell(datasette: Datasette, found: dict, row: dict, column: str, value: object) -> Markup | None:
    """A cell of the article's Tables 1-3: figures and actors as links, with their marks."""
    listing = found["listings"].get(row.get("listing_id"))
    if listing is None or value in (None, ""):
        return None
    platform = PRINTED_COLUMN.match(column)
    if platform:
        counts = found["cells"].get((listing["listing_id"], platform.group(1).lower()), [])
        if not counts:
            return None  # a cell with no figure (see absences)
        first, *others = counts
        html = link(datasette, "follower_counts", first["count_id"], value)
        for number, other in enumerate(others, 2):  # a cell that prints more than one figure
            html += Markup(" ") + link(datasette, "follower_counts", other["count_id"], f"[figure {number}]")
        for count in counts:
            if count["count"] is None or count["is_ambiguous"]:
                errata = found["errata_of"].get(f"follower_counts:{count['count_id']}", [])
                html += mark(
                    datasette,
                    errata[0] if errata else None,
                    "follower_counts",
                    count["count_id"],
                    "This figure has no agreed reading",
                )
        return html
    if value == listing["label_as_printed"]:
        html = link(datasette, "actors", listing["actor_id"], value)
        if listing["holds_printed_office"] == "no":
            html += mark(
                datasette,
                listing["erratum_id"],
                "office_checks",
                listing["actor_id"],
                "Did not hold the printed office on the tables' date",
            )
        return html
    return None


@hookimpl
def render_cell(
    row: object, value: object, column: str, table: str | None, database: str, datasette: Datasette
) -> Callable[[], Awaitable[Markup | None]] | None:
    if table is not None or database != DATABASE or value in (None, ""):
        return None  # table pages, other databases and empty cells stay Datasette's own
    fields = dict(zip(row.keys(), tuple(row), strict=True))
    if column in KEY_COLUMNS:
        return link(datasette, KEY_COLUMNS[column], value, value)
    if column in FIGURE_COLUMNS and fields.get("count_id"):
        return link(datasette, "follower_counts", fields["count_id"], value)
    if column in ("title", "row_id") and fields.get("table_name") and fields.get("row_id"):
        return link(datasette, str(fields["table_name"]), fields["row_id"], value)
    if "listing_id" in fields:

        async def printed() -> Markup | None:
            return printed_cell(datasette, await lookups(datasette), fields, column, value)

        return printed()
    return None


async def query_context(datasette: Datasette, name: str, request: Request) -> dict:
    db = datasette.get_database(DATABASE)
    context: dict = {}
    printed = PRINTED_TABLE_QUERY.match(name)
    if printed:
        found = await db.execute(
            "select table_number, title_as_printed, note_as_printed, updated_on, source_locator "
            "from article_tables where table_number = ?",
            [int(printed.group(1))],
        )
        row = found.first()
        context["ots_printed_table"] = dict(row) if row else None
    notes = (datasette.plugin_config(DATABASE) or {}).get("empty_notes", {})
    context["ots_empty_note"] = notes.get(name)
    context["ots_rounds"] = [
        r[0] for r in await db.execute("select distinct observed_on from follower_counts order by observed_on")
    ]
    context["ots_query_has_values"] = any(request.args.get(k) for k in request.args.keys() if not k.startswith("_"))
    return context


@hookimpl
def extra_template_vars(
    template: str, database: str | None, view_name: str, request: Request | None, datasette: Datasette
) -> Callable[[], Awaitable[dict]] | None:
    if database != DATABASE or request is None or template != "query.html":
        return None
    name = request.url_vars.get("table")
    if not name:
        return None  # arbitrary SQL: Datasette's own page

    async def variables() -> dict:
        return await query_context(datasette, name, request)

    return variables


SCROLLABLE_TABLES = """
document.querySelectorAll(".table-wrapper").forEach(function (wrapper) {
    /* A wide table scrolls inside its wrapper: the keyboard can reach it, a screen reader names it. */
    var heading = document.querySelector("h1");
    var name = (heading ? heading.textContent.trim() + ": " : "") + "results, scrolls sideways";
    wrapper.setAttribute("tabindex", "0");
    wrapper.setAttribute("role", "region");
    wrapper.setAttribute("aria-label", name);
});
"""


@hookimpl
def extra_body_script(database: str | None) -> str | None:
    return SCROLLABLE_TABLES if database == DATABASE else None
