"""The benchmark's synthetic rounds are shaped like real input (ots_data/synth.py): valid against
the schema and every rule, and written mostly the way platforms display counts, not the fast way."""

from __future__ import annotations

import pytest
from conftest import read_csv, show

from ots_data import synth
from ots_data.build import build
from ots_data.counts import parse_count


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "project"
    return out, synth.generate(out, accounts=200, days=5)


@pytest.mark.slow  # a build
def test_synthetic_rounds_pass_every_rule(project, tmp_path):
    build(project[0], tmp_path / "ots.db")  # raises ValidationFailed with the problems


def test_the_mix_is_mostly_rounded_displays_with_both_decimal_separators(project):
    mix = project[1]
    counts = sum(n for kind, n in mix.items() if kind != "absence")
    rounded = mix.get("suffix_decimal_point", 0) + mix.get("suffix_decimal_comma", 0)
    assert rounded > counts / 2 and mix.get("suffix_decimal_comma") and mix.get("absence"), mix
    assert mix.get("plain_integer") or mix.get("thousands_comma"), mix


def test_every_synthetic_figure_is_what_its_printed_form_reads_as(project):
    rows = [r for r in read_csv(project[0] / "data/follower_counts.csv") if r["source_id"] == synth.SOURCE]
    wrong = [
        r["count_id"]
        for r in rows
        if (lambda p: (p.rule, str(p.count), str(p.precision)))(parse_count(r["count_as_printed"]))
        != (r["parse_rule"], r["count"], r["count_precision"])
    ]
    assert rows and not wrong, show(wrong)


@pytest.mark.parametrize(
    "count,comma,two,printed",
    [
        (919, False, False, "919"),
        (8855, False, False, "8,855"),
        (8855, True, False, "8855"),
        (60_240, False, False, "60.2K"),
        (4_630, False, False, "4,630"),
        (395_400, False, False, "395K"),
        (21_340_000, False, False, "21.3M"),
        (21_340_000, True, False, "21,3M"),
        (32_050, False, True, "32.05K"),
        (10_000_000, False, False, "10M"),
    ],
)
def test_counts_are_displayed_as_platforms_display_them(count, comma, two, printed):
    assert synth.display(count, comma, two) == printed
