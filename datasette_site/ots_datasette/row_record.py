"""The row pages of the cited tables as a record (datasette_site/templates/row.html), and the page of a person.

Datasette's row page shows a row as one table row of every column side by side: the note squeezed
to a sliver, the keys as bare ids, the citation far below. On the row pages of the cited tables
(metadata.yml's plugins.ots.cited_tables) the template shows instead what this module gives as
`ots_record`:

- a heading in words (for a figure: actor, platform, metric, date, the figure as printed beside
  the value read from it), a short summary, and the flags explained in sentences whose meaning is
  the schema's (datapackage.yaml's descriptions);
- for the "Cite this" block: the figure and its date, and a warning naming the errata when the
  figure has no agreed reading (is_ambiguous, or count empty);
- every field as a label and its value, foreign keys as links to their row pages with the linked
  row's label, lists (errata.affects) as one link per row;
- the errata that name the row (errata.affects holds "table:key; ...");
- on an actor's page, each of their accounts with its latest figure and links to the account and
  the figure, where the article prints no account, the office check and every erratum that names
  the actor, their accounts, figures or absences; on an account's page, its figures.

The database is immutable, so the errata's index of the rows they name is read once per database
(a WeakKeyDictionary, as landing_page.py keeps its counts); a page then costs a few indexed
lookups. Uses only Datasette's documented `extra_template_vars` hook and its database API.
"""

from __future__ import annotations

import datetime
import weakref
from collections.abc import Awaitable, Callable
from functools import cache
from typing import TYPE_CHECKING

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Request

from ots_data.project import DATAPACKAGE, PLATFORMS
from ots_data.schema import Resource, load_resources

if TYPE_CHECKING:  # only for type hints: Datasette loads this module while importing datasette.app
    from datasette.app import Datasette
    from datasette.database import Database

DATABASE = "ots"
# The platforms' names as their owners write them (the article prints "Youtube" as a column heading).
PLATFORM_NAME = {"twitter": "Twitter", "instagram": "Instagram", "facebook": "Facebook", "youtube": "YouTube"}
# The platforms in the order of the article's columns, for SQL.
PLATFORM_ORDER = "case a.platform " + " ".join(f"when '{p}' then {i}" for i, p in enumerate(PLATFORMS)) + " end"
# What names a row of each table a foreign key points to, as an SQL expression on that table: the
# label shown beside the link (metadata.yml's label_column where it has one).
LABELS = {
    "actors": "name",
    "accounts": "handle",
    "actor_listings": "label_as_printed",
    "sources": "title",
    "states": "name_en",
    "errata": "topic || ', ' || status",
    "article_tables": "'Table ' || table_number",
}
# List columns whose items are keys of another table.
LIST_LINKS = {("events", "actor_ids"): "actors", ("events", "state_codes"): "states"}
# The date every office check is about: the tables' "Updated on" date (datapackage.yaml, office_checks).
OFFICE_CHECK_DATE = "2022-06-22"
# How many figures of one account its page lists (a later round adds one per account).
FIGURES_SHOWN = 20


@cache
def resources() -> dict[str, Resource]:
    """The schema: the fields' titles and types, and the foreign keys. Deployed with the code, as
    the metadata is; read once."""
    return {r.name: r for r in load_resources(DATAPACKAGE)}


def long_date(iso: str | None) -> str:
    if not iso:
        return "no date"
    try:
        day = datetime.date.fromisoformat(iso)
    except ValueError:  # events' dates at the printed precision (YYYY, YYYY-MM)
        return iso
    return f"{day:%B} {day.day}, {day.year}"


def words(enum_value: str | None) -> str:
    """An enum of the schema as words: head_of_state -> head of state."""
    return (enum_value or "").replace("_", " ")


def number(value: float | int | None) -> str:
    """A number read from the article, as a reader writes it (16,000; 62.9)."""
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,}"
    return f"{int(value):,}"


def text(value: object) -> dict:
    return {"text": "" if value is None else str(value)}


def link(label: object, href: str) -> dict:
    return {"text": str(label), "href": href}


def outside_link(url: str) -> dict:
    """An address from the data as a link only when it is http(s): a javascript: URL stays text."""
    if url.startswith(("https://", "http://")):
        return {"text": url, "href": url, "external": True}
    return text(url)


def row_href(datasette: Datasette, table: str, key: object) -> str:
    return datasette.urls.row(DATABASE, table, tilde_encode(str(key)))


