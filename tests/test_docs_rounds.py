"""The docs step with the real data plus two synthetic rounds of observations (made inside the
test, never published): every chart draws each account once, its data says which observation each
figure is, its text states the date, and the generated pages still describe the article's figures.
"""

from __future__ import annotations

import html
import re
import sqlite3
from collections import Counter

import pytest
from babel.numbers import format_decimal
from conftest import copy_project, show
from support import ROUND_ON, add_round, append_rows

from ots_data import charts, docs
from ots_data.build import build

ARTICLE_ON = "2022-06-22"
SECOND_ON = "2024-06-22"
SECOND_SOURCE = "round-2024-06-22"
# account_id -> count of the second round: the four accounts of the first round, and one account
# the first round did not observe (its previous figure is the article's).
SECOND = {
    "twitter-rterdogan": 21_000_000,  # larger than any printed figure: must not become "the largest printed"
    "instagram-mfa-kz": 9_000,
    "twitter-sadyrjaparov": 2_000,
    "instagram-aoka-uz": 4_500,
    "twitter-azpresident": 1_000_000,
}


def add_second_round(project, first_round_rows):
    template = first_round_rows[0]
    append_rows(
        project / "data/sources.csv",
        [
            {
                "source_id": SECOND_SOURCE,
                "source_type": "observation_round",
                "title": "Second synthetic test round",
                "citation": "Second synthetic test round (2024).",
                "collected_by": "the test suite",
                "collection_method": "made up inside a test",
            }
        ],
    )
    append_rows(
        project / "data/follower_counts.csv",
        [
            template
            | {
                "count_id": f"{SECOND_SOURCE}-{account}",
                "account_id": account,
                "observed_on": SECOND_ON,
                "count": str(count),
                "count_as_printed": f"{count:,}",
                "count_precision": "1",
                "is_rounded": "false",
                "parse_rule": "thousands_comma",
                "source_id": SECOND_SOURCE,
            }
            for account, count in SECOND.items()
        ],
    )
    append_rows(
        project / "data/absences.csv",
        [
            {
                "absence_id": f"{SECOND_SOURCE}-viktor-orban-twitter",
                "actor_id": "viktor-orban",
                "platform": "twitter",
                "observed_on": SECOND_ON,
                "absence_kind": "not_found",
                "is_column_inferred": "false",
                "source_id": SECOND_SOURCE,
                "source_locator": "searched the platform",
            }
        ],
    )


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    """(database, generated docs folder) of the real data plus two rounds."""
    project = copy_project(tmp_path_factory.mktemp("two-rounds"))
    add_second_round(project, add_round(project))
    db = project / "ots.db"
    build(project, db)
    out = project / "docs"
    docs.generate(db, out)
    return db, out


def query(db, sql):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def svg(out, name):
    """(the texts drawn in the chart, its <desc>) of docs/assets/charts/<name>.svg."""
    return svg_file(out / "assets/charts" / f"{name}.svg")


def svg_file(path):
    text = path.read_text(encoding="utf-8")
    drawn = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", text)]
    desc = html.unescape(re.search(r"<desc[^>]*>(.*?)</desc>", text, re.S).group(1))
    return drawn, desc


def repeated(rows, key):
    counts = Counter(r[key] for r in rows)
    return [r for r in rows if counts[r[key]] > 1]


def label(row):
    return f"{charts.short(row['name'], 30)} · {charts.short(row['handle'], 24)}"


def labels_drawn_wrongly(rows, drawn):
    """Each bar's label must be drawn as often as the chart has accounts with that label (two
    accounts of one person with one handle on two platforms share a label)."""
    expected = Counter(label(r) for r in rows)
    found = Counter(t for t in drawn if t in expected)
    return [(text, f"drawn {found[text]} times, accounts {n}") for text, n in expected.items() if found[text] != n]


@pytest.mark.slow  # a build and the docs step (every chart drawn): about 5 seconds
def test_audience_chart_draws_each_account_once_from_the_article(rounds):
    db, out = rounds
    rows = query(db, charts.AUDIENCE_SQL)
    assert not repeated(rows, "account_id"), show(repeated(rows, "account_id"))
    not_printed = [r for r in rows if (r["observed_on"], r["source_id"]) != (ARTICLE_ON, "altun-2023")]
    assert not not_printed, show(not_printed)
    drawn, desc = svg(out, "audience")
    wrong = labels_drawn_wrongly(rows, drawn)
    assert not wrong, show(wrong)
    round_values = {f"{n:,}" for n in SECOND.values()} | {"20M", "9,855", "1,838", "4,100"}
    assert not round_values & set(drawn), show(sorted(round_values & set(drawn)))
    assert f"print them for {ARTICLE_ON}" in desc and f"one bar per account, {len(rows)} accounts" in desc, desc
    assert any(ARTICLE_ON in t for t in drawn), show(drawn)  # the axis names the date
    for lang in ("", ".tr", ".ru"):
        page = (out / f"charts{lang}.md").read_text(encoding="utf-8")
        caption = re.search(r'audience\.svg".*?<figcaption>(.*?)<a ', page, re.S).group(1)
        assert ARTICLE_ON in caption, f"charts{lang}.md: {caption}"


