"""Project rules on the article's text as data: events, errata, commitments, survey figures, aliases,
office checks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from ots_data.staging import Problem


class RecordRules:
    """Rules on events, errata, commitments, aliases and office checks."""

    def rule_event_dates_match_their_precision(self) -> Iterable[Problem]:
        shapes = {
            "year": r"[0-9]{4}",
            "month": r"[0-9]{4}-[0-9]{2}",
            "day": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
            "decade": r"[0-9]{4}",
        }
        for row in self.rows["events"]:
            shape = shapes[row["date_precision"]]
            for column in ("start_date", "end_date"):
                value = row[column]
                if not value:
                    continue
                if not re.fullmatch(shape, value):
                    yield self.problem(
                        "events",
                        row,
                        column,
                        "date-precision",
                        f"{value!r} is not a {row['date_precision']}-precision date",
                    )
                    continue
                padded = value + "-01" * (2 - value.count("-"))
                try:
                    date.fromisoformat(padded)
                except ValueError:
                    yield self.problem("events", row, column, "date-calendar", f"{value!r} is not a calendar date")
            # A decade is the interval of its ten years: "the 1960s" is 1960 to 1969, nothing else.
            if row["date_precision"] == "decade" and re.fullmatch(r"[0-9]{4}", row["start_date"]):
                first = int(row["start_date"])
                if first % 10 or row["end_date"] != str(first + 9):
                    yield self.problem(
                        "events",
                        row,
                        "end_date",
                        "date-precision",
                        "a decade runs from a year ending in 0 to nine years later; "
                        f"got {row['start_date']!r} to {row['end_date']!r}",
                    )
            if row["end_date"] and row["end_date"] < row["start_date"]:
                yield self.problem(
                    "events",
                    row,
                    "end_date",
                    "date-order",
                    f"ends ({row['end_date']}) before it starts ({row['start_date']})",
                )

    def rule_listed_ids_exist(self) -> Iterable[Problem]:
        """Semicolon lists hold existing actor ids and well-formed state codes."""
        actors = {a["actor_id"] for a in self.rows["actors"]}
        for row in self.rows["events"]:
            for actor in filter(None, row["actor_ids"].split(";")):
                if actor not in actors:
                    yield self.problem("events", row, "actor_ids", "unknown-id", f"{actor!r} is not an actor_id")
            for code in filter(None, row["state_codes"].split(";")):
                if not re.fullmatch(r"[A-Z]{2}", code):
                    yield self.problem(
                        "events", row, "state_codes", "unknown-id", f"{code!r} is not an ISO 3166-1 alpha-2 code"
                    )

    def rule_errata_affect_existing_rows(self) -> Iterable[Problem]:
        for row in self.rows["errata"]:
            for ref in filter(None, (x.strip() for x in row["affects"].split(";"))):
                table, _, key = ref.partition(":")
                if not self.row_exists(table, key):
                    yield self.problem(
                        "errata", row, "affects", "unknown-id", f"{ref!r} is not a row of the dataset (table:id)"
                    )
        errata = {r["erratum_id"] for r in self.rows["errata"]}
        for row in self.rows["events"]:
            if row["erratum_id"] and row["erratum_id"] not in errata:
                yield self.problem(
                    "events", row, "erratum_id", "unknown-id", f"{row['erratum_id']!r} is not an erratum"
                )

    def rule_outside_knowledge_has_evidence(self) -> Iterable[Problem]:
        for row in self.rows["actors"]:
            if row["wikidata_qid"] and not row["wikidata_qid_evidence"]:
                yield self.problem(
                    "actors",
                    row,
                    "wikidata_qid_evidence",
                    "qid-evidence",
                    "a Wikidata QID needs the evidence that verifies it",
                )
        for row in self.rows["actor_aliases"]:
            if row["alias_kind"] == "printed_spelling" and not row["source_locator"]:
                yield self.problem(
                    "actor_aliases",
                    row,
                    "source_locator",
                    "alias-locator",
                    "a printed spelling needs the place it is printed",
                )

    def rule_vision_commitments_cite_the_vision(self) -> Iterable[Problem]:
        for row in self.rows["commitments"]:
            if row["attribution"] != "author_recommendation" and not row["cited_source_id"]:
                yield self.problem(
                    "commitments",
                    row,
                    "cited_source_id",
                    "attribution",
                    f"attribution {row['attribution']} needs the cited source",
                )

    def rule_survey_source_matches_how_it_is_established(self) -> Iterable[Problem]:
        """A figure with no source (citation_established none) names none; every other names one."""
        for row in self.rows["survey_figures"]:
            if (row["citation_established"] == "none") != (row["cited_source_id"] == ""):
                yield self.problem(
                    "survey_figures",
                    row,
                    "cited_source_id",
                    "citation-established",
                    f"citation_established is {row['citation_established']} but cited_source_id is "
                    f"{row['cited_source_id'] or 'empty'}: none goes with an empty source, every other value with one",
                )

    def rule_every_actor_office_checked(self) -> Iterable[Problem]:
        checked = {r["actor_id"] for r in self.rows["office_checks"]}
        for row in self.rows["actors"]:
            if row["actor_id"] not in checked:
                yield self.problem(
                    "actors",
                    row,
                    "actor_id",
                    "office-check",
                    "every actor needs a row in office_checks (held the printed office on the tables' date?)",
                )
        for row in self.rows["office_checks"]:
            if row["holds_printed_office"] == "no" and not row["erratum_id"]:
                yield self.problem(
                    "office_checks",
                    row,
                    "erratum_id",
                    "office-check",
                    "a change of office must be recorded in the errata",
                )