def figure(printed: str, count: int | None, is_ambiguous: bool) -> str:
    """A follower count as printed beside the value read from it: 10.1M (10,100,000)."""
    if count is None:
        return f"{printed} (no agreed reading)"
    if is_ambiguous:
        return f"{printed} (read as {count:,}; ambiguous)"
    return f"{printed} ({count:,})"


# ---------------------------------------------------------------- the errata and the rows they name


class Errata:
    """The errata by the rows they name: `by_row` maps "table:key" to the errata naming that row,
    `by_actor` an actor id to (erratum, the actor's rows it names) for every erratum that names the
    actor or one of their accounts, figures or absences."""

    def __init__(self, errata: list[dict], owners: dict[str, str]) -> None:
        self.by_row: dict[str, list[dict]] = {}
        self.by_actor: dict[str, list[tuple[dict, list[str]]]] = {}
        for erratum in errata:
            named_of_actor: dict[str, list[str]] = {}
            for named in erratum["named"]:
                self.by_row.setdefault(named, []).append(erratum)
                if named in owners:
                    named_of_actor.setdefault(owners[named], []).append(named)
            for actor_id, named in named_of_actor.items():
                self.by_actor.setdefault(actor_id, []).append((erratum, named))


# The errata's index per database: the database is immutable, so it is read once.
ERRATA: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# The tables an erratum may name whose rows belong to an actor, with the SQL that finds the actor.
OWNER_SQL = {
    "actors": "select actor_id as key, actor_id from actors where actor_id in ({})",
    "accounts": "select account_id as key, actor_id from accounts where account_id in ({})",
    "follower_counts": (
        "select f.count_id as key, a.actor_id from follower_counts f "
        "join accounts a on a.account_id = f.account_id where f.count_id in ({})"
    ),
    "absences": "select absence_id as key, actor_id from absences where absence_id in ({})",
}


async def errata_index(db: Database) -> Errata:
    index = ERRATA.get(db)
    if index is None:
        rows = await db.execute(
            "select erratum_id, topic, category, status, printed, affects from errata order by erratum_id"
        )
        errata = [
            dict(r) | {"named": [item.strip() for item in (r["affects"] or "").split(";") if item.strip()]}
            for r in rows
        ]
        owners: dict[str, str] = {}
        for table, sql in OWNER_SQL.items():
            keys = sorted({n.split(":", 1)[1] for e in errata for n in e["named"] if n.split(":", 1)[0] == table})
            if keys:
                found = await db.execute(sql.format(", ".join("?" * len(keys))), keys)
                owners |= {f"{table}:{r['key']}": r["actor_id"] for r in found}
        index = Errata(errata, owners)
        ERRATA[db] = index
    return index


def erratum_item(datasette: Datasette, erratum: dict, named: list[str] | None = None) -> dict:
    return {
        "erratum_id": erratum["erratum_id"],
        "href": row_href(datasette, "errata", erratum["erratum_id"]),
        "status": erratum["status"],
        "topic": erratum["topic"],
        "category": words(erratum["category"]),
        "printed": erratum["printed"],
        "named": [
            link(n, row_href(datasette, n.split(":", 1)[0], n.split(":", 1)[1])) for n in (named or []) if ":" in n
        ],
    }


def see_errata(datasette: Datasette, errata: list[dict]) -> list[dict]:
    """The sentence "See erratum x, y." as parts, with links."""
    if not errata:
        return []
    parts = [text(" See erratum " if len(errata) == 1 else " See errata ")]
    for i, erratum in enumerate(errata):
        parts += [text(", ")] if i else []
        parts.append(link(erratum["erratum_id"], row_href(datasette, "errata", erratum["erratum_id"])))
    return parts + [text(".")]


# ---------------------------------------------------------------- every field, labelled


async def foreign_labels(db: Database, resource: Resource, row: dict) -> dict[str, tuple[str, object, str | None]]:
    """column -> (the table it points to, the key, the linked row's label): one query for all."""
    targets, selects, params = {}, [], []
    for fk in resource.foreign_keys:
        if len(fk["fields"]) != 1 or row.get(fk["fields"][0]) is None:
            continue
        (column,), other, (other_key,) = fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"]
        targets[column] = (other, row[column])
        if other in LABELS:
            selects.append(f"(select {LABELS[other]} from [{other}] where [{other_key}] = ?) as [{column}]")
            params.append(row[column])
    labels = dict((await db.execute("select " + ", ".join(selects), params)).first()) if selects else {}
    return {column: (other, key, labels.get(column)) for column, (other, key) in targets.items()}


