"""What several test modules share: the synthetic round of observations, the article's text,
the count parser's worked examples and Debian's Chromium. Tests import these from here, never from
another test module."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

# ------------------------------------------------------------------ a synthetic round of counts

ROUND_ON = "2023-06-22"
# account_id -> (count_as_printed, count, precision, rule) of the synthetic round
ROUND = {
    "twitter-rterdogan": ("20M", 20_000_000, 1_000_000, "suffix_decimal_point"),  # 19M before: +5.26%
    "instagram-mfa-kz": ("9,855", 9_855, 1, "thousands_comma"),  # 8,855 before: +11.29%
    "twitter-sadyrjaparov": ("1,838", 1_838, 1, "thousands_comma"),  # 919 before: +100%
    "instagram-aoka-uz": ("4,100", 4_100, 1, "thousands_comma"),  # 4,279 (read) before: -4.18%
}


def append_rows(path, rows):
    with open(path, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    out = io.StringIO()
    csv.DictWriter(out, fieldnames=header, lineterminator="\n").writerows(
        {c: r.get(c, "") for c in header} for r in rows
    )
    with open(path, "a", encoding="utf-8", newline="") as handle:
        handle.write(out.getvalue())


def round_row(account: str, printed: str, count: str, precision: str, rounded: str, rule: str) -> dict:
    """A follower_counts row of the synthetic round, as the round template writes one."""
    return {
        "count_id": f"round-2023-06-22-{account}",
        "account_id": account,
        "observed_on": ROUND_ON,
        "metric": "followers",
        "count": count,
        "count_as_printed": printed,
        "count_precision": precision,
        "is_rounded": rounded,
        "parse_rule": rule,
        "is_ambiguous": "false",
        "is_column_inferred": "false",
        "is_account_inferred": "false",
        "source_id": "round-2023-06-22",
        "source_locator": "profile page",
    }


def add_round(project, extra_counts=(), extra_absences=()):
    append_rows(
        project / "data/sources.csv",
        [
            {
                "source_id": "round-2023-06-22",
                "source_type": "observation_round",
                "title": "Synthetic test round",
                "citation": "Synthetic test round (2023).",
                "collected_by": "the test suite",
                "collection_method": "made up inside a test",
            }
        ],
    )
    rows = [
        round_row(account, printed, str(count), str(precision), "true" if precision > 1 else "false", rule)
        for account, (printed, count, precision, rule) in ROUND.items()
    ]
    append_rows(project / "data/follower_counts.csv", rows + list(extra_counts))
    append_rows(
        project / "data/absences.csv",
        [
            {
                "absence_id": "round-2023-06-22-viktor-orban-twitter",
                "actor_id": "viktor-orban",
                "platform": "twitter",
                "observed_on": ROUND_ON,
                "as_printed": "",
                "absence_kind": "not_found",
                "is_column_inferred": "false",
                "source_id": "round-2023-06-22",
                "source_locator": "searched the platform",
            }
        ]
        + list(extra_absences),
    )
    return rows


# ------------------------------------------------------------------ the article's text

ARTICLE = Path(os.environ.get("ARTICLE_TEXT", ROOT.parent / "shared/sources/altun-2023-bilig-106.txt"))


def from_the_article(rows: dict, table: str) -> list[dict]:
    """The rows whose text is the article's: not those of a later round of observations, whose
    printed figures are read from the platforms."""
    rounds = {r["source_id"] for r in rows["sources"] if r["source_type"] == "observation_round"}
    return [r for r in rows[table] if r.get("source_id") not in rounds]


# ------------------------------------------------------------------ the count parser's examples

# Expected values worked out by hand from the rules in the module docstring.
EXAMPLES = [
    ("919", 919, 1, "plain_integer"),
    ("98", 98, 1, "plain_integer"),
    ("8,855", 8855, 1, "thousands_comma"),
    ("1,234,567", 1234567, 1, "thousands_comma"),
    ("19M", 19_000_000, 1_000_000, "suffix_decimal_point"),
    ("10.1M", 10_100_000, 100_000, "suffix_decimal_point"),
    ("297.5K", 297_500, 100, "suffix_decimal_point"),
    ("32.05K", 32_050, 10, "suffix_decimal_point"),
    ("5.59K", 5_590, 10, "suffix_decimal_point"),
    ("225K", 225_000, 1_000, "suffix_decimal_point"),
    ("4,6K", 4_600, 100, "suffix_decimal_comma"),
    ("30,3K", 30_300, 100, "suffix_decimal_comma"),
]


# ------------------------------------------------------------------ Debian's Chromium

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
# Flags from this machine's notes: no sandbox as root, no background network (the network is closed).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# axe rules that upstream templates still break, each with the reason it is not ours to fix.
ALLOWED = {
    # Datasette 0.65's table.html renders the filter's value <input class="filter-value"> with no
    # label (upstream template; overriding the whole table template for it would fork it).
    ("datasette", "label"),
    # The same template's filter <select name="_filter_column"> and <select name="_filter_op">
    # have no label either (upstream; a known Datasette 0.65 gap).
    ("datasette", "select-name"),
}


# The marks of a module whose tests drive Chromium against `make serve` (the live_server fixture).
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.server,
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK), reason=f"no Chromium at {CHROMIUM}: run `make browser` (make test does)"
    ),
]


# ------------------------------------------------------------------ translations

GLOSSARY = yaml.safe_load((ROOT / "docs" / "i18n" / "glossary.yml").read_text(encoding="utf-8"))


def forbidden_uses(text: str, lang: str) -> list[tuple[str, str]]:
    """(term, the forbidden rendering found) for each rendering docs/i18n/glossary.yml forbids
    in this language that the text uses."""
    return [
        (name, match.group(0))
        for name, term in GLOSSARY["terms"].items()
        for pattern in (term.get("forbidden") or {}).get(lang, [])
        for match in re.finditer(pattern, text, re.I)
    ]


# ------------------------------------------------------------------ the front page

# The data entry points of the front page (/, /tr/, /ru/), in reading order: written here, not
# taken from landing_page.py, so that a page that drops or reorders one fails.
DATA_ENTRY_POINTS = [
    "/ots/article_table_1",
    "/ots/article_table_2",
    "/ots/article_table_3",
    "/ots/latest_counts?_sort_desc=count",
    "/ots/flagged_values",
    "/ots/errata_with_evidence",
    "/ots/commitments",
    "/ots/survey_figures",
    "/ots/timeline",
]


# ------------------------------------------------------------------ axe-core in Chromium


def axe_violations(page: object, kind: str, tags: list[str], context: dict | None = None) -> tuple[list, dict]:
    """axe-core's violations on an open page (id, impact, first targets), less the commented
    ALLOWED list for this kind of page ("datasette" or "docs"), and axe's whole answer."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": tags}}
    results = Axe().run(page, context=context, options=options) if context else Axe().run(page, options=options)
    violations = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if (kind, v["id"]) not in ALLOWED
    ]
    return violations, results.response
