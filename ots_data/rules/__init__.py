"""Layer 3 of validation: the project rules, what a schema cannot say (printed figures parse to the
stored counts, URLs match platforms, the curated tables account for every raw cell exactly once...).

The rules are split by what they check (counts, accounts, article_tables, records, evidence), one method per
rule, named after the rule; `Rules.all()` runs every `rule_*` method of them. They read the staging
database that layers 1-2 checked.

What a rule may read: the small tables are in `self.rows`, whole. The two tables that grow with
every round are NOT there: a rule over them works in SQL (`self.conn`, `self.sql_problems`), or
reads one of the two named subsets below, whose names say which rows they hold.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

from ots_data.counts import sql_confirms
from ots_data.rules.accounts import AccountRules
from ots_data.rules.article_tables import ArticleTableRules
from ots_data.rules.counts import CountRules
from ots_data.rules.evidence import EvidenceRules
from ots_data.rules.records import RecordRules
from ots_data.schema import Resource
from ots_data.staging import MAX_PROBLEMS, Problem

# The tables that grow with every round: never read whole into Python.
GROWING = ("follower_counts", "absences")

# A round row whose printed figure the database confirms without Python: its count, precision and
# parse_rule are what the printed figure reads as (counts.sql_confirms: 919, 8,855, 395K, 10.1M,
# 4,6K), and is_rounded follows from the precision. The article's rows, and every round row SQL
# does not confirm, are read back by parse_count() in Python. ifnull(): NULL means "not confirmed".
CONFIRMED_IN_SQL = f"""ifnull(
    listing_id = '' AND is_ambiguous = 'false'
    AND is_rounded = CASE count_precision WHEN '1' THEN 'false' ELSE 'true' END
    AND {sql_confirms("count_as_printed", "count", "count_precision", "parse_rule")}, 0)"""


class Rules(CountRules, AccountRules, ArticleTableRules, RecordRules, EvidenceRules):
    """Every project rule over one staging database."""

    def __init__(self, conn: sqlite3.Connection, resources: dict[str, Resource]) -> None:
        self.conn = conn
        self.res = resources
        self.rows = {name: self._read(name) for name in resources if name not in GROWING}
        # follower_counts rows read into Python: the article's rows, and round rows whose printed
        # figure SQL could not confirm (CONFIRMED_IN_SQL); most round rows are not here.
        self.counts_needing_python = self._read("follower_counts", f"WHERE NOT ({CONFIRMED_IN_SQL})")
        # absences read into Python: the article's rows only (a round's absences are checked in SQL).
        self.article_absences = self._read("absences", "WHERE listing_id != ''")

    def _read(self, table: str, where: str = "") -> list[dict]:
        self.conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in self.conn.execute(f"SELECT * FROM stage_{table} {where} ORDER BY _line")]
        finally:
            self.conn.row_factory = None

    def problem(self, table: str, row: dict, column: str | None, rule: str, message: str) -> Problem:
        """A problem in one row (a dict read from the staging table, which carries its line)."""
        return Problem(self.res[table].path, row["_line"], column, rule, message)

    def sql_problems(self, table: str, column: str, rule: str, sql: str, message: Callable[..., str]) -> list[Problem]:
        """Run a query returning (_line, ...) rows and make a Problem of each."""
        return [
            Problem(self.res[table].path, row[0], column, rule, message(*row[1:]))
            for row in self.conn.execute(sql + f" LIMIT {MAX_PROBLEMS}")
        ]

    def row_exists(self, table: str, key: str) -> bool:
        """Whether a table with a one-column primary key has a row with this key (in SQL, so that
        it holds for every row of the growing tables too)."""
        resource = self.res.get(table)
        if resource is None or len(resource.primary_key) != 1:
            return False
        query = f"SELECT 1 FROM stage_{table} WHERE [{resource.primary_key[0]}] = ? LIMIT 1"
        return self.conn.execute(query, [key]).fetchone() is not None

    def all(self, skip: tuple[str, ...] = ()) -> list[Problem]:
        problems = []
        for name in sorted(n for n in dir(self) if n.startswith("rule_") and n not in skip):
            problems.extend(getattr(self, name)())
        return problems


def check(conn: sqlite3.Connection, resources: list[Resource], skip: tuple[str, ...] = ()) -> Iterator[Problem]:
    """Every project rule's problems (but those named in skip), rule by rule in the order of their names."""
    yield from Rules(conn, {r.name: r for r in resources}).all(skip)