def field_values(datasette: Datasette, table: str, field: object, value: object, target: tuple | None) -> list[dict]:
    """The value of one field as parts: a link for a foreign key, one link per row for a list of
    rows, the value itself otherwise (booleans as the CSV writes them)."""
    if value is None or value == "":
        return []
    if target:
        other, key, label = target
        href = row_href(datasette, other, key)
        # The linked row's label, then its key (what the CSV holds), both in the link.
        return [link(f"{label} ({key})" if label else key, href)]
    kind = getattr(field, "type", None)
    if kind == "boolean":
        return [text("true" if value else "false")]
    if kind == "list":
        items = [item.strip() for item in str(value).split(field.delimiter.strip() or ",") if item.strip()]
        other = LIST_LINKS.get((table, field.name))
        parts = []
        for i, item in enumerate(items):
            parts += [text("; ")] if i else []
            if other:
                parts.append(link(item, row_href(datasette, other, item)))
            elif ":" in item:  # table:key, as errata.affects names rows
                parts.append(link(item, row_href(datasette, *item.split(":", 1))))
            else:
                parts.append(text(item))
        return parts
    if getattr(field, "format", None) == "uri":
        return [outside_link(str(value))]
    if isinstance(value, float):
        return [text(int(value) if value.is_integer() else value)]
    return [text(value)]


def all_fields(datasette: Datasette, table: str, row: dict, targets: dict) -> list[dict]:
    resource = resources().get(table)
    known = {f.name: f for f in resource.fields} if resource else {}
    fields = []
    for name, value in row.items():
        field = known.get(name)
        fields.append(
            {
                "name": name,
                "title": field.title if field else name,
                "value": field_values(datasette, table, field, value, targets.get(name)),
            }
        )
    return fields


# ---------------------------------------------------------------- each cited table's record


async def follower_count_record(
    datasette: Datasette, db: Database, row: dict, errata: list[dict], labels: dict
) -> dict:
    found = (
        await db.execute(
            "select a.handle, a.name_kind, a.account_kind, a.platform, ac.actor_id, ac.name from accounts a "
            "join actors ac on ac.actor_id = a.actor_id where a.account_id = ?",
            [row["account_id"]],
        )
    ).first()
    platform = PLATFORM_NAME.get(found["platform"], found["platform"]) if found else row["account_id"]
    actor = found["name"] if found else ""
    handle = (("@" if found["name_kind"] == "handle" else "") + found["handle"]) if found else row["account_id"]
    shown = figure(row["count_as_printed"], row["count"], bool(row["is_ambiguous"]))
    when = long_date(row["observed_on"])
    summary = [
        {
            "label": "Account",
            "parts": [link(handle, row_href(datasette, "accounts", row["account_id"]))]
            + ([text(f", {platform}, {found['account_kind']}")] if found else []),
        },
    ]
    if found:
        summary.append({"label": "Actor", "parts": [link(actor, row_href(datasette, "actors", found["actor_id"]))]})
    if row.get("cell_text_as_printed"):
        summary.append({"label": "Cell as printed", "parts": [text(f"“{row['cell_text_as_printed']}”")]})
    printed = f"“{row['count_as_printed']}”"
    flags, warning = [], None
    # The schema's flags, each as a sentence (datapackage.yaml: follower_counts).
    if row["is_ambiguous"] or row["count"] is None:
        readings = f" ({row['readings']})" if row.get("readings") else ""
        if not row["is_ambiguous"]:
            said = f"No value is read from the printed figure {printed}, so count is empty."
        elif row["count"] is None:
            said = (
                f"The article prints {printed}, which can be read more than one way{readings}; no reading is "
                "agreed, so count is empty."
            )
        else:
            said = (
                f"The article prints {printed}, which can be read more than one way{readings}; the dataset uses "
                f"{row['count']:,} ({words(row['parse_rule'])}, for the reason in the reading note)."
            )
        flags.append([text(said)] + see_errata(datasette, errata))
        # In the citation block itself, so that no one cites the figure without seeing it.
        if row["count"] is None:
            advice = f"this figure has no agreed reading. Quote it as printed, {printed}: the dataset reads no number."
        else:
            advice = (
                f"this figure is ambiguous. The article prints {printed}; {row['count']:,} is the dataset's reading, "
                "not the article's: say so if you use the number."
            )
        warning = [text(advice)] + see_errata(datasette, errata)
    if row["is_rounded"] and row["count_precision"]:
        flags.append(
            [
                text(
                    f"{printed} is an abbreviated display rounded to the nearest {row['count_precision']:,} "
                    "(count precision), not an exact count."
                )
            ]
        )
    if row["is_column_inferred"]:
        flags.append(
            [
                text(
                    "Column inferred: the printed row has fewer cells than columns, and the platform was "
                    "assigned by inference (see the note)."
                )
            ]
        )
    if row["is_account_inferred"]:
        flags.append(
            [
                text(
                    "Account inferred: the cell prints no handle, and the account was identified by inference "
                    "(see the note)."
                )
            ]
        )
    metric = row["metric"]
    return {
        "heading": f"{actor + ', ' if actor else ''}{platform} {metric}, {when}: {shown}",
        "summary": summary,
        "flags": flags,
        "figure": f"{shown} {platform} {metric} of {handle}{' (' + actor + ')' if actor else ''} on {when}",
        "warning": warning,
    }


