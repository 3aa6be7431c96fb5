"""Static SVG charts for the documentation, drawn from the database with matplotlib.

Deterministic output (fixed hash salt, no dates in the file) so the same database gives the same
files; text stays text in the SVG (readable, selectable, translatable) and each file carries a
<title> and <desc> for screen readers. No JavaScript, nothing from a CDN.
"""

from __future__ import annotations

import html
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams.update(
    {
        "svg.hashsalt": "ots-digital-diplomacy-data",
        "svg.fonttype": "none",
        "font.family": "DejaVu Sans",
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

# Colour-blind-safe palette (Okabe-Ito).
PLATFORM_COLOURS = {"twitter": "#0072B2", "instagram": "#CC79A7", "facebook": "#009E73", "youtube": "#D55E00"}
PLATFORM_LABELS = {"twitter": "Twitter", "instagram": "Instagram", "facebook": "Facebook", "youtube": "YouTube"}
STATUS_COLOURS = {
    "account": "#009E73",
    "none_available": "#E69F00",
    "dash": "#F0E442",
    "empty_cell": "#BBBBBB",
    "cell_not_printed": "#FFFFFF",
}
STATUS_LABELS = {
    "account": "account printed",
    "none_available": '"None available"',
    "dash": '"-"',
    "empty_cell": "empty cell",
    "cell_not_printed": "no cell printed",
}


@dataclass(frozen=True)
class Chart:
    name: str
    alt: str
    data_url: str
    width: int
    height: int
    # What the caption states about this chart's figures (their date, how many are shown): filled
    # into the {{ placeholders }} of its caption in docs/i18n/strings.yml. Counts are ints, written
    # in each page's language by the docs step; the chart's own labels and alt text are English.
    facts: dict[str, str | int] = field(default_factory=dict)


def short(text: str, limit: int) -> str:
    """Keep chart labels short enough for the chart to stay readable at page width; the full text
    is in the data behind each chart."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sql_url(sql: str) -> str:
    return "/ots.csv?sql=" + quote(" ".join(sql.split()), safe="") + "&_size=max"


def save(fig: plt.Figure, path: Path, title: str, description: str) -> tuple[int, int]:
    fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(fig)
    svg = path.read_text(encoding="utf-8")
    width, height = (
        round(float(v)) for v in re.search(r'<svg[^>]*width="([0-9.]+)pt"[^>]*height="([0-9.]+)pt"', svg).groups()
    )
    accessible = (
        '<svg role="img" aria-labelledby="chart-title chart-desc"',
        f'<title id="chart-title">{html.escape(title)}</title><desc id="chart-desc">{html.escape(description)}</desc>',
    )
    svg = svg.replace("<svg", accessible[0], 1)
    svg = re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + accessible[1], svg, count=1)
    path.write_text(svg, encoding="utf-8")
    return round(width * 4 / 3), round(height * 4 / 3)  # pt -> px


def sources(db: sqlite3.Connection, source_ids: set[str]) -> str:
    """The sources of a chart's figures, named as readers cite them: "Altun, Fatmanur (2023)"."""
    marks = ",".join("?" * len(source_ids))
    names = db.execute(
        f"select coalesce(author || ' (' || year || ')', title) from sources where source_id in ({marks})"
        " order by source_id",
        sorted(source_ids),
    ).fetchall()
    return "; ".join(name for (name,) in names)


def dates(values: set[str]) -> str:
    """One date, or the first and last of several."""
    ordered = sorted(values)
    return ordered[0] if len(ordered) == 1 else f"{ordered[0]} – {ordered[-1]}"


# The article's printed figures: the follower_counts rows of a printed table row (listing_id set),
# walked from actor_listings. A round's rows have no listing_id, so this reads the article's few
# dozen rows whatever the number of rounds; CROSS JOIN keeps that loop order (left to itself, SQLite
# walks the index on count over every row of every round).
PRINTED_COUNTS = "actor_listings l cross join follower_counts f on f.listing_id = l.listing_id"

# The audience chart shows the article's printed figures, one bar per account, not each account's
# latest figure: they are the one snapshot the docs describe (all of one date, June 22, 2022, so
# the bars compare like with like), and they stay a few dozen bars however many rounds and accounts
# are added. The latest figure per account would mix dates (an account a round did not reach keeps
# its 2022 figure beside others' newer ones) and grow with every account a round adds; it is in
# the derived table latest_counts, and the change between rounds has a chart of its own.
# Where the article prints an account twice on one date (Tables 1 and 3), the first figure with a
# value by count_id is drawn, the rule of the view account_observations.
AUDIENCE_SQL = f"""
select ac.name, a.platform, a.handle, c.count, c.count_as_printed, c.observed_on, c.source_id, c.count_id,
  a.account_id
from follower_counts c join accounts a using (account_id) join actors ac on ac.actor_id = a.actor_id
where c.count_id in (select min(f.count_id) from {PRINTED_COUNTS} where f.count is not null
                     group by f.account_id, f.metric)
order by c.count, c.count_id"""


def audience(db: sqlite3.Connection, folder: Path) -> Chart:
    rows = db.execute(AUDIENCE_SQL).fetchall()
    (figures,) = db.execute(f"select count(*) from {PRINTED_COUNTS} where f.count is not null").fetchone()
    observed_on = dates({r[5] for r in rows})
    fig, ax = plt.subplots(figsize=(6, 0.22 * len(rows) + 1.2))
    labels = [f"{short(row[0], 30)} · {short(row[2], 24)}" for row in rows]
    ax.barh(range(len(rows)), [r[3] for r in rows], color=[PLATFORM_COLOURS[r[1]] for r in rows])
    for i, row in enumerate(rows):
        ax.text(row[3] * 1.08, i, row[4], va="center", fontsize=8)
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(left=50)
    ax.set_xlabel(f"followers or subscribers on {observed_on}\n(log scale; labels as the article prints them)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in PLATFORM_COLOURS.values()]
    ax.legend(handles, PLATFORM_LABELS.values(), loc="lower right", frameon=False)
    top = rows[-1]
    twice = "; where the article prints an account twice, its first figure is shown" if figures > len(rows) else ""
    alt = (
        f"Horizontal bar chart, logarithmic scale, of the {figures} printed figures that could be read, as the "
        f"article's Tables 1-3 print them for {observed_on} ({sources(db, {r[6] for r in rows})}): one bar per "
        f"account, {len(rows)} accounts{twice}. "
        f"Largest: {top[0]} ({top[2]}, {PLATFORM_LABELS[top[1]]}) with {top[4]}; smallest: {rows[0][0]} "
        f"({rows[0][2]}, {PLATFORM_LABELS[rows[0][1]]}) with {rows[0][4]}."
    )
    width, height = save(fig, folder / "audience.svg", "Audience by actor and platform", alt)
    return Chart("audience", alt, sql_url(AUDIENCE_SQL), width, height, {"observed_on": observed_on})


PRESENCE_SQL = """
select l.listing_id, l.table_number, l.row_number, coalesce(ac.state_code, 'OTS') as state, ac.name, p.platform,
  coalesce((select 'account' from follower_counts c join accounts a using (account_id)
            where c.listing_id = l.listing_id and a.platform = p.platform limit 1),
           (select absence_kind from absences b
            where b.listing_id = l.listing_id and b.platform = p.platform)) as status
from actor_listings l join actors ac using (actor_id)
cross join (select 'twitter' as platform union all select 'instagram' union all select 'facebook'
            union all select 'youtube') p
order by state, l.table_number, l.row_number"""


def presence(db: sqlite3.Connection, folder: Path) -> Chart:
    rows = db.execute(PRESENCE_SQL).fetchall()
    listings = list(dict.fromkeys((r[0], r[3], r[4], r[1]) for r in rows))
    platforms = list(PLATFORM_LABELS)
    status = {(r[0], r[5]): r[6] for r in rows}
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(listings) + 1.4))
    for y, (listing, _, _, _) in enumerate(listings):
        for x, platform in enumerate(platforms):
            kind = status[(listing, platform)]
            ax.add_patch(
                plt.Rectangle((x, y), 0.95, 0.9, facecolor=STATUS_COLOURS[kind], edgecolor="#555555", linewidth=0.5)
            )
    ax.set_xlim(0, len(platforms))
    ax.set_ylim(len(listings), 0)
    ax.set_xticks([x + 0.47 for x in range(len(platforms))], [PLATFORM_LABELS[p] for p in platforms])
    ax.xaxis.tick_top()
    ax.set_yticks(
        [y + 0.45 for y in range(len(listings))],
        [f"{state} · {short(name, 36)} (Table {table})" for _, state, name, table in listings],
        fontsize=8,
    )
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [
        plt.Rectangle((0, 0), 1, 1, facecolor=c, edgecolor="#555555", linewidth=0.5) for c in STATUS_COLOURS.values()
    ]
    ax.legend(
        handles,
        STATUS_LABELS.values(),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=3,
        frameon=False,
        fontsize=8,
    )
    counts = {k: sum(1 for v in status.values() if v == k) for k in STATUS_COLOURS}
    alt = (
        f"Matrix of the {len(listings)} printed table rows (grouped by state) against the four platforms: "
        f'{counts["account"]} cells print an account, {counts["none_available"]} say "None available", '
        f'{counts["dash"]} print "-", {counts["empty_cell"]} are printed empty and '
        f"{counts['cell_not_printed']} are not printed."
    )
    width, height = save(fig, folder / "presence.svg", "Platform presence by state", alt)
    return Chart("presence", alt, sql_url(PRESENCE_SQL), width, height)


COMMITMENTS_SQL = (
    "select domain, attribution, count(*) as n from commitments group by domain, attribution "
    "order by domain, attribution"
)


def commitments(db: sqlite3.Connection, folder: Path) -> Chart:
    rows = db.execute(COMMITMENTS_SQL).fetchall()
    domains = sorted({r[0] for r in rows})
    kinds = ["named_in_sentence", "paragraph_citation", "author_recommendation"]
    colours = {"named_in_sentence": "#0072B2", "paragraph_citation": "#56B4E9", "author_recommendation": "#E69F00"}
    labels = {
        "named_in_sentence": "Vision named in the sentence",
        "paragraph_citation": "Vision cited at paragraph end",
        "author_recommendation": "author's recommendation",
    }
    n = {(r[0], r[1]): r[2] for r in rows}
    fig, ax = plt.subplots(figsize=(8, 3))
    left = [0] * len(domains)
    for kind in kinds:
        values = [n.get((d, kind), 0) for d in domains]
        ax.barh(range(len(domains)), values, left=left, color=colours[kind], label=labels[kind])
        left = [a + b for a, b in zip(left, values, strict=True)]
    for i, total in enumerate(left):
        ax.text(total + 0.3, i, str(total), va="center")
    ax.set_yticks(range(len(domains)), [d.replace("_", " ") for d in domains])
    ax.set_xlabel("number of commitments")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    alt = (
        "Stacked bar chart of commitments by domain: "
        + "; ".join(f"{d.replace('_', ' ')} {t}" for d, t in zip(domains, left, strict=True))
        + "."
    )
    width, height = save(fig, folder / "commitments.svg", "Vision 2040 commitments by domain", alt)
    return Chart("commitments", alt, sql_url(COMMITMENTS_SQL), width, height)


TIMELINE_SQL = "select start_date, date_as_printed, title, erratum_id from events order by start_date, event_id"


def timeline(db: sqlite3.Connection, folder: Path) -> Chart:
    rows = db.execute(TIMELINE_SQL).fetchall()

    def year(value: str) -> float:
        parts = [int(p) for p in value.split("-")]
        return (
            parts[0] + ((parts[1] - 1) / 12 if len(parts) > 1 else 0) + ((parts[2] - 1) / 365 if len(parts) > 2 else 0)
        )

    fig, ax = plt.subplots(figsize=(6, 0.26 * len(rows) + 1))
    for i, (start, printed, title, erratum) in enumerate(rows):
        wrong = erratum is not None
        ax.plot(year(start), i, marker="X" if wrong else "o", color="#D55E00" if wrong else "#0072B2", markersize=6)
        ax.text(
            year(start) + 0.4,
            i,
            f"{printed}: {short(title, 60)}" + (" (date wrong)" if wrong else ""),
            va="center",
            fontsize=8,
        )
    ax.set_ylim(len(rows), -1)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    first, last = year(rows[0][0]), year(rows[-1][0])
    ax.set_xlim(first - 1, last + 2)  # labels run past the axis; the SVG box grows to fit them
    ax.set_xlabel("year (as printed)")
    wrong = sum(1 for r in rows if r[3])
    alt = (
        f"Timeline of {len(rows)} dated events from {rows[0][1]} to {rows[-1][1]}, as printed; "
        f"{wrong} printed dates are wrong and marked with a cross."
    )
    width, height = save(fig, folder / "timeline.svg", "OTS timeline", alt)
    return Chart("timeline", alt, sql_url(TIMELINE_SQL), width, height)


# The change chart draws at most this many bars: the largest changes in percent, up or down, of
# the accounts observed in the latest round and before it (a round of a thousand accounts would
# otherwise be a thousand bars). The caption and the alt text say how many of how many are shown.
CHANGE_LIMIT = 20
CHANGE_FROM = """
from count_changes c join accounts a using (account_id) join actors ac on ac.actor_id = a.actor_id
join follower_counts f on f.count_id = c.count_id
where c.change_percent is not null and c.observed_on = (select max(observed_on) from follower_counts)"""
CHANGE_SQL = f"""
select a.handle, a.platform, ac.name, c.previous_on, c.observed_on, c.change_percent, c.previous_count, c.count,
  f.source_id, a.account_id
{CHANGE_FROM}
order by abs(c.change_percent) desc, c.account_id, c.metric limit {CHANGE_LIMIT}"""
CHANGE_SUMMARY_SQL = f"""
select count(*), total(c.change_percent > 0), total(c.change_percent < 0), min(c.previous_on), max(c.previous_on)
{CHANGE_FROM}"""


def change(db: sqlite3.Connection, folder: Path) -> Chart | None:
    """Change since the previous observation of each account observed in the latest round, once
    there is more than one round: the CHANGE_LIMIT largest changes, counted in SQL, not in memory."""
    rows = sorted(db.execute(CHANGE_SQL).fetchall(), key=lambda r: (r[5], r[0]))
    if not rows:
        return None
    total, rising, falling, first_previous, last_previous = db.execute(CHANGE_SUMMARY_SQL).fetchone()
    observed_on, previous_on = rows[0][4], dates({first_previous, last_previous})
    several = first_previous != last_previous  # then each bar says which observation it is compared with
    fig, ax = plt.subplots(figsize=(9, 0.24 * len(rows) + 1.2))
    ax.barh(range(len(rows)), [r[5] for r in rows], color=[PLATFORM_COLOURS[r[1]] for r in rows])
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(
        range(len(rows)),
        [f"{short(r[2], 30)} · {short(r[0], 24)}" + (f" (since {r[3]})" if several else "") for r in rows],
        fontsize=8,
    )
    shown = f"the {len(rows)} largest changes, up or down, of the {total:,}" if total > len(rows) else f"all {total:,}"
    since = "each account's previous observation (dated beside it)" if several else previous_on
    ax.set_xlabel(f"change in percent, {since} to {observed_on}\n({shown} accounts observed at both)")
    alt = (
        f"Bar chart of the change in followers or subscribers between each account's previous observation "
        f"({previous_on}) and {observed_on} ({sources(db, {r[8] for r in rows})}): {shown} accounts observed "
        f"at both ({int(rising):,} rose, {int(falling):,} fell); shown from {rows[0][5]}% ({rows[0][2]}, "
        f"{rows[0][0]}) to {rows[-1][5]}% ({rows[-1][2]}, {rows[-1][0]})."
    )
    width, height = save(fig, folder / "change.svg", "Change since the previous round", alt)
    # Counts stay numbers: the docs write them as each page's language does (docs.number).
    facts = {"observed_on": observed_on, "previous_on": previous_on, "shown": len(rows), "total": total}
    return Chart("change", alt, sql_url(CHANGE_SQL), width, height, facts)


def make_all(db: sqlite3.Connection, folder: Path) -> list[Chart]:
    folder.mkdir(parents=True, exist_ok=True)
    made = [
        audience(db, folder),
        presence(db, folder),
        commitments(db, folder),
        timeline(db, folder),
        change(db, folder),
    ]
    return [chart for chart in made if chart]