@pytest.mark.slow
def test_change_chart_draws_each_account_of_the_latest_round_once_and_names_the_dates(rounds):
    db, out = rounds
    rows = query(db, charts.CHANGE_SQL)
    assert not repeated(rows, "account_id"), show(repeated(rows, "account_id"))
    assert {r["account_id"] for r in rows} == set(SECOND), show(rows)
    wrong_round = [r for r in rows if (r["observed_on"], r["source_id"]) != (SECOND_ON, SECOND_SOURCE)]
    assert not wrong_round, show(wrong_round)
    previous = {r["account_id"]: r["previous_on"] for r in rows}
    expected = {a: ARTICLE_ON if a == "twitter-azpresident" else ROUND_ON for a in SECOND}
    assert previous == expected, show(sorted(set(previous.items()) ^ set(expected.items())))
    drawn, desc = svg(out, "change")
    # the previous observations differ (the article's, the first round's), so each bar says which
    labelled = [(r, f"{label(r)} (since {r['previous_on']})") for r in rows]
    missing = [(r["account_id"], text) for r, text in labelled if drawn.count(text) != 1]
    assert not missing, show(missing + [("drawn:", drawn)])
    assert f"({ARTICLE_ON} – {ROUND_ON}) and {SECOND_ON}" in desc and f"all {len(SECOND)} accounts" in desc, desc
    for lang in ("", ".tr", ".ru"):
        page = (out / f"charts{lang}.md").read_text(encoding="utf-8")
        caption = re.search(r'change\.svg".*?<figcaption>(.*?)<a ', page, re.S).group(1)
        stated = [SECOND_ON, f"{ARTICLE_ON} – {ROUND_ON}", str(len(SECOND))]
        assert all(s in caption for s in stated), f"charts{lang}.md: {caption}"


def percent_as_written(value, lang):
    """A change in percent as Turkish (-%12,5) and Russian (-12,5 %, a no-break space) write it."""
    if lang == "tr":
        return ("-" if value < 0 else "") + "%" + format_decimal(abs(value), locale="tr")
    return format_decimal(value, locale="ru") + "\u00a0%"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["tr", "ru"])
def test_change_chart_in_turkish_and_russian_dates_each_bar_and_writes_percents_as_the_language_does(rounds, lang):
    db, out = rounds
    rows = sorted(query(db, charts.CHANGE_SQL), key=lambda r: r["change_percent"])
    drawn, desc = svg_file(out / "assets/charts" / f"change.{lang}.svg")
    dated = [t for t in drawn if any(r["previous_on"] in t for r in rows)]
    assert len(dated) == len(rows), show(drawn)  # each bar, and only the bars, name the previous date
    if lang == "ru":
        assert all(re.search("[а-яё]", t, re.I) for t in dated), show(dated)
    ends = [percent_as_written(rows[0]["change_percent"], lang), percent_as_written(rows[-1]["change_percent"], lang)]
    assert all(end in desc for end in ends) and SECOND_ON in desc, (ends, desc)


@pytest.mark.slow
def test_change_chart_draws_only_the_largest_changes_and_says_so(rounds, tmp_path, monkeypatch):
    """At most CHANGE_LIMIT bars, whatever the number of accounts; here a limit of 3 of 5."""
    db, _ = rounds
    assert f"limit {charts.CHANGE_LIMIT}" in charts.CHANGE_SQL
    monkeypatch.setattr(charts, "CHANGE_SQL", charts.CHANGE_SQL.replace(f"limit {charts.CHANGE_LIMIT}", "limit 3"))
    every = query(db, charts.CHANGE_SQL.replace("limit 3", ""))
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    chart = charts.change(conn, tmp_path, charts.Texts.load())["en"]
    conn.close()
    drawn, desc = svg_file(tmp_path / "change.svg")
    largest = sorted(every, key=lambda r: -abs(r["change_percent"]))[:3]
    bars = [t for t in drawn if "(since " in t]
    expected = sorted(f"{label(r)} (since {r['previous_on']})" for r in largest)
    assert sorted(bars) == expected, show(sorted(set(bars) ^ set(expected)))
    assert chart.facts["shown"] == 3 and chart.facts["total"] == len(SECOND), chart.facts
    assert f"the 3 largest changes, up or down, of the {len(SECOND)} accounts" in desc, desc


@pytest.mark.slow
def test_presence_chart_and_home_page_figures_stay_the_articles(rounds, fresh_db):
    db, out = rounds
    with_rounds, article = query(db, charts.PRESENCE_SQL), query(fresh_db, charts.PRESENCE_SQL)
    changed = [(a, b) for a, b in zip(article, with_rounds, strict=False) if a != b]
    assert len(with_rounds) == len(article) and not changed, show(changed)
    version = docs.load_descriptor(docs.ROOT / "datapackage.yaml")["version"]
    values, expected = ({}, {})
    for path, into in ((db, values), (fresh_db, expected)):
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        into.update(docs.stats(conn, version))
        conn.close()
    differ = [(k, values[k], expected[k]) for k in expected if k != "last_observed_on" and values[k] != expected[k]]
    assert not differ, show(differ)
    assert values["last_observed_on"] == SECOND_ON
    home = (out / "index.md").read_text(encoding="utf-8")
    assert f'"temporalCoverage": "{ARTICLE_ON}/{SECOND_ON}"' in home
