"""The build confirms most round figures in SQL (counts.sql_confirms) and leaves the rest to the one
parser (counts.parse_count): SQL must never confirm a row the parser would refuse, and it must
confirm every form platforms display, or the fast path would be a slow path in disguise."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import ROOT, copy_project, read_csv, show
from hypothesis import example, given, settings
from hypothesis import strategies as st
from support import EXAMPLES, ROUND, add_round, round_row

from ots_data.build import ValidationFailed, build
from ots_data.counts import CountParseError, parse_count, sql_confirms

DB = sqlite3.connect(":memory:")
CONFIRM = "SELECT ifnull(" + sql_confirms("?1", "?2", "?3", "?4") + ", 0)"


def confirmed_in_sql(printed: str, count: str, precision: str, rule: str) -> bool:
    return bool(DB.execute(CONFIRM, [printed, count, precision, rule]).fetchone()[0])


def confirmed_in_python(printed: str, count: str, precision: str, rule: str) -> bool:
    """What the project rule checks in Python (rules/counts.py) for a mechanical reading."""
    try:
        parsed = parse_count(printed)
    except CountParseError:
        return False
    return (parsed.rule, str(parsed.count), str(parsed.precision)) == (rule, count, precision)


def reading(printed: str) -> tuple[str, str, str, str]:
    parsed = parse_count(printed)
    return printed, str(parsed.count), str(parsed.precision), parsed.rule


@pytest.mark.parametrize("printed,count,precision,rule", EXAMPLES)
def test_sql_confirms_every_documented_form(printed, count, precision, rule):
    assert confirmed_in_sql(printed, str(count), str(precision), rule), printed


# How platforms (and the round template) display a count: exact below ten thousand, with or without
# a thousands comma; above, up to three decimals and K or M, with a decimal point or a decimal comma.
displays = st.one_of(
    st.integers(0, 10**12).map(str),
    st.integers(1000, 10**12).map(lambda n: f"{n:,}"),
    st.builds(
        lambda whole, decimals, suffix: f"{whole}{'.' + decimals if decimals else ''}{suffix}",
        st.integers(0, 999_999),
        st.one_of(st.just(""), st.from_regex(r"[0-9]{1,3}", fullmatch=True)),
        st.sampled_from("KM"),
    ),
    st.builds(
        lambda whole, decimals, suffix: f"{whole},{decimals}{suffix}",
        st.integers(0, 999_999),
        st.from_regex(r"[0-9]{1,2}", fullmatch=True),
        st.sampled_from("KM"),
    ),
)


@settings(max_examples=200)
@given(displays)
def test_sql_confirms_every_display_form_with_its_reading(printed):
    """Not just "never wrong": these must be confirmed in SQL, not sent to Python."""
    assert confirmed_in_sql(*reading(printed)), reading(printed)


def mutations(row: tuple[str, str, str, str]) -> list[tuple[str, str, str, str]]:
    """The row, and the same row with one part of its reading wrong, the way an editor might err."""
    printed, count, precision, rule = row
    other_rules = ["plain_integer", "thousands_comma", "suffix_decimal_point", "suffix_decimal_comma", "unresolved"]
    return [
        row,
        (printed, str(int(count) + 1), precision, rule),
        (printed, str(int(count) * 10), precision, rule),
        (printed, "0" + count, precision, rule),
        (printed, count, str(int(precision) * 10), rule),
        (printed, count, "0" + precision, rule),
        *[(printed, count, precision, other) for other in other_rules if other != rule],
    ]


@given(st.one_of(displays, st.text(alphabet="0123456789.,KMB -", max_size=12)), st.data())
@example("4,279K", None)
@example("0,123", None)
@example("007", None)
@example("1.2345678M", None)
def test_sql_never_confirms_a_row_the_parser_refuses(printed, data):
    try:
        rows = mutations(reading(printed))
    except CountParseError:  # not a figure the parser reads: any stored reading must go to Python
        rows = [(printed, "1000", "1", "plain_integer"), (printed, "4279000", "1000", "suffix_decimal_point")]
    wrong = [r for r in rows if confirmed_in_sql(*r) and not confirmed_in_python(*r)]
    assert not wrong, show(wrong)


def test_sql_confirms_no_row_of_the_data_that_python_would_not():
    rows = [
        (r["count_as_printed"], r["count"], r["count_precision"], r["parse_rule"])
        for r in read_csv(ROOT / "data/follower_counts.csv")
    ]
    wrong = [r for r in rows if confirmed_in_sql(*r) and not confirmed_in_python(*r)]
    assert not wrong, show(wrong)


@pytest.mark.slow  # a build each
@pytest.mark.parametrize(
    "row,column,rule",
    [
        (("21.3M", "21300001", "100000", "true", "suffix_decimal_point"), "count", "count-parse"),
        (("4,6K", "4600", "100", "false", "suffix_decimal_comma"), "is_rounded", "rounding"),
        (("395K", "395000", "1000", "true", "suffix_decimal_comma"), "count", "count-parse"),
        (("8,855", "8855", "10", "true", "thousands_comma"), "count", "count-parse"),
    ],
)
def test_a_round_figure_that_disagrees_with_its_printed_form_is_reported(tmp_path, row, column, rule):
    """The rows SQL does not confirm reach the parser and get its messages."""
    project = copy_project(tmp_path)
    account = next(
        r["account_id"]
        for r in read_csv(ROOT / "data/accounts.csv")
        if r["platform"] == "twitter" and r["account_id"] not in ROUND
    )
    add_round(project, extra_counts=[round_row(account, *row)])
    with pytest.raises(ValidationFailed) as failure:
        build(project, tmp_path / "ots.db")
    found = [(p.column, p.rule) for p in failure.value.problems]
    assert (column, rule) in found, show(failure.value.problems)
