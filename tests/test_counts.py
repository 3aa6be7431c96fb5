"""The count parser reads each printed style as documented and refuses everything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import EXAMPLES

from ots_data.counts import CountParseError, parse_count


@pytest.mark.parametrize("printed,count,precision,rule", EXAMPLES)
def test_documented_examples_parse_as_documented(printed, count, precision, rule):
    parsed = parse_count(printed)
    assert (parsed.count, parsed.precision, parsed.rule) == (count, precision, rule), printed


@pytest.mark.parametrize("printed", ["13BK", "14.2.6K", "25BK", "10,3", "4,279K", "", "1.2345K", "-5", "12 K", "١٢"])
def test_garbled_or_ambiguous_figures_are_refused(printed):
    with pytest.raises(CountParseError):
        parse_count(printed)


def test_rounded_means_precision_above_one():
    assert parse_count("1.2M").is_rounded and not parse_count("919").is_rounded


@given(st.text(max_size=12))
def test_any_text_parses_or_raises_the_documented_error(text):
    try:
        parsed = parse_count(text)
    except CountParseError:
        return
    assert parsed.count >= 0 and parsed.precision >= 1


@given(st.integers(min_value=0, max_value=10**12))
def test_plain_and_grouped_integers_round_trip(number):
    assert parse_count(str(number)).count == number
    assert parse_count(f"{number:,}").count == number


@given(st.integers(min_value=0, max_value=99_999), st.integers(min_value=0, max_value=3), st.sampled_from("KM"))
def test_suffixed_figures_scale_exactly(mantissa, decimals, suffix):
    digits = str(mantissa).rjust(decimals + 1, "0")
    printed = digits[: len(digits) - decimals] + ("." + digits[len(digits) - decimals :] if decimals else "") + suffix
    multiplier = {"K": 1_000, "M": 1_000_000}[suffix]
    parsed = parse_count(printed)
    assert parsed.count * 10**decimals == mantissa * multiplier
    assert parsed.precision * 10**decimals == multiplier
