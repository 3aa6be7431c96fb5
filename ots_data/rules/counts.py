"""Project rules on follower counts: printed figures, rounding, metrics, rounds of observations."""

from __future__ import annotations

from collections.abc import Iterable

from ots_data.counts import MECHANICAL_RULES, CountParseError, parse_count
from ots_data.project import METRIC_OF_PLATFORM
from ots_data.staging import Problem, duplicate_rows_sql

ROUND_ROWS = "listing_id = ''"  # rows of an observation round, not of a printed table


class CountRules:
    """Rules on follower_counts (most in SQL; the parser on counts_needing_python)."""

    def rule_count_as_printed_parses_to_count(self) -> Iterable[Problem]:
        for row in self.counts_needing_python:
            printed, rule, count = row["count_as_printed"], row["parse_rule"], row["count"]
            precision = row["count_precision"]
            if rule in MECHANICAL_RULES:
                try:
                    parsed = parse_count(printed)
                except CountParseError as error:
                    yield self.problem(
                        "follower_counts", row, "count_as_printed", "count-parse", f"parse_rule is {rule} but {error}"
                    )
                    continue
                if (parsed.rule, str(parsed.count), str(parsed.precision)) != (rule, count, precision):
                    yield self.problem(
                        "follower_counts",
                        row,
                        "count",
                        "count-parse",
                        f"{printed!r} reads as count {parsed.count}, precision {parsed.precision}, rule {parsed.rule}; "
                        f"the row has count {count or 'empty'}, precision {precision or 'empty'}, rule {rule}",
                    )
                elif row["is_ambiguous"] == "true":
                    yield self.problem(
                        "follower_counts",
                        row,
                        "is_ambiguous",
                        "count-parse",
                        f"{printed!r} parses mechanically; it cannot be ambiguous",
                    )
            else:
                if row["is_ambiguous"] != "true" or not row["readings"] or not row["reading_note"]:
                    yield self.problem(
                        "follower_counts",
                        row,
                        "reading_note",
                        "ambiguity-recorded",
                        f"parse_rule {rule} needs is_ambiguous true, the readings and a reading_note saying why",
                    )
                readings = row["readings"].split(" | ") if row["readings"] else []
                if rule == "editorial_reading" and count not in readings:
                    yield self.problem(
                        "follower_counts",
                        row,
                        "count",
                        "ambiguity-recorded",
                        f"count {count or 'empty'} is not one of the listed readings {row['readings']!r}",
                    )
                if rule == "unresolved" and (count or precision):
                    yield self.problem(
                        "follower_counts",
                        row,
                        "count",
                        "ambiguity-recorded",
                        "an unresolved figure must leave count and count_precision empty",
                    )

    def rule_rounded_flag_matches_precision(self) -> Iterable[Problem]:
        for row in self.counts_needing_python:
            if row["count_precision"]:
                expected = "true" if int(row["count_precision"]) > 1 else "false"
                if row["is_rounded"] != expected:
                    yield self.problem(
                        "follower_counts",
                        row,
                        "is_rounded",
                        "rounding",
                        f"precision {row['count_precision']} means is_rounded {expected}",
                    )

    def rule_metric_matches_platform(self) -> Iterable[Problem]:
        return self.sql_problems(
            "follower_counts",
            "metric",
            "metric-platform",
            """SELECT c._line, a.platform, c.metric
               FROM stage_follower_counts c JOIN stage_accounts a ON a.account_id = c.account_id
               WHERE c.metric != CASE a.platform WHEN 'youtube' THEN 'subscribers' ELSE 'followers' END
               ORDER BY c._line""",
            lambda platform, metric: f"a {platform} account counts {METRIC_OF_PLATFORM[platform]}, not {metric}",
        )

    def rule_one_figure_per_account_metric_and_day(self) -> Iterable[Problem]:
        """A round holds one value per account, date and metric. The build's unique index
        idx_follower_counts_one_value states the same rule: the build runs this query only when
        that index could not be built (a GROUP BY over every row: seconds at a million rows)."""
        return self.sql_problems(
            "follower_counts",
            "account_id",
            "one-value-per-round",
            duplicate_rows_sql("stage_follower_counts", ("account_id", "metric", "observed_on"), ROUND_ROWS),
            lambda account, metric, on, first: f"{account} already has a {metric} figure on {on} (line {first})",
        )

    def rule_round_observations(self) -> Iterable[Problem]:
        """A figure either comes from a printed table cell (listing, cell, entry, cell text) or
        from a later round of observations (none of them, and an observation_round source); a
        round has one absence or figure per actor, platform and day."""
        rounds = "(SELECT source_id FROM stage_sources WHERE source_type = 'observation_round')"
        printed = "cell_number != '' OR entry_number != '' OR cell_text_as_printed != ''"
        # One scan for the four per-row rules; each flag names the column and rule it breaks.
        flags = [
            (
                "cell_number",
                "listing_id != '' AND (cell_number = '' OR entry_number = '' OR cell_text_as_printed = '')",
                "a figure from a table row needs cell_number, entry_number and cell_text_as_printed",
            ),
            (
                "listing_id",
                f"listing_id != '' AND source_id IN {rounds}",
                "a round of observations has no printed table row",
            ),
            (
                "cell_number",
                f"listing_id = '' AND ({printed})",
                "a figure from a round has no listing_id, cell_number, entry_number or cell_text_as_printed",
            ),
            (
                "source_id",
                f"listing_id = '' AND source_id NOT IN {rounds}",
                "a figure without a table row must come from a source of type observation_round",
            ),
        ]
        problems = []
        any_flag = " OR ".join(f"({condition})" for _, condition, _ in flags)
        if self.conn.execute(f"SELECT EXISTS (SELECT 1 FROM stage_follower_counts WHERE {any_flag})").fetchone()[0]:
            for column, condition, message in flags:
                problems += self.sql_problems(
                    "follower_counts",
                    column,
                    "round-or-table",
                    f"SELECT _line FROM stage_follower_counts WHERE {condition} ORDER BY _line",
                    lambda message=message: message,
                )
        problems += self.sql_problems(
            "absences",
            "absence_kind",
            "round-or-table",
            "SELECT _line FROM stage_absences WHERE listing_id != '' AND absence_kind = 'not_found' ORDER BY _line",
            lambda: "not_found is for rounds; a printed cell has its own kind",
        )
        problems += self.sql_problems(
            "absences",
            "absence_kind",
            "round-or-table",
            f"SELECT _line FROM stage_absences WHERE listing_id = '' "
            f"AND (absence_kind != 'not_found' OR source_id NOT IN {rounds}) ORDER BY _line",
            lambda: "an absence without a table row must be not_found, from an observation_round source",
        )
        problems += self.sql_problems(
            "absences",
            "platform",
            "one-value-per-round",
            # A join from the counts (one scan; SQLite indexes the few absences on the fly), not
            # EXISTS per absence: that scans every count once per absence (12 s at 100,000 rows).
            """SELECT DISTINCT b._line, b.actor_id, b.platform, b.observed_on
               FROM stage_follower_counts c JOIN stage_accounts a ON a.account_id = c.account_id
               JOIN (SELECT _line, actor_id, platform, observed_on FROM stage_absences WHERE listing_id = '') b
                 ON b.actor_id = a.actor_id AND b.platform = a.platform AND b.observed_on = c.observed_on
               WHERE c.listing_id = '' ORDER BY b._line""",
            lambda actor, platform, on: f"{actor} has a {platform} figure on {on} and an absence",
        )
        problems += self.sql_problems(
            "absences",
            "platform",
            "one-value-per-round",
            duplicate_rows_sql("stage_absences", ("actor_id", "platform", "observed_on"), ROUND_ROWS),
            lambda actor, platform, on, first: f"{actor} already has a {platform} absence on {on} (line {first})",
        )
        return problems