async def account_record(datasette: Datasette, db: Database, row: dict, errata: list[dict], labels: dict) -> dict:
    name = labels.get("actor_id") or row["actor_id"]
    platform = PLATFORM_NAME.get(row["platform"], row["platform"])
    handle = ("@" if row["name_kind"] == "handle" else "") + row["handle"]
    figures = await db.execute(
        "select count_id, observed_on, metric, count, count_as_printed, is_ambiguous from follower_counts "
        "where account_id = ? order by observed_on desc, count_id limit ?",
        [row["account_id"], FIGURES_SHOWN + 1],
    )
    figures = [dict(f) for f in figures]
    summary = [
        {"label": "Actor", "parts": [link(name, row_href(datasette, "actors", row["actor_id"]))]},
        {"label": "Printed as", "parts": [text(f"“{row['handle_as_printed']}” ({row['source_locator']})")]},
    ]
    if row.get("url"):
        summary.append({"label": "Profile", "parts": [outside_link(row["url"])]})
    flags = []
    if row["is_handle_repaired"]:
        flags.append(
            [
                text(
                    f"Handle repaired: printed as “{row['handle_as_printed']}”; the handle differs from it by more "
                    "than a leading @ (a repaired line-break artefact)."
                )
            ]
        )
    if row["name_kind"] == "display_name":
        flags.append([text("A channel or page name, not a username: no profile address is built from it.")])
    elif not row.get("url"):
        flags.append(
            [text("No profile address: the printed text is not a valid handle for the platform (see the note).")]
        )
    return {
        "heading": f"{platform} account {handle} of {name} ({row['account_kind']})",
        "summary": summary,
        "flags": flags,
        "figures": [
            {
                "href": row_href(datasette, "follower_counts", f["count_id"]),
                "count_id": f["count_id"],
                "figure": figure(f["count_as_printed"], f["count"], bool(f["is_ambiguous"])),
                "metric": f["metric"],
                "date": long_date(f["observed_on"]),
            }
            for f in figures[:FIGURES_SHOWN]
        ],
        "more_figures": (
            datasette.urls.table(DATABASE, "follower_counts") + f"?account_id={tilde_encode(row['account_id'])}"
            if len(figures) > FIGURES_SHOWN
            else None
        ),
    }


