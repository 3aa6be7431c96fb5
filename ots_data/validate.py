"""Step 1: validate every CSV of the data package. Exit 1, naming file, line, row, column and rule,
on the first layer that finds problems.

Layers, cheapest and most fundamental first (a file that is not well-formed CSV would only
produce noise in the later layers, so they do not run on it):

  1. text and structure  (staging.py)  UTF-8, no byte order mark, LF line endings, header exactly
                                        as the schema, same number of cells in every row, NFC,
                                        no control characters, no leading or trailing spaces,
                                        nothing that a spreadsheet would run as a formula
  2. schema              (staging.py)  types, required, enums, patterns, ranges, primary, unique
                                        and foreign keys, as SQL generated from the schema over
                                        the bulk-loaded rows
  3. project rules       (this file)   what a schema cannot say: printed figures parse to the
                                        stored counts, URLs match platforms, the curated tables
                                        account for every raw cell exactly once, ...

Python's csv module does the structural reading rather than csvkit's csvclean because the
messages must name the schema's expectations (header, column names) and the exact line.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path

from ots_data import staging
from ots_data.counts import MECHANICAL_RULES, CountParseError, parse_count
from ots_data.project import HANDLE_PATTERN, METRIC_OF_PLATFORM, PLATFORM_COLUMN, PLATFORM_HOSTS, PROFILE_URL, ROOT
from ots_data.schema import Resource, load_resources
from ots_data.staging import MAX_PROBLEMS, Problem

# ---------------------------------------------------------------- layer 3: project rules

# A round row whose printed figure the database can confirm without Python: an exact count written
# plainly (919) or with thousands commas (8,855). Every other row is read back by parse_count().
PLAINLY_CONSISTENT = """
    listing_id = '' AND is_ambiguous = 'false' AND count_precision = '1' AND is_rounded = 'false'
    AND count NOT GLOB '*[^0-9]*' AND count != '' AND (count = '0' OR count NOT GLOB '0*') AND (
      (parse_rule = 'plain_integer' AND count_as_printed = count)
      OR (parse_rule = 'thousands_comma' AND length(count) > 3 AND count_as_printed = printf('%,d', CAST(count AS INTEGER))))
