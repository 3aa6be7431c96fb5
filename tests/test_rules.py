"""Project rules see every row they name, including the rows of a round that SQL confirms without
reading them into Python (the rules' subsets are named for what they hold)."""

from __future__ import annotations

import csv

from conftest import copy_project, show
from support import add_round, append_rows

from ots_data.rules import GROWING
from ots_data.validate import validate


def test_an_erratum_may_correct_a_round_figure_that_sql_confirmed(tmp_path):
    """instagram-mfa-kz's round figure (9,855, thousands comma) is confirmed in SQL, so it is not
    among the rows read into Python; an erratum naming it must still find it."""
    project = copy_project(tmp_path)
    add_round(project)
    with open(project / "data/errata.csv", encoding="utf-8", newline="") as handle:
        template = next(csv.DictReader(handle))
    append_rows(
        project / "data/errata.csv",
        [
            dict(
                template,
                erratum_id="zz-round-figure-check",
                affects="follower_counts:round-2023-06-22-instagram-mfa-kz",
                status="unverified",
                note="",
            )
        ],
    )
    problems = [p for p in validate(project) if p.rule == "unknown-id"]
    assert not problems, show(problems)


def test_no_rule_reads_a_growing_table_from_the_whole_tables():
    """follower_counts and absences are not in Rules.rows (which holds whole tables): a rule over
    them uses SQL or a subset whose name says which rows it holds."""
    from ots_data.rules import accounts, article_tables, counts, records

    source = {
        m.__name__: open(m.__file__, encoding="utf-8").read() for m in (accounts, article_tables, counts, records)
    }
    reads = [(name, table) for name, text in source.items() for table in GROWING if f'self.rows["{table}"]' in text]
    assert not reads, show(reads)