async def actor_record(datasette: Datasette, db: Database, row: dict, errata: list[dict], labels: dict) -> dict:
    actor_id = row["actor_id"]
    # Each account with every figure of its latest date: the article prints some accounts twice on
    # one date (Tables 1 and 3), and the two figures may differ ("13BK" and "13K").
    found = await db.execute(
        "select a.account_id, a.platform, a.handle, a.name_kind, a.account_kind, f.count_id, f.metric, "
        "f.observed_on, f.count, f.count_as_printed, f.is_ambiguous from accounts a "
        "left join follower_counts f on f.account_id = a.account_id and f.observed_on = "
        "(select max(g.observed_on) from follower_counts g where g.account_id = a.account_id) "
        f"where a.actor_id = ? order by {PLATFORM_ORDER}, a.account_id, f.count is null, f.count_id",
        [actor_id],
    )
    accounts: dict[str, dict] = {}
    for a in found:
        account = accounts.setdefault(
            a["account_id"],
            {
                "href": row_href(datasette, "accounts", a["account_id"]),
                "platform": PLATFORM_NAME.get(a["platform"], a["platform"]),
                "handle": ("@" if a["name_kind"] == "handle" else "") + a["handle"],
                "account_kind": a["account_kind"],
                "figures": [],
            },
        )
        if a["count_id"]:
            account["figures"].append(
                {
                    "count_id": a["count_id"],
                    "href": row_href(datasette, "follower_counts", a["count_id"]),
                    "figure": figure(a["count_as_printed"], a["count"], bool(a["is_ambiguous"])),
                    "metric": a["metric"],
                    "date": long_date(a["observed_on"]),
                }
            )
    listings = await db.execute(
        "select listing_id, label_as_printed, source_locator from actor_listings where actor_id = ? "
        "order by table_number, row_number",
        [actor_id],
    )
    absences = await db.execute(
        "select absence_id, platform, observed_on, as_printed, absence_kind, source_locator from absences "
        "where actor_id = ? order by observed_on desc, absence_id",
        [actor_id],
    )
    check = (
        await db.execute(
            "select o.holds_printed_office, o.check_status, o.erratum_id, o.note, e.status as erratum_status "
            "from office_checks o left join errata e on e.erratum_id = o.erratum_id where o.actor_id = ?",
            [actor_id],
        )
    ).first()
    office = words(row["role_category"])
    where = labels.get("state_code")
    summary = [
        {
            "label": "Printed as",
            "parts": [
                part
                for i, listing in enumerate(listings)
                for part in ([text("; ")] if i else [])
                + [
                    text(f"“{listing['label_as_printed']}” ("),
                    link(listing["source_locator"], row_href(datasette, "actor_listings", listing["listing_id"])),
                    text(")"),
                ]
            ],
        }
    ]
    flags = []
    if check:
        erratum = (
            [link(check["erratum_id"], row_href(datasette, "errata", check["erratum_id"]))]
            if check["erratum_id"]
            else []
        )
        if check["holds_printed_office"] == "no":
            flags.append(
                [
                    text(
                        f"Not in the printed office on {OFFICE_CHECK_DATE}: the office check "
                        f"({check['check_status']}) finds that {row['name']} had left it."
                    )
                ]
                + ([text(" See erratum "), *erratum, text(".")] if erratum else [])
            )
        elif check["check_status"] == "unverified":
            flags.append(
                [text("The office check is unverified: believed, but no passage of an outside source settles it.")]
            )
    return {
        "heading": f"{row['name']}: {office}{', ' + where if where else ''}",
        "summary": summary,
        "flags": flags,
        "accounts": list(accounts.values()),
        "absences": [
            {
                "href": row_href(datasette, "absences", a["absence_id"]),
                "absence_id": a["absence_id"],
                "platform": PLATFORM_NAME.get(a["platform"], a["platform"]),
                "as_printed": a["as_printed"],
                "absence_kind": words(a["absence_kind"]),
                "where": a["source_locator"],
                "date": long_date(a["observed_on"]),
            }
            for a in absences
        ],
        "office_check": (
            {
                "href": row_href(datasette, "office_checks", actor_id),
                "date": OFFICE_CHECK_DATE,
                "holds_printed_office": check["holds_printed_office"],
                "check_status": check["check_status"],
                "note": check["note"],
                "erratum": (
                    {
                        "erratum_id": check["erratum_id"],
                        "href": row_href(datasette, "errata", check["erratum_id"]),
                        "status": check["erratum_status"],
                    }
                    if check["erratum_id"]
                    else None
                ),
            }
            if check
            else None
        ),
    }


STATUS = {
    "confirmed": (
        "Confirmed: at least one passage of an outside source supports what the record says and none contradicts "
        "it, or, for an error the article shows against itself, the two places it prints disagree as the record says."
    ),
    "unverified": "Unverified: believed, not established by a passage of an outside source.",
}


async def erratum_record(datasette: Datasette, db: Database, row: dict, errata: list[dict], labels: dict) -> dict:
    return {
        "heading": f"Erratum on {row['topic']}, {words(row['category'])}: {row['erratum_id']}",
        "summary": [
            {"label": "The article prints", "parts": [text(f"“{row['printed']}”")]},
            {"label": "Where", "parts": [text(row["source_locator"])]},
        ],
        "flags": [[text(STATUS[row["status"]])]] if row["status"] in STATUS else [],
    }


