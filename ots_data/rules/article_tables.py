"""Project rules on the article's three tables: every printed row and cell is read exactly once,
with its label, its date and its place."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ots_data.project import PLATFORM_COLUMN
from ots_data.staging import Problem


class ArticleTableRules:
    """Rules that tie the curated tables to the raw layer (the article's rows only)."""

    def rule_listing_labels_match_raw(self) -> Iterable[Problem]:
        raw = {(r["table_number"], r["row_number"]): r for r in self.rows["raw_table_rows"]}
        for row in self.rows["actor_listings"]:
            cell = raw.get((row["table_number"], row["row_number"]))
            if cell is None:
                yield self.problem(
                    "actor_listings",
                    row,
                    "row_number",
                    "raw-coverage",
                    f"no raw row for Table {row['table_number']}, row {row['row_number']}",
                )
            elif cell["cell_1"] != row["label_as_printed"]:
                yield self.problem(
                    "actor_listings", row, "label_as_printed", "raw-roundtrip", f"raw cell 1 is {cell['cell_1']!r}"
                )
            if row["listing_id"] != f"t{row['table_number']}-r{int(row['row_number']):02d}":
                yield self.problem(
                    "actor_listings", row, "listing_id", "id-format", "listing_id must be t<table>-r<row, two digits>"
                )
        listed = {(r["table_number"], r["row_number"]) for r in self.rows["actor_listings"]}
        for row in self.rows["raw_table_rows"]:
            if row["row_number"] != "0" and (row["table_number"], row["row_number"]) not in listed:
                yield self.problem(
                    "raw_table_rows", row, "row_number", "raw-coverage", "this printed row has no row in actor_listings"
                )

    def rule_actor_label_is_first_listing(self) -> Iterable[Problem]:
        first = {}
        for row in sorted(self.rows["actor_listings"], key=lambda r: (int(r["table_number"]), int(r["row_number"]))):
            first.setdefault(row["actor_id"], row)
        for actor in self.rows["actors"]:
            listing = first.get(actor["actor_id"])
            if listing is None:
                yield self.problem(
                    "actors", actor, "actor_id", "actor-listed", "the actor is not listed in any table row"
                )
            elif actor["label_as_printed"] != listing["label_as_printed"]:
                yield self.problem(
                    "actors",
                    actor,
                    "label_as_printed",
                    "actor-first-listing",
                    f"must equal the label of its first listing ({listing['listing_id']}): "
                    f"{listing['label_as_printed']!r}",
                )

    def rule_every_raw_cell_accounted_exactly_once(self) -> Iterable[Problem]:
        """Each printed cell of a data row is read by follower counts (one or more entries, which
        joined with spaces give the cell back) or by one absence, never both, never neither."""
        listings = {(r["table_number"], r["row_number"]): r["listing_id"] for r in self.rows["actor_listings"]}
        counts_by_cell = defaultdict(list)
        for row in self.counts_needing_python:
            if row["listing_id"]:  # rows of later rounds are not printed in the article
                counts_by_cell[(row["listing_id"], row["cell_number"])].append(row)
        absences_by_cell = defaultdict(list)
        for row in self.article_absences:
            if row["listing_id"] and row["cell_number"]:
                absences_by_cell[(row["listing_id"], row["cell_number"])].append(row)
        seen = set()
        for raw in self.rows["raw_table_rows"]:
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
                        raw,
                        column,
                        "raw-coverage",
                        f"cell {printed!r} is read both as counts and as an absence",
                    )
                elif len(absences) > 1:
                    yield self.problem(
                        "raw_table_rows",
                        raw,
                        column,
                        "raw-coverage",
                        f"cell {printed!r} is read by {len(absences)} absences",
                    )
                elif absences:
                    if absences[0]["as_printed"] != printed:
                        yield self.problem(
                            "raw_table_rows",
                            raw,
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
                            raw,
                            column,
                            "raw-coverage",
                            f"entries of cell {printed!r} are numbered {numbers}, expected 1..{len(entries)}",
                        )
                    elif joined != printed:
                        yield self.problem(
                            "raw_table_rows",
                            raw,
                            column,
                            "raw-roundtrip",
                            f"printed {printed!r}, follower counts give back {joined!r}",
                        )
                else:
                    yield self.problem(
                        "raw_table_rows",
                        raw,
                        column,
                        "raw-coverage",
                        f"cell {printed!r} is not read by any follower count or absence",
                    )
            for k in range(int(raw["printed_cell_count"]) + 1, 6):
                if raw[f"cell_{k}"] != "":
                    yield self.problem(
                        "raw_table_rows",
                        raw,
                        f"cell_{k}",
                        "raw-cell-count",
                        f"cell {k} is beyond printed_cell_count but not empty",
                    )
        for table, by_cell in (("follower_counts", counts_by_cell), ("absences", absences_by_cell)):
            for key, rows in by_cell.items():
                if key not in seen:
                    yield self.problem(
                        table, rows[0], "cell_number", "raw-coverage", f"{key[0]} has no printed cell {key[1]}"
                    )

    def rule_every_listing_platform_covered_once(self) -> Iterable[Problem]:
        """Each printed row says something for each platform column: counts or one absence."""
        platform_of = {a["account_id"]: a["platform"] for a in self.rows["accounts"]}
        covered = defaultdict(list)
        for row in self.counts_needing_python:
            if row["listing_id"]:
                covered[(row["listing_id"], platform_of.get(row["account_id"]))].append("count")
        for row in self.article_absences:
            if not row["listing_id"]:
                continue  # later rounds: see rule_round_observations
            key = (row["listing_id"], row["platform"])
            if "count" in covered[key]:
                yield self.problem(
                    "absences",
                    row,
                    "platform",
                    "platform-coverage",
                    f"{key[0]} has both an account and an absence for {key[1]}",
                )
            covered[key].append("absence")
            if (row["absence_kind"] == "cell_not_printed") != (row["cell_number"] == ""):
                yield self.problem(
                    "absences",
                    row,
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
                    row,
                    "as_printed",
                    "absence-kind",
                    f"absence_kind {row['absence_kind']} is printed as {expected!r}",
                )
        for row in self.rows["actor_listings"]:
            for platform in PLATFORM_COLUMN:
                if not covered.get((row["listing_id"], platform)):
                    yield self.problem(
                        "actor_listings",
                        row,
                        "listing_id",
                        "platform-coverage",
                        f"{row['listing_id']} says nothing for {platform}: add its counts or its absence",
                    )

    def rule_observations_dated_by_their_table(self) -> Iterable[Problem]:
        updated = {t["table_number"]: t["updated_on"] for t in self.rows["article_tables"]}
        table_of = {r["listing_id"]: r["table_number"] for r in self.rows["actor_listings"]}
        for table, rows in (("follower_counts", self.counts_needing_python), ("absences", self.article_absences)):
            for row in rows:
                expected = updated.get(table_of.get(row["listing_id"]))
                if row["listing_id"] and expected and row["observed_on"] != expected:
                    yield self.problem(
                        table,
                        row,
                        "observed_on",
                        "as-of-date",
                        f"the article's table note dates this figure {expected}",
                    )

    def rule_locator_names_table_row_and_column(self) -> Iterable[Problem]:
        listing = {r["listing_id"]: r for r in self.rows["actor_listings"]}
        platform_of = {a["account_id"]: a["platform"] for a in self.rows["accounts"]}
        for table, rows in (("follower_counts", self.counts_needing_python), ("absences", self.article_absences)):
            for row in rows:
                lst = listing.get(row["listing_id"])
                platform = row.get("platform") or platform_of.get(row["account_id"])
                if not lst or not platform:
                    continue
                expected = f"Table {lst['table_number']}, row {lst['row_number']}, {PLATFORM_COLUMN[platform]} column"
                if not row["source_locator"].startswith(expected):
                    yield self.problem(table, row, "source_locator", "locator", f"must start with {expected!r}")