"""


class Rules:
    """Rules across cells, rows and tables. Each method returns problems; names state the rule.

    Small tables are read into Python. The two that grow with every round (follower_counts,
    absences) are checked in SQL; only their article rows, and round rows whose printed figure
    needs parse_count(), are read into Python."""

    def __init__(self, conn: sqlite3.Connection, resources: dict[str, Resource], one_value_index_built: bool = False):
        self.conn = conn
        self.one_value_index_built = one_value_index_built  # then a round has no duplicates: no need to look
        self.res = resources
        conn.row_factory = sqlite3.Row
        where = {"follower_counts": f"WHERE NOT ({PLAINLY_CONSISTENT})", "absences": "WHERE listing_id != ''"}
        self.rows = {
            name: [dict(r) for r in conn.execute(f"SELECT * FROM stage_{name} {where.get(name, '')} ORDER BY _line")]
            for name in resources
        }
        conn.row_factory = None

    def problem(self, table: str, index: int, column: str | None, rule: str, message: str) -> Problem:
        return Problem(self.res[table].path, self.rows[table][index]["_line"], column, rule, message)

    def sql_problems(self, table: str, column: str, rule: str, sql: str, message) -> list[Problem]:
        """Run a query returning (_line, ...) rows and make a Problem of each."""
        return [
            Problem(self.res[table].path, row[0], column, rule, message(*row[1:]))
            for row in self.conn.execute(sql + f" LIMIT {MAX_PROBLEMS}")
        ]

    def all(self) -> list[Problem]:
        problems = []
        for name in sorted(n for n in dir(self) if n.startswith("rule_")):
            problems.extend(getattr(self, name)())
        return problems

    def rule_count_as_printed_parses_to_count(self):
        for i, row in enumerate(self.rows["follower_counts"]):
            printed, rule, count = row["count_as_printed"], row["parse_rule"], row["count"]
            precision = row["count_precision"]
            if rule in MECHANICAL_RULES:
                try:
                    parsed = parse_count(printed)
                except CountParseError as error:
                    yield self.problem(
                        "follower_counts", i, "count_as_printed", "count-parse", f"parse_rule is {rule} but {error}"
                    )
                    continue
                if (parsed.rule, str(parsed.count), str(parsed.precision)) != (rule, count, precision):
                    yield self.problem(
                        "follower_counts",
                        i,
                        "count",
                        "count-parse",
                        f"{printed!r} reads as count {parsed.count}, precision {parsed.precision}, rule {parsed.rule}; "
                        f"the row has count {count or 'empty'}, precision {precision or 'empty'}, rule {rule}",
                    )
                elif row["is_ambiguous"] == "true":
                    yield self.problem(
                        "follower_counts",
                        i,
                        "is_ambiguous",
                        "count-parse",
                        f"{printed!r} parses mechanically; it cannot be ambiguous",
                    )
            else:
                if row["is_ambiguous"] != "true" or not row["readings"] or not row["reading_note"]:
                    yield self.problem(
                        "follower_counts",
                        i,
                        "reading_note",
                        "ambiguity-recorded",
                        f"parse_rule {rule} needs is_ambiguous true, the readings and a reading_note saying why",
                    )
                readings = row["readings"].split(" | ") if row["readings"] else []
                if rule == "editorial_reading" and count not in readings:
                    yield self.problem(
                        "follower_counts",
                        i,
                        "count",
                        "ambiguity-recorded",
                        f"count {count or 'empty'} is not one of the listed readings {row['readings']!r}",
                    )
                if rule == "unresolved" and (count or precision):
                    yield self.problem(
                        "follower_counts",
                        i,
                        "count",
                        "ambiguity-recorded",
                        "an unresolved figure must leave count and count_precision empty",
                    )

    def rule_rounded_flag_matches_precision(self):
        for i, row in enumerate(self.rows["follower_counts"]):
            if row["count_precision"]:
                expected = "true" if int(row["count_precision"]) > 1 else "false"
                if row["is_rounded"] != expected:
                    yield self.problem(
                        "follower_counts",
                        i,
                        "is_rounded",
                        "rounding",
                        f"precision {row['count_precision']} means is_rounded {expected}",
                    )

    def rule_metric_matches_platform(self):
        return self.sql_problems(
            "follower_counts",
            "metric",
            "metric-platform",
            """SELECT c._line, a.platform, c.metric FROM stage_follower_counts c JOIN stage_accounts a ON a.account_id = c.account_id
               WHERE c.metric != CASE a.platform WHEN 'youtube' THEN 'subscribers' ELSE 'followers' END ORDER BY c._line""",
            lambda platform, metric: f"a {platform} account counts {METRIC_OF_PLATFORM[platform]}, not {metric}",
        )

    def rule_account_url_matches_platform_and_handle(self):
        for i, row in enumerate(self.rows["accounts"]):
            platform, handle, url = row["platform"], row["handle"], row["url"]
            if url:
                host = re.match(r"^https://([^/]+)/", url)
                if not host or host.group(1) != PLATFORM_HOSTS.get(platform):
                    yield self.problem(
                        "accounts",
                        i,
                        "url",
                        "url-platform",
                        f"a {platform} URL must be https://{PLATFORM_HOSTS.get(platform, '(no URL for this platform)')}/...; got {url!r}",
                    )
                elif url != PROFILE_URL[platform].format(handle):
                    yield self.problem(
                        "accounts",
                        i,
                        "url",
                        "url-handle",
                        f"URL must be built from the handle: {PROFILE_URL[platform].format(handle)!r}",
                    )
                if row["name_kind"] != "handle":
                    yield self.problem(
                        "accounts", i, "url", "url-handle", "only a handle gives a profile URL; name_kind is not handle"
                    )
            elif (
                row["name_kind"] == "handle"
                and platform in HANDLE_PATTERN
                and HANDLE_PATTERN[platform].fullmatch(handle)
            ):
                yield self.problem(
                    "accounts", i, "url", "url-missing", f"{handle!r} is a valid {platform} handle: give its URL"
                )
            if not row["account_id"].startswith(platform + "-"):
                yield self.problem(
                    "accounts", i, "account_id", "id-platform", f"account_id must start with '{platform}-'"
                )

    def rule_handle_repairs_are_flagged(self):
        for i, row in enumerate(self.rows["accounts"]):
            plain = row["handle_as_printed"].removeprefix("@")
            repaired = row["handle"] != plain
            if repaired != (row["is_handle_repaired"] == "true"):
                yield self.problem(
                    "accounts",
                    i,
                    "is_handle_repaired",
                    "handle-repair",
                    f"handle {row['handle']!r} vs printed {row['handle_as_printed']!r}: is_handle_repaired must be {str(repaired).lower()}",
                )
            if repaired and not row["note"]:
                yield self.problem(
                    "accounts", i, "note", "handle-repair", "a repaired handle needs a note saying what was repaired"
                )

    def rule_listing_labels_match_raw(self):
        raw = {(r["table_number"], r["row_number"]): r for r in self.rows["raw_table_rows"]}
        for i, row in enumerate(self.rows["actor_listings"]):
            cell = raw.get((row["table_number"], row["row_number"]))
            if cell is None:
                yield self.problem(
                    "actor_listings",
                    i,
                    "row_number",
                    "raw-coverage",
                    f"no raw row for Table {row['table_number']}, row {row['row_number']}",
                )
            elif cell["cell_1"] != row["label_as_printed"]:
                yield self.problem(
                    "actor_listings", i, "label_as_printed", "raw-roundtrip", f"raw cell 1 is {cell['cell_1']!r}"
                )
            if row["listing_id"] != f"t{row['table_number']}-r{int(row['row_number']):02d}":
                yield self.problem(
                    "actor_listings", i, "listing_id", "id-format", "listing_id must be t<table>-r<row, two digits>"
                )
        listed = {(r["table_number"], r["row_number"]) for r in self.rows["actor_listings"]}
        for j, row in enumerate(self.rows["raw_table_rows"]):
            if row["row_number"] != "0" and (row["table_number"], row["row_number"]) not in listed:
                yield self.problem(
                    "raw_table_rows", j, "row_number", "raw-coverage", "this printed row has no row in actor_listings"
                )

    def rule_actor_label_is_first_listing(self):
        first = {}
        for row in sorted(self.rows["actor_listings"], key=lambda r: (int(r["table_number"]), int(r["row_number"]))):
            first.setdefault(row["actor_id"], row)
        for i, actor in enumerate(self.rows["actors"]):
            listing = first.get(actor["actor_id"])
            if listing is None:
                yield self.problem("actors", i, "actor_id", "actor-listed", "the actor is not listed in any table row")
            elif actor["label_as_printed"] != listing["label_as_printed"]:
                yield self.problem(
                    "actors",
                    i,
                    "label_as_printed",
                    "actor-first-listing",
                    f"must equal the label of its first listing ({listing['listing_id']}): {listing['label_as_printed']!r}",
                )

    def rule_every_raw_cell_accounted_exactly_once(self):
        """Each printed cell of a data row is read by follower counts (one or more entries, which
        joined with spaces give the cell back) or by one absence, never both, never neither."""
        listings = {(r["table_number"], r["row_number"]): r["listing_id"] for r in self.rows["actor_listings"]}
        counts_by_cell = defaultdict(list)
        for row in self.rows["follower_counts"]:
            if row["listing_id"]:  # rows of later rounds are not printed in the article
                counts_by_cell[(row["listing_id"], row["cell_number"])].append(row)
        absences_by_cell = defaultdict(list)
        for row in self.rows["absences"]:
            if row["listing_id"] and row["cell_number"]:
                absences_by_cell[(row["listing_id"], row["cell_number"])].append(row)
        seen = set()
        for j, raw in enumerate(self.rows["raw_table_rows"]):
            listing = listings.get((raw["table_number"], raw["row_number"]))
            if raw["row_number"] == "0" or listing is None:
                continue
            for k in range(2, int(raw["printed_cell_count"]) + 1):
                key = (listing, str(k))
                seen.add(key)
                printed = raw[f"cell_{k}"]
                entries = sorted(counts_by_cell.get(key, []), key=lambda r: int(r["entry_number"]))
                absences = absences_by_cell.get(key, [])
                column = f"cell_{k}"
                if entries and absences:
                    yield self.problem(
                        "raw_table_rows",
                        j,
                        column,
                        "raw-coverage",
                        f"cell {printed!r} is read both as counts and as an absence",
                    )
                elif len(absences) > 1:
                    yield self.problem(
                        "raw_table_rows",
                        j,
                        column,
                        "raw-coverage",
                        f"cell {printed!r} is read by {len(absences)} absences",
                    )
                elif absences:
                    if absences[0]["as_printed"] != printed:
                        yield self.problem(
                            "raw_table_rows",
                            j,
                            column,
                            "raw-roundtrip",
                            f"printed {printed!r}, absence says {absences[0]['as_printed']!r}",
                        )
                elif entries:
                    numbers = [int(r["entry_number"]) for r in entries]
                    joined = " ".join(r["cell_text_as_printed"] for r in entries)
                    if numbers != list(range(1, len(entries) + 1)):
                        yield self.problem(
                            "raw_table_rows",
                            j,
                            column,
                            "raw-coverage",
                            f"entries of cell {printed!r} are numbered {numbers}, expected 1..{len(entries)}",
                        )
                    elif joined != printed:
                        yield self.problem(
                            "raw_table_rows",
                            j,
                            column,
                            "raw-roundtrip",
                            f"printed {printed!r}, follower counts give back {joined!r}",
                        )
                else:
                    yield self.problem(
                        "raw_table_rows",
                        j,
                        column,
                        "raw-coverage",
                        f"cell {printed!r} is not read by any follower count or absence",
                    )
            for k in range(int(raw["printed_cell_count"]) + 1, 6):
                if raw[f"cell_{k}"] != "":
                    yield self.problem(
                        "raw_table_rows",
                        j,
                        f"cell_{k}",
                        "raw-cell-count",
                        f"cell {k} is beyond printed_cell_count but not empty",
                    )
        for table, by_cell in (("follower_counts", counts_by_cell), ("absences", absences_by_cell)):
            for key, rows in by_cell.items():
                if key not in seen:
                    index = self.rows[table].index(rows[0])
                    yield self.problem(
                        table, index, "cell_number", "raw-coverage", f"{key[0]} has no printed cell {key[1]}"
                    )

    def rule_every_listing_platform_covered_once(self):
        """Each printed row says something for each platform column: counts or one absence."""
        platform_of = {a["account_id"]: a["platform"] for a in self.rows["accounts"]}
        covered = defaultdict(list)
        for row in self.rows["follower_counts"]:
            if row["listing_id"]:
                covered[(row["listing_id"], platform_of.get(row["account_id"]))].append("count")
        for i, row in enumerate(self.rows["absences"]):
            if not row["listing_id"]:
                continue  # later rounds: see rule_round_observations
            key = (row["listing_id"], row["platform"])
            if "count" in covered[key]:
                yield self.problem(
                    "absences",
                    i,
                    "platform",
                    "platform-coverage",
                    f"{key[0]} has both an account and an absence for {key[1]}",
                )
            covered[key].append("absence")
            if (row["absence_kind"] == "cell_not_printed") != (row["cell_number"] == ""):
                yield self.problem(
                    "absences",
                    i,
                    "cell_number",
                    "absence-kind",
                    "cell_not_printed has no cell_number; every other kind has one",
                )
            expected = {
                "none_available": "None available",
                "dash": "-",
                "empty_cell": "",
                "cell_not_printed": "",
                "not_found": "",
            }[row["absence_kind"]]
            if row["as_printed"] != expected:
                yield self.problem(
                    "absences",
                    i,
                    "as_printed",
                    "absence-kind",
                    f"absence_kind {row['absence_kind']} is printed as {expected!r}",
                )
        for i, row in enumerate(self.rows["actor_listings"]):
            for platform in PLATFORM_COLUMN:
                if not covered.get((row["listing_id"], platform)):
                    yield self.problem(
                        "actor_listings",
                        i,
                        "listing_id",
                        "platform-coverage",
                        f"{row['listing_id']} says nothing for {platform}: add its counts or its absence",
                    )

    def rule_observations_dated_by_their_table(self):
        updated = {t["table_number"]: t["updated_on"] for t in self.rows["article_tables"]}
        table_of = {r["listing_id"]: r["table_number"] for r in self.rows["actor_listings"]}
        for table in ("follower_counts", "absences"):
            for i, row in enumerate(self.rows[table]):
                expected = updated.get(table_of.get(row["listing_id"]))
                if row["listing_id"] and expected and row["observed_on"] != expected:
                    yield self.problem(
                        table, i, "observed_on", "as-of-date", f"the article's table note dates this figure {expected}"
                    )

    def rule_locator_names_table_row_and_column(self):
        listing = {r["listing_id"]: r for r in self.rows["actor_listings"]}
        platform_of = {a["account_id"]: a["platform"] for a in self.rows["accounts"]}
        for table in ("follower_counts", "absences"):
            for i, row in enumerate(self.rows[table]):
                lst = listing.get(row["listing_id"])
                platform = row.get("platform") or platform_of.get(row["account_id"])
                if not lst or not platform:
                    continue
                expected = f"Table {lst['table_number']}, row {lst['row_number']}, {PLATFORM_COLUMN[platform]} column"
                if not row["source_locator"].startswith(expected):
                    yield self.problem(table, i, "source_locator", "locator", f"must start with {expected!r}")

    def rule_event_dates_match_their_precision(self):
        shapes = {"year": r"[0-9]{4}", "month": r"[0-9]{4}-[0-9]{2}", "day": r"[0-9]{4}-[0-9]{2}-[0-9]{2}"}
        for i, row in enumerate(self.rows["events"]):
            shape = shapes[row["date_precision"]]
            for column in ("start_date", "end_date"):
                value = row[column]
                if not value:
                    continue
                if not re.fullmatch(shape, value):
                    yield self.problem(
                        "events",
                        i,
                        column,
                        "date-precision",
                        f"{value!r} is not a {row['date_precision']}-precision date",
                    )
                    continue
                padded = value + "-01" * (2 - value.count("-"))
                try:
                    date.fromisoformat(padded)
                except ValueError:
                    yield self.problem("events", i, column, "date-calendar", f"{value!r} is not a calendar date")
            if row["end_date"] and row["end_date"] < row["start_date"]:
                yield self.problem(
                    "events",
                    i,
                    "end_date",
                    "date-order",
                    f"ends ({row['end_date']}) before it starts ({row['start_date']})",
                )

    def rule_listed_ids_exist(self):
        """Semicolon lists hold existing actor ids and well-formed state codes."""
        actors = {a["actor_id"] for a in self.rows["actors"]}
        for i, row in enumerate(self.rows["events"]):
            for actor in filter(None, row["actor_ids"].split(";")):
                if actor not in actors:
                    yield self.problem("events", i, "actor_ids", "unknown-id", f"{actor!r} is not an actor_id")
            for code in filter(None, row["state_codes"].split(";")):
                if not re.fullmatch(r"[A-Z]{2}", code):
                    yield self.problem(
                        "events", i, "state_codes", "unknown-id", f"{code!r} is not an ISO 3166-1 alpha-2 code"
                    )

    def rule_errata_affect_existing_rows(self):
        keys = {
            name: {r[res.primary_key[0]] for r in self.rows[name]}
            for name, res in self.res.items()
            if len(res.primary_key) == 1
        }
        for i, row in enumerate(self.rows["errata"]):
            for ref in filter(None, (x.strip() for x in row["affects"].split(";"))):
                table, _, key = ref.partition(":")
                if key not in keys.get(table, set()):
                    yield self.problem(
                        "errata", i, "affects", "unknown-id", f"{ref!r} is not a row of the dataset (table:id)"
                    )
        errata = {r["erratum_id"] for r in self.rows["errata"]}
        for i, row in enumerate(self.rows["events"]):
            if row["erratum_id"] and row["erratum_id"] not in errata:
                yield self.problem("events", i, "erratum_id", "unknown-id", f"{row['erratum_id']!r} is not an erratum")

    def rule_outside_knowledge_has_evidence(self):
        for i, row in enumerate(self.rows["actors"]):
            if row["wikidata_qid"] and not row["wikidata_qid_evidence"]:
                yield self.problem(
                    "actors",
                    i,
                    "wikidata_qid_evidence",
                    "qid-evidence",
                    "a Wikidata QID needs the evidence that verifies it",
                )
        for i, row in enumerate(self.rows["actor_aliases"]):
            if row["alias_kind"] == "printed_spelling" and not row["source_locator"]:
                yield self.problem(
                    "actor_aliases",
                    i,
                    "source_locator",
                    "alias-locator",
                    "a printed spelling needs the place it is printed",
                )

    def rule_vision_commitments_cite_the_vision(self):
        for i, row in enumerate(self.rows["commitments"]):
            if row["attribution"] != "author_recommendation" and not row["cited_source_id"]:
                yield self.problem(
                    "commitments",
                    i,
                    "cited_source_id",
                    "attribution",
                    f"attribution {row['attribution']} needs the cited source",
                )

    def rule_every_actor_office_checked(self):
        checked = {r["actor_id"] for r in self.rows["office_checks"]}
        for i, row in enumerate(self.rows["actors"]):
            if row["actor_id"] not in checked:
                yield self.problem(
                    "actors",
                    i,
                    "actor_id",
                    "office-check",
                    "every actor needs a row in office_checks (held the printed office on the tables' date?)",
                )
        for i, row in enumerate(self.rows["office_checks"]):
            if row["holds_printed_office"] == "no" and not row["erratum_id"]:
                yield self.problem(
                    "office_checks",
                    i,
                    "erratum_id",
                    "office-check",
                    "a change of office must be recorded in the errata",
                )

    def rule_round_observations(self):
        """A figure either comes from a printed table cell (listing, cell, entry, cell text) or
        from a later round of observations (none of them, and an observation_round source), and
        a round holds one value per account, date and metric."""
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
        if not self.one_value_index_built:
            problems += self.sql_problems(
                "follower_counts",
                "account_id",
                "one-value-per-round",
                later_duplicates("stage_follower_counts", ("account_id", "metric", "observed_on")),
                lambda account, metric, on, first: f"{account} already has a {metric} figure on {on} (line {first})",
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
            f"SELECT _line FROM stage_absences WHERE listing_id = '' AND (absence_kind != 'not_found' OR source_id NOT IN {rounds}) ORDER BY _line",
            lambda: "an absence without a table row must be not_found, from an observation_round source",
        )
        problems += self.sql_problems(
            "absences",
            "platform",
            "one-value-per-round",
            """SELECT b._line, b.actor_id, b.platform, b.observed_on FROM stage_absences b
               WHERE b.listing_id = '' AND EXISTS (
                 SELECT 1 FROM stage_follower_counts c JOIN stage_accounts a ON a.account_id = c.account_id
                 WHERE c.listing_id = '' AND a.actor_id = b.actor_id AND a.platform = b.platform AND c.observed_on = b.observed_on)
               ORDER BY b._line""",
            lambda actor, platform, on: f"{actor} has a {platform} figure on {on} and an absence",
        )
        problems += self.sql_problems(
            "absences",
            "platform",
            "one-value-per-round",
            later_duplicates("stage_absences", ("actor_id", "platform", "observed_on")),
            lambda actor, platform, on, first: f"{actor} already has a {platform} absence on {on} (line {first})",
        )
        return problems


def later_duplicates(table: str, key: tuple[str, ...]) -> str:
    """Round rows (no listing) that repeat the key of an earlier row: _line, the key, the first line."""
    columns = ", ".join(key)
    return (
        f"SELECT _line, {columns}, first FROM (SELECT _line, {columns}, "
        f"first_value(_line) OVER (PARTITION BY {columns} ORDER BY _line) AS first, "
        f"row_number() OVER (PARTITION BY {columns} ORDER BY _line) AS n "
        f"FROM {table} WHERE listing_id = '') WHERE n > 1 ORDER BY _line"
    )


def check_staged(root: Path, stage: sqlite3.Connection, resources: list[Resource]) -> list[Problem]:
    """Layer 1 (text and structure, while loading every CSV into the staging database), then the
    schema rules that the final tables' constraints cannot enforce."""
    problems = staging.load_all(stage, root, resources)
    if problems:
        return problems
    return [p for resource in resources for p in staging.check_fields(stage, resource, only_unenforced=True)]


