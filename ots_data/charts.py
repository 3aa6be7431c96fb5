"""Static SVG charts for the documentation, drawn from the database with matplotlib.

Each chart is drawn once per language of the site, from one reading of the database: its words
(title, axes, legend, row labels, text alternative) come from docs/i18n/charts.yml and its numbers
are written as the language writes them (ots_data.docs.number). English keeps the published
address assets/charts/<name>.svg; Turkish and Russian are <name>.tr.svg and <name>.ru.svg.

Deterministic output (fixed hash salt, no dates in the file) so the same database gives the same
files; text stays text in the SVG (readable, selectable), the root element names the language, and
each file carries a <title> and <desc> for screen readers. No JavaScript, no web font, nothing from
a CDN.
"""

from __future__ import annotations

import html
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import matplotlib
import yaml
from babel.dates import format_date
from babel.numbers import format_percent

from ots_data.project import ROOT

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter  # noqa: E402

plt.rcParams.update(
    {
        "svg.hashsalt": "ots-digital-diplomacy-data",
        "svg.fonttype": "none",
        # Laid out in DejaVu Sans (Latin, Turkish and Cyrillic letters); the SVG asks for it, then for
        # the reader's own sans-serif: no web font, so the site works offline.
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans"],
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

# The site's languages, as ots_data.docs.LANGUAGES (which imports this module; a test compares them).
LANGUAGES = ("en", "tr", "ru")
TEXTS = ROOT / "docs" / "i18n" / "charts.yml"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

# Colour-blind-safe palette (Okabe-Ito). Platform names are brands: the same in every language.
PLATFORM_COLOURS = {"twitter": "#0072B2", "instagram": "#CC79A7", "facebook": "#009E73", "youtube": "#D55E00"}
PLATFORM_LABELS = {"twitter": "Twitter", "instagram": "Instagram", "facebook": "Facebook", "youtube": "YouTube"}
STATUS_COLOURS = {
    "account": "#009E73",
    "none_available": "#E69F00",
    "dash": "#F0E442",
    "empty_cell": "#BBBBBB",
    "cell_not_printed": "#FFFFFF",
}


@dataclass(frozen=True)
class Chart:
    """One chart in one language."""

    name: str
    lang: str
    alt: str
    data_url: str
    width: int
    height: int
    # What the caption states about this chart's figures (their date, how many are shown): filled
    # into the {{ placeholders }} of its caption in docs/i18n/strings.yml. Counts are ints, written
    # in each page's language by the docs step.
    facts: dict[str, str | int] = field(default_factory=dict)


def file_name(name: str, lang: str) -> str:
    """<name>.svg in English, the address published since the first release; <name>.<lang>.svg
    otherwise, which the i18n plugin (suffix structure) serves as <lang>/assets/charts/<name>.svg."""
    return f"{name}.svg" if lang == "en" else f"{name}.{lang}.svg"


class ChartTextError(LookupError):
    """docs/i18n/charts.yml lacks a text a chart needs, or a text names a value the chart lacks."""


@dataclass(frozen=True)
class Texts:
    """docs/i18n/charts.yml (see its header): every word of the charts, in each language."""

    entries: dict

    @classmethod
    def load(cls, path: Path = TEXTS) -> Texts:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def raw(self, key: str, lang: str) -> str | list[str]:
        """The entry at a dotted key ("audience.title") in one language, as written."""
        node: object = self.entries
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        text = node.get(lang) if isinstance(node, dict) else None
        if text is None:
            raise ChartTextError(f"docs/i18n/charts.yml: no {lang!r} text for {key}")
        return text

    def __call__(self, key: str, lang: str, **values: object) -> str:
        """The text at key in lang with its {{ placeholders }} filled in from values."""
        return fill(self.raw(key, lang), values, key)

    def name(self, actor_id: str, dataset_name: str, lang: str) -> str:
        """An actor as the language's pages name it: the dataset's name in English (actors.name),
        the spelling charts.yml's `names` gives (one of the actor's aliases) in Turkish and Russian."""
        return dataset_name if lang == "en" else self(f"names.{actor_id}", lang)

    def event(self, event_id: str, title: str, lang: str) -> str:
        """An event's title: the data's in English, charts.yml's `events` translation otherwise."""
        return title if lang == "en" else self(f"events.{event_id}", lang)


def fill(text: str, values: dict, key: str) -> str:
    def replace(match: re.Match) -> str:
        if match.group(1) not in values:
            raise ChartTextError(f"docs/i18n/charts.yml: {key} names {{{{ {match.group(1)} }}}}, which the chart lacks")
        return str(values[match.group(1)])

    return PLACEHOLDER.sub(replace, text)


def number(value: float, lang: str) -> str:
    """A figure as the language writes it (1,061 / 1.061 / 1 061): the docs' own rule,
    ots_data.docs.number, imported when called because ots_data.docs imports this module."""
    from ots_data.docs import number as site_number

    return site_number(value, lang)


def compact(value: float, lang: str, texts: Texts) -> str:
    """A count in few characters, for an axis or a text alternative: 98 and 4,279 / 4.279 / 4 279
    in full (below ten thousand, unless a round number of thousands); 1K / 1 bin / 1 тыс.; 9.4M /
    9,4 mn / 9,4 млн, with the decimals the value needs, at most three."""
    for unit, key in ((1_000_000, "numbers.million"), (1_000, "numbers.thousand")):
        if abs(value) >= max(unit, 10_000) or (abs(value) >= unit and value % unit == 0):
            scaled = value / unit
            decimals = next(d for d in range(4) if d == 3 or round(scaled, d) == round(scaled, 3))
            return texts(key, lang, n=number(round(scaled, decimals), lang))
    return number(value, lang)


def percent(value: float, lang: str) -> str:
    """A change in percent as the language writes it (-12.5%, -%12,5, -12,5 %), from Babel's CLDR
    data like number(); the database rounds it to two decimals, which Decimal keeps exact."""
    return format_percent(Decimal(str(value)) / 100, locale=lang, decimal_quantization=False)


def event_date(start: str, end: str | None, precision: str, printed: str, lang: str, texts: Texts) -> str:
    """An event's date in a Turkish or Russian chart, written from the data at the precision the
    article prints it (1960'lar, 1984, Kasım 2021, 12 Kasım 2021, 27 Eylül – 10 Kasım 2021), and
    without a year where the article prints none ("October 22-24"). English charts write the
    date as printed."""
    if precision == "decade":
        year = int(start[:4])
        pattern = texts.raw("timeline.dates.decade", lang)
        if isinstance(pattern, list):  # Turkish: the suffix follows the tens digit
            pattern = pattern[year // 10 % 10]
        return fill(pattern, {"year": year}, "timeline.dates.decade")
    key = {"year": "year", "month": "month", "day": "day" if re.search(r"\d{4}", printed) else "day_without_year"}[
        precision
    ]

    def written(value: str, key: str) -> str:
        day = date.fromisoformat((value + "-01-01")[:10])  # 2021 and 2021-10 as their first day
        return format_date(day, texts(f"timeline.dates.{key}", lang), locale=lang)

    if not end or end == start:
        return written(start, key)
    first = key
    if precision == "day" and start[:4] == end[:4]:  # the year once, after the range
        first = "day_in_month_range" if start[:7] == end[:7] else "day_in_range"
    return texts("timeline.dates.range", lang, start=written(start, first), end=written(end, key))


def short(text: str, limit: int) -> str:
    """Keep chart labels short enough for the chart to stay readable at page width; the full text
    is in the data behind each chart."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sql_url(sql: str) -> str:
    return "/ots.csv?sql=" + quote(" ".join(sql.split()), safe="") + "&_size=max"


def save(fig: plt.Figure, path: Path, title: str, description: str, lang: str) -> tuple[int, int]:
    fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(fig)
    svg = path.read_text(encoding="utf-8")
    width, height = (
        round(float(v)) for v in re.search(r'<svg[^>]*width="([0-9.]+)pt"[^>]*height="([0-9.]+)pt"', svg).groups()
    )
    # The root names the language of every text in the file (lang for HTML parsers and SVG 2,
    # xml:lang for SVG 1.1), so a screen reader reads a Russian chart in Russian.
    accessible = (
        f'<svg lang="{lang}" xml:lang="{lang}" role="img" aria-labelledby="chart-title chart-desc"',
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
  a.account_id, ac.actor_id
from follower_counts c join accounts a using (account_id) join actors ac on ac.actor_id = a.actor_id
where c.count_id in (select min(f.count_id) from {PRINTED_COUNTS} where f.count is not null
                     group by f.account_id, f.metric)
order by c.count, c.count_id"""


def audience(db: sqlite3.Connection, folder: Path, texts: Texts) -> dict[str, Chart]:
    rows = db.execute(AUDIENCE_SQL).fetchall()
    (figures,) = db.execute(f"select count(*) from {PRINTED_COUNTS} where f.count is not null").fetchone()
    observed_on = dates({r[5] for r in rows})
    cited = sources(db, {r[6] for r in rows})

    def named(which: str, row: tuple, lang: str) -> dict[str, str]:
        """The largest or smallest bar, for the text alternative: the figure as printed, and as
        the language writes the count read from it."""
        return {
            f"{which}_name": texts.name(row[9], row[0], lang),
            f"{which}_handle": row[2],
            f"{which}_platform": PLATFORM_LABELS[row[1]],
            f"{which}_printed": row[4],
            f"{which}_value": compact(row[3], lang, texts),
        }

    def draw(lang: str) -> Chart:
        fig, ax = plt.subplots(figsize=(6, 0.22 * len(rows) + 1.2))
        labels = [f"{short(texts.name(row[9], row[0], lang), 30)} · {short(row[2], 24)}" for row in rows]
        ax.barh(range(len(rows)), [r[3] for r in rows], color=[PLATFORM_COLOURS[r[1]] for r in rows])
        for i, row in enumerate(rows):  # each bar's figure as the article prints it, in every language
            ax.text(row[3] * 1.08, i, row[4], va="center", fontsize=8)
        ax.set_yticks(range(len(rows)), labels, fontsize=8)
        ax.set_xscale("log")
        ax.set_xlim(left=50)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: compact(value, lang, texts)))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(texts("audience.axis", lang, observed_on=observed_on))
        handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in PLATFORM_COLOURS.values()]
        ax.legend(handles, PLATFORM_LABELS.values(), loc="lower right", frameon=False)
        alt = texts(
            "audience.alt",
            lang,
            figures=number(figures, lang),
            observed_on=observed_on,
            sources=cited,
            accounts=number(len(rows), lang),
            twice=texts("audience.twice", lang) if figures > len(rows) else "",
            **named("largest", rows[-1], lang),
            **named("smallest", rows[0], lang),
        )
        width, height = save(fig, folder / file_name("audience", lang), texts("audience.title", lang), alt, lang)
        return Chart("audience", lang, alt, sql_url(AUDIENCE_SQL), width, height, {"observed_on": observed_on})

    return {lang: draw(lang) for lang in LANGUAGES}


