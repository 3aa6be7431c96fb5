"""A new round of observations (synthetic, made inside the test; never published) flows through
validation, the database views, the canned queries and the docs charts."""

from __future__ import annotations

import csv
import sqlite3
import subprocess
import sys

import pytest
from conftest import ROOT, copy_project, datasette_fetcher, read_csv
from support import ROUND, ROUND_ON, add_round, append_rows

from ots_data.build import build


@pytest.fixture(scope="module")
def round_db(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("round"))
    add_round(project)
    db = project / "ots.db"
    build(project, db)
    return db


def test_latest_counts_take_the_new_round(round_db):
    conn = sqlite3.connect(round_db)
    latest = dict(
        conn.execute(
            f"select account_id, count from latest_counts where account_id in ({','.join('?' * len(ROUND))})",
            list(ROUND),
        )
    )
    assert latest == {a: v[1] for a, v in ROUND.items()}
    untouched = conn.execute(
        "select observed_on from latest_counts where account_id = 'twitter-azpresident'"
    ).fetchone()[0]
    assert untouched == "2022-06-22"


def test_changes_between_rounds_are_absolute_and_percent(round_db):
    conn = sqlite3.connect(round_db)
    changes = {a: (c, p) for a, c, p in conn.execute("select account_id, change, change_percent from count_changes")}
    assert changes == {
        "twitter-rterdogan": (1_000_000, 5.26),
        "instagram-mfa-kz": (1_000, 11.29),
        "twitter-sadyrjaparov": (919, 100.0),
        "instagram-aoka-uz": (-179, -4.18),
    }


def test_canned_query_compares_two_rounds(round_db):
    get = datasette_fetcher(round_db)
    rows = get("/ots/change_between_rounds.json", from_on="2022-06-22", to_on=ROUND_ON, _shape="array").json()
    assert {r["account_id"]: r["change_percent"] for r in rows} == {
        "twitter-rterdogan": 5.26,
        "instagram-mfa-kz": 11.29,
        "twitter-sadyrjaparov": 100.0,
        "instagram-aoka-uz": -4.18,
    }


@pytest.mark.slow  # the docs step draws every chart
def test_docs_show_a_change_chart_once_there_are_two_rounds(round_db, tmp_path):
    from ots_data import docs

    docs.generate(round_db, tmp_path / "docs")
    assert (tmp_path / "docs/assets/charts/change.svg").exists()
    assert "change.svg" in (tmp_path / "docs/charts.tr.md").read_text(encoding="utf-8")


def test_the_published_data_holds_no_synthetic_round():
    assert not [r for r in read_csv(ROOT / "data/sources.csv") if r["source_type"] == "observation_round"]


def failing_build(project):
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts/build.py"), "--root", str(project), "--db", str(project / "ots.db")],
        capture_output=True,
        text=True,
    )


@pytest.mark.slow  # a build in a subprocess
def test_two_values_for_one_account_and_date_are_refused(tmp_path):
    project = copy_project(tmp_path)
    rows = add_round(project)
    twin = dict(rows[0], count_id="round-2023-06-22-duplicate")
    append_rows(project / "data/follower_counts.csv", [twin])
    result = failing_build(project)
    assert (
        result.returncode == 1 and "[one-value-per-round]" in result.stderr and "column 'account_id'" in result.stderr
    ), result.stderr


@pytest.mark.slow  # a build in a subprocess
def test_a_round_figure_from_an_article_source_is_refused(tmp_path):
    project = copy_project(tmp_path)
    rows = add_round(project)
    stray = dict(rows[0], count_id="round-stray", source_id="altun-2023", observed_on="2024-01-01")
    append_rows(project / "data/follower_counts.csv", [stray])
    result = failing_build(project)
    assert result.returncode == 1 and "[round-or-table]" in result.stderr and "column 'source_id'" in result.stderr, (
        result.stderr
    )


@pytest.mark.parametrize(
    "template,table",
    [
        ("follower_counts_round.csv", "follower_counts"),
        ("absences_round.csv", "absences"),
        ("sources_round.csv", "sources"),
    ],
)
def test_round_templates_have_the_schema_header_and_an_example_that_validates(template, table, resources, tmp_path):
    from ots_data.validate import validate

    path = ROOT / "data-templates" / template
    assert next(csv.reader(open(path, encoding="utf-8"))) == resources[table].field_names
    project = copy_project(tmp_path)
    for name, target in (
        ("sources_round.csv", "sources"),
        ("follower_counts_round.csv", "follower_counts"),
        ("absences_round.csv", "absences"),
    ):
        append_rows(project / f"data/{target}.csv", read_csv(ROOT / "data-templates" / name))
    assert validate(project) == []


@pytest.mark.slow  # a build in a subprocess
def test_two_absences_for_one_actor_platform_and_date_are_refused(tmp_path):
    project = copy_project(tmp_path)
    add_round(project)
    twin = read_csv(project / "data/absences.csv")[-1] | {"absence_id": "round-2023-06-22-viktor-orban-twitter-again"}
    append_rows(project / "data/absences.csv", [twin])
    result = failing_build(project)
    assert result.returncode == 1 and "[one-value-per-round]" in result.stderr and "absence" in result.stderr, (
        result.stderr
    )


@pytest.mark.slow  # a build in a subprocess
def test_an_absence_where_the_round_has_a_figure_is_refused(tmp_path):
    """One observation per actor, platform and day: not found and a figure cannot both be true."""
    project = copy_project(tmp_path)
    add_round(project)
    clash = read_csv(project / "data/absences.csv")[-1] | {
        "absence_id": "round-2023-06-22-recep-tayyip-erdogan-twitter",
        "actor_id": "recep-tayyip-erdogan",  # whose twitter-rterdogan has a figure in the round
    }
    append_rows(project / "data/absences.csv", [clash])
    result = failing_build(project)
    expected = "recep-tayyip-erdogan has a twitter figure on 2023-06-22 and an absence"
    assert result.returncode == 1 and expected in result.stderr, result.stderr