def explain_refusal(stage: sqlite3.Connection, resources: list[Resource]) -> list[Problem]:
    """Layer 2 rule by rule over the staged rows (types, required, enums, patterns, ranges, then keys),
    naming file, line and column of every problem."""
    by_name = {r.name: r for r in resources}
    problems = [p for r in resources for p in staging.check_fields(stage, r)]
    return problems or [p for r in resources for p in staging.check_keys(stage, r, by_name)]


def project_rules(stage: sqlite3.Connection, resources: list[Resource], one_value_index_built: bool = False) -> list[Problem]:
    """Layer 3: the project rules (rules that a schema cannot state)."""
    return list(Rules(stage, {r.name: r for r in resources}, one_value_index_built=one_value_index_built).all())


def validate(root: Path = ROOT) -> list[Problem]:
    """All three layers over a throwaway staging database (make validate; the build runs the same
    layers, with its typed tables as the layer-2 check for valid data)."""
    resources = load_resources(root / "datapackage.yaml")
    with tempfile.TemporaryDirectory() as folder:
        stage = staging.connect(Path(folder) / "staging.db")
        try:
            return (
                check_staged(root, stage, resources)
                or explain_refusal(stage, resources)
                or project_rules(stage, resources)
            )
        finally:
            stage.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder holding datapackage.yaml and data/")
    args = parser.parse_args(argv)
    problems = validate(args.root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"validation failed: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("validation passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