# The organisation's own rows have no state: their group is 'OTS', written in each language as
# charts.yml's `ots` (TDT, ОТГ).
PRESENCE_SQL = """
select l.listing_id, l.table_number, l.row_number, coalesce(ac.state_code, 'OTS') as state, ac.name, p.platform,
  coalesce((select 'account' from follower_counts c join accounts a using (account_id)
            where c.listing_id = l.listing_id and a.platform = p.platform limit 1),
           (select absence_kind from absences b
            where b.listing_id = l.listing_id and b.platform = p.platform)) as status,
  ac.actor_id
from actor_listings l join actors ac using (actor_id)
cross join (select 'twitter' as platform union all select 'instagram' union all select 'facebook'
            union all select 'youtube') p
order by state, l.table_number, l.row_number"""


def presence(db: sqlite3.Connection, folder: Path, texts: Texts) -> dict[str, Chart]:
    rows = db.execute(PRESENCE_SQL).fetchall()
    listings = list(dict.fromkeys((r[0], r[3], r[4], r[1], r[7]) for r in rows))
    platforms = list(PLATFORM_LABELS)
    status = {(r[0], r[5]): r[6] for r in rows}
    counts = {k: sum(1 for v in status.values() if v == k) for k in STATUS_COLOURS}

    def row_label(state: str, name: str, table: int, actor: str, lang: str) -> str:
        group = texts("ots", lang) if state == "OTS" else state
        return texts("presence.row", lang, state=group, name=short(texts.name(actor, name, lang), 36), table=table)

    def draw(lang: str) -> Chart:
        fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(listings) + 1.4))
        for y, (listing, *_) in enumerate(listings):
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
            [row_label(state, name, table, actor, lang) for _, state, name, table, actor in listings],
            fontsize=8,
        )
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        handles = [
            plt.Rectangle((0, 0), 1, 1, facecolor=c, edgecolor="#555555", linewidth=0.5)
            for c in STATUS_COLOURS.values()
        ]
        ax.legend(
            handles,
            [texts(f"presence.status.{kind}", lang) for kind in STATUS_COLOURS],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.01),
            ncol=3,
            frameon=False,
            fontsize=8,
        )
        alt = texts(
            "presence.alt", lang, rows=number(len(listings), lang), **{k: number(n, lang) for k, n in counts.items()}
        )
        width, height = save(fig, folder / file_name("presence", lang), texts("presence.title", lang), alt, lang)
        return Chart("presence", lang, alt, sql_url(PRESENCE_SQL), width, height)

    return {lang: draw(lang) for lang in LANGUAGES}