ESTABLISHED = {
    "by_context": (
        "No citation in the sentence or at the paragraph's end: the editors attribute the figure to the cited "
        "source from its context, and the note says why."
    ),
    "none": "The article gives no source for this figure.",
    "paragraph_end": "Only a citation at the paragraph's end covers this figure.",
}


async def survey_figure_record(datasette: Datasette, db: Database, row: dict, errata: list[dict], labels: dict) -> dict:
    where = ", ".join(v for v in (row.get("geography_as_printed"), row.get("reference_period_as_printed")) if v)
    shown = f"{row['value_as_printed']} ({number(row['value'])} {row['unit']})"
    return {
        "heading": f"{row['indicator']}{', ' + where if where else ''}: {shown}",
        "summary": [{"label": "Population", "parts": [text(row["population"])]}]
        + (
            [
                {
                    "label": "Cited source",
                    "parts": [
                        link(
                            labels.get("cited_source_id") or row["cited_source_id"],
                            row_href(datasette, "sources", row["cited_source_id"]),
                        )
                    ],
                }
            ]
            if row.get("cited_source_id")
            else []
        ),
        "flags": [[text(ESTABLISHED[row["citation_established"]])]]
        if row["citation_established"] in ESTABLISHED
        else [],
        "figure": f"{shown}{', ' + where if where else ''}",
    }


ATTRIBUTION = {
    "paragraph_citation": "Only a paragraph-end citation covers it: the sentence itself does not name the Vision.",
    "author_recommendation": (
        "The author's own recommendation “in light of” the Vision, not a commitment of the Vision itself."
    ),
}


async def commitment_record(datasette: Datasette, db: Database, row: dict, errata: list[dict], labels: dict) -> dict:
    return {
        "heading": f"Vision 2040, {words(row['domain'])}: {row['statement']}",
        "summary": [{"label": "Section", "parts": [text(row["section"])]}],
        "flags": [[text(ATTRIBUTION[row["attribution"]])]] if row["attribution"] in ATTRIBUTION else [],
    }


async def event_record(datasette: Datasette, db: Database, row: dict, errata: list[dict], labels: dict) -> dict:
    until = f" to {row['end_date']}" if row.get("end_date") else ""
    return {
        "heading": f"{row['title']}, {row['date_as_printed']}",
        "summary": [{"label": "Date", "parts": [text(f"{row['start_date']}{until} ({row['date_precision']})")]}],
        "flags": [],
    }


# What each cited table's record says above the citation. Each builder gets the row, the errata
# that name it and the labels of the rows its foreign keys point to (column -> label).
RECORDS = {
    "follower_counts": follower_count_record,
    "accounts": account_record,
    "actors": actor_record,
    "errata": erratum_record,
    "survey_figures": survey_figure_record,
    "commitments": commitment_record,
    "events": event_record,
}


async def record(datasette: Datasette, table: str, key: str) -> dict | None:
    db = datasette.get_database(DATABASE)
    key_columns = await db.primary_keys(table)
    if len(key_columns) != 1:
        return None
    found = (await db.execute(f"select * from [{table}] where [{key_columns[0]}] = ?", [key])).first()
    if found is None:
        return None  # Datasette answers 404 itself
    row = dict(found)
    resource = resources().get(table)
    targets = await foreign_labels(db, resource, row) if resource else {}
    index = await errata_index(db)
    naming = index.by_row.get(f"{table}:{key}", [])
    labels = {column: label for column, (_, _, label) in targets.items()}
    made = await RECORDS[table](datasette, db, row, naming, labels)
    if table == "actors":
        made["errata"] = [erratum_item(datasette, e, named) for e, named in index.by_actor.get(key, [])]
    else:
        made["errata"] = [erratum_item(datasette, e) for e in naming]
    return made | {
        "table": table,
        "key": key,
        "table_href": datasette.urls.table(DATABASE, table),
        "fields": all_fields(datasette, table, row, targets),
    }


@hookimpl
def extra_template_vars(
    view_name: str, database: str | None, table: str | None, request: Request | None, datasette: Datasette
) -> Callable[[], Awaitable[dict]] | None:
    cited = (datasette.plugin_config("ots") or {}).get("cited_tables", ())
    if view_name != "row" or database != DATABASE or table not in cited or table not in RECORDS or request is None:
        return None

    async def variables() -> dict:
        pks = request.url_vars.get("pks", "")
        if "," in pks:  # a compound key: no cited table has one
            return {}
        return {"ots_record": await record(datasette, table, tilde_decode(pks))}

    return variables