COMMITMENTS_SQL = (
    "select domain, attribution, count(*) as n from commitments group by domain, attribution "
    "order by domain, attribution"
)


def commitments(db: sqlite3.Connection, folder: Path, texts: Texts) -> dict[str, Chart]:
    rows = db.execute(COMMITMENTS_SQL).fetchall()
    domains = sorted({r[0] for r in rows})
    kinds = ["named_in_sentence", "paragraph_citation", "author_recommendation"]
    colours = {"named_in_sentence": "#0072B2", "paragraph_citation": "#56B4E9", "author_recommendation": "#E69F00"}
    n = {(r[0], r[1]): r[2] for r in rows}

    def draw(lang: str) -> Chart:
        fig, ax = plt.subplots(figsize=(8, 3))
        left = [0] * len(domains)
        for kind in kinds:
            values = [n.get((d, kind), 0) for d in domains]
            label = texts(f"commitments.kind.{kind}", lang)
            ax.barh(range(len(domains)), values, left=left, color=colours[kind], label=label)
            left = [a + b for a, b in zip(left, values, strict=True)]
        for i, total in enumerate(left):
            ax.text(total + 0.3, i, number(total, lang), va="center")
        domain = {d: texts(f"commitments.domain.{d}", lang) for d in domains}
        ax.set_yticks(range(len(domains)), list(domain.values()))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # commitments are counted whole
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: number(value, lang)))
        ax.set_xlabel(texts("commitments.axis", lang))
        ax.legend(frameon=False, fontsize=8, loc="lower right")
        totals = "; ".join(
            texts("commitments.total", lang, domain=domain[d], n=number(t, lang))
            for d, t in zip(domains, left, strict=True)
        )
        alt = texts("commitments.alt", lang, totals=totals)
        title = texts("commitments.title", lang)
        width, height = save(fig, folder / file_name("commitments", lang), title, alt, lang)
        return Chart("commitments", lang, alt, sql_url(COMMITMENTS_SQL), width, height)

    return {lang: draw(lang) for lang in LANGUAGES}


TIMELINE_SQL = (
    "select start_date, date_as_printed, title, erratum_id, event_id, end_date, date_precision from events"
    " order by start_date, event_id"
)


def timeline(db: sqlite3.Connection, folder: Path, texts: Texts) -> dict[str, Chart]:
    rows = db.execute(TIMELINE_SQL).fetchall()
    wrong = sum(1 for r in rows if r[3])

    def year(value: str) -> float:
        parts = [int(p) for p in value.split("-")]
        return (
            parts[0] + ((parts[1] - 1) / 12 if len(parts) > 1 else 0) + ((parts[2] - 1) / 365 if len(parts) > 2 else 0)
        )

    def when(row: tuple, lang: str) -> str:
        start, printed, _, _, _, end, precision = row
        return printed if lang == "en" else event_date(start, end, precision, printed, lang, texts)

    def draw(lang: str) -> Chart:
        fig, ax = plt.subplots(figsize=(6, 0.26 * len(rows) + 1))
        for i, row in enumerate(rows):
            start, _, title, erratum, event_id, *_ = row
            wrong_date = erratum is not None
            ax.plot(
                year(start),
                i,
                marker="X" if wrong_date else "o",
                color="#D55E00" if wrong_date else "#0072B2",
                markersize=6,
            )
            ax.text(
                year(start) + 0.4,
                i,
                f"{when(row, lang)}: {short(texts.event(event_id, title, lang), 60)}"
                + (texts("timeline.wrong", lang) if wrong_date else ""),
                va="center",
                fontsize=8,
            )
        ax.set_ylim(len(rows), -1)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        first, last = year(rows[0][0]), year(rows[-1][0])
        ax.set_xlim(first - 1, last + 2)  # labels run past the axis; the SVG box grows to fit them
        ax.set_xlabel(texts("timeline.axis", lang))
        alt = texts(
            "timeline.alt",
            lang,
            events=number(len(rows), lang),
            first=when(rows[0], lang),
            last=when(rows[-1], lang),
            wrong=number(wrong, lang),
        )
        width, height = save(fig, folder / file_name("timeline", lang), texts("timeline.title", lang), alt, lang)
        return Chart("timeline", lang, alt, sql_url(TIMELINE_SQL), width, height)

    return {lang: draw(lang) for lang in LANGUAGES}


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
  f.source_id, a.account_id, ac.actor_id
{CHANGE_FROM}
order by abs(c.change_percent) desc, c.account_id, c.metric limit {CHANGE_LIMIT}"""
CHANGE_SUMMARY_SQL = f"""
select count(*), total(c.change_percent > 0), total(c.change_percent < 0), min(c.previous_on), max(c.previous_on)
{CHANGE_FROM}"""


def change(db: sqlite3.Connection, folder: Path, texts: Texts) -> dict[str, Chart] | None:
    """Change since the previous observation of each account observed in the latest round, once
    there is more than one round: the CHANGE_LIMIT largest changes, counted in SQL, not in memory
    (once, for every language)."""
    rows = sorted(db.execute(CHANGE_SQL).fetchall(), key=lambda r: (r[5], r[0]))
    if not rows:
        return None
    total, rising, falling, first_previous, last_previous = db.execute(CHANGE_SUMMARY_SQL).fetchone()
    observed_on, previous_on = rows[0][4], dates({first_previous, last_previous})
    several = first_previous != last_previous  # then each bar says which observation it is compared with
    cited = sources(db, {r[8] for r in rows})
    # Counts stay numbers: the docs write them as each page's language does (docs.number).
    facts = {"observed_on": observed_on, "previous_on": previous_on, "shown": len(rows), "total": total}

    def draw(lang: str) -> Chart:
        fig, ax = plt.subplots(figsize=(9, 0.24 * len(rows) + 1.2))
        ax.barh(range(len(rows)), [r[5] for r in rows], color=[PLATFORM_COLOURS[r[1]] for r in rows])
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_yticks(
            range(len(rows)),
            [
                f"{short(texts.name(r[10], r[2], lang), 30)} · {short(r[0], 24)}"
                + (texts("change.since", lang, date=r[3]) if several else "")
                for r in rows
            ],
            fontsize=8,
        )
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: number(value, lang)))
        if total > len(rows):
            shown = texts("change.shown_some", lang, shown=number(len(rows), lang), total=number(total, lang))
        else:
            shown = texts("change.shown_all", lang, total=number(total, lang))
        since = texts("change.since_each", lang) if several else previous_on
        ax.set_xlabel(texts("change.axis", lang, since=since, observed_on=observed_on, shown=shown))
        low, high = rows[0], rows[-1]
        alt = texts(
            "change.alt",
            lang,
            previous_on=previous_on,
            observed_on=observed_on,
            sources=cited,
            shown=shown,
            rising=number(int(rising), lang),
            falling=number(int(falling), lang),
            low=percent(low[5], lang),
            low_name=texts.name(low[10], low[2], lang),
            low_handle=low[0],
            high=percent(high[5], lang),
            high_name=texts.name(high[10], high[2], lang),
            high_handle=high[0],
        )
        width, height = save(fig, folder / file_name("change", lang), texts("change.title", lang), alt, lang)
        return Chart("change", lang, alt, sql_url(CHANGE_SQL), width, height, facts)

    return {lang: draw(lang) for lang in LANGUAGES}


def make_all(db: sqlite3.Connection, folder: Path, texts: Texts) -> dict[str, list[Chart]]:
    """Every chart in every language: {language: its charts, in the order of the page}."""
    folder.mkdir(parents=True, exist_ok=True)
    made = [
        audience(db, folder, texts),
        presence(db, folder, texts),
        commitments(db, folder, texts),
        timeline(db, folder, texts),
        change(db, folder, texts),
    ]
    return {lang: [chart[lang] for chart in made if chart] for lang in LANGUAGES}
