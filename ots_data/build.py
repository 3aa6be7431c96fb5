"""Step 2: validate, then build the SQLite database from the CSVs.

Each CSV is parsed once: validation loads it into a staging database and checks it there
(scripts/staging.py, scripts/validate.py); the build copies the checked rows into STRICT tables
with keys and CHECK constraints generated from the schema, then adds indexes, views and search.

The database is written to a temporary file beside the target and moved into place only when it
is complete and has passed its own checks, so a failed or interrupted build leaves the previous
database exactly as it was. The same inputs give a byte-identical file: rows are inserted in
file order and nothing time-dependent is stored.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import unicodedata
from pathlib import Path

import sqlite_utils

from ots_data import staging
from ots_data.project import ROOT
from ots_data.schema import load_resources
from ots_data.validate import run as run_validation

DEFAULT_DB = ROOT / "build" / "ots.db"

# Indexes for foreign keys and the filters readers use most (facets in metadata.yml).
INDEXES = {
    "actors": [["state_code"], ["role_category"]],
    "actor_listings": [["actor_id"], ["table_number", "row_number"]],
    "accounts": [["actor_id"], ["platform"], ["account_kind"]],
    # (account_id, observed_on, ...) is the unique index validation builds (idx_follower_counts_one_value).
    "follower_counts": [["listing_id"], ["observed_on"], ["count"]],
    "absences": [["actor_id"], ["listing_id"], ["platform"], ["absence_kind"]],
}

# Full-text search, built last. Readers type names without Turkic letters and in any case
# ("cavusoglu", "ilham", "kirgizistan"), so each searchable row gets a search text holding its
# words as printed AND folded to plain ASCII lower case (see fold()); FTS5's unicode61 tokenizer
# alone would miss the dotless ı and the Azerbaijani ə, which have no Unicode decomposition.
# The text is assembled by SQL from the row and its related rows (aliases, handles, listings),
# so a search for an alias or a handle finds the person. Datasette's search box uses these
# tables through fts_table/fts_pk in metadata.yml.
SEARCH_SOURCES = {
    "actors": """
        select a.rowid, concat_ws(' ', a.actor_id, a.name, a.label_as_printed, a.role_as_printed, a.role_category, a.state_code,
          (select group_concat(l.label_as_printed, ' ') from actor_listings l where l.actor_id = a.actor_id),
          (select group_concat(x.alias, ' ') from actor_aliases x where x.actor_id = a.actor_id),
          (select group_concat(c.handle || ' ' || c.handle_as_printed, ' ') from accounts c where c.actor_id = a.actor_id))
        from actors a""",
    "accounts": """
        select c.rowid, concat_ws(' ', c.handle, c.handle_as_printed, c.platform, a.name,
          (select group_concat(x.alias, ' ') from actor_aliases x where x.actor_id = c.actor_id))
        from accounts c join actors a on a.actor_id = c.actor_id""",
    "commitments": "select rowid, concat_ws(' ', commitment_id, domain, statement, quote, section, note) from commitments",
    "survey_figures": """select rowid, concat_ws(' ', figure_id, indicator, value_as_printed, population, geography_as_printed,
        country_code, reference_period_as_printed, quote, note) from survey_figures""",
    "events": "select rowid, concat_ws(' ', event_id, title, event_type, date_as_printed, actor_ids, state_codes, quote, note) from events",
    "errata": "select rowid, concat_ws(' ', erratum_id, category, printed, source_locator, record, evidence, affects, note) from errata",
}
FTS_TOKENIZE = "unicode61 remove_diacritics 2"
FOLD_FIRST = str.maketrans({"ı": "i", "İ": "i", "ə": "e", "Ə": "e", "ø": "o", "ł": "l", "đ": "d", "ß": "ss"})


def fold(text: str) -> str:
    """Lower-case ASCII-ish form of text: Çavuşoğlu -> cavusoglu, Kırgızistan -> kirgizistan."""
    text = unicodedata.normalize("NFKD", text.translate(FOLD_FIRST))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def build_search(db: sqlite_utils.Database) -> None:
    for table, sql in SEARCH_SOURCES.items():
        # Plain SQL, not sqlite-utils' enable_fts(): that indexes existing columns only, and the
        # search text here is assembled from several tables and folded in Python.
        db.execute(f"CREATE VIRTUAL TABLE [{table}_fts] USING fts5(search_text, tokenize = '{FTS_TOKENIZE}')")
        rows = [(rowid, f"{text} {fold(text)}") for rowid, text in db.execute(sql.replace("concat_ws", "_concat_ws"))]
        db.conn.executemany(f"INSERT INTO [{table}_fts] (rowid, search_text) VALUES (?, ?)", rows)


# Views that answer common questions without repeating joins in every query. Each has its
# description here, beside its SQL (scripts/metadata.py shows it in Datasette).
VIEWS = {
    "printed_cells": (
        "One row per printed table cell (platform column) of Tables 1-3, text exactly as printed: a cell "
        "holding two accounts is joined back from its entries with a space; a cell the printed row does not "
        "have is null, a cell printed empty is an empty string.",
        """
select l.listing_id, l.table_number, l.row_number, l.label_as_printed, cells.platform, cells.cell_text
from actor_listings l
join (
  -- group_concat follows the subquery's order in practice; the raw round-trip tests guard it
  select c.listing_id, a.platform, group_concat(c.cell_text_as_printed, ' ') as cell_text
  from (select * from follower_counts where listing_id is not null order by listing_id, entry_number) c
  join accounts a on a.account_id = c.account_id
  group by c.listing_id, a.platform
  union all
  select listing_id, platform, case when absence_kind = 'cell_not_printed' then null else as_printed end
  from absences where listing_id is not null
) cells on cells.listing_id = l.listing_id
""",
    ),
    # The three views below are written with correlated subqueries over the index on
    # (account_id, observed_on) rather than window functions over the whole table, so that a page
    # of them costs a few index lookups per row, whether the table holds a hundred rows or a
    # million (see the Performance page).
    "account_observations": (
        "One figure per account, metric and date: where the article prints the same account twice on one "
        "date (Tables 1 and 3), the row with a value is kept, then the first by count_id.",
        """
select c.account_id, c.metric, c.observed_on, c.count, c.count_as_printed, c.count_precision, c.is_ambiguous, c.count_id, c.source_id
from follower_counts c
where c.count_id = (
  select f.count_id from follower_counts f
  where f.account_id = c.account_id and f.observed_on = c.observed_on and f.metric = c.metric
  order by f.count is null, f.count_id limit 1)
""",
    ),
    "count_changes": (
        "Change between consecutive observations of every account and metric: absolute, and in percent of "
        "the earlier figure (empty when either figure is empty or the earlier one is zero).",
        """
select o.account_id, o.metric, p.observed_on as previous_on, o.observed_on, p.count as previous_count, o.count,
  o.count - p.count as change,
  case when p.count > 0 then round(100.0 * (o.count - p.count) / p.count, 2) end as change_percent,
  p.count_id as previous_count_id, o.count_id
from account_observations o
join account_observations p on p.account_id = o.account_id and p.metric = o.metric
  and p.observed_on = (select max(g.observed_on) from follower_counts g
                       where g.account_id = o.account_id and g.metric = o.metric and g.observed_on < o.observed_on)
""",
    ),
}


# Derived tables, computed once at build time because the database never changes afterwards:
# a page of them is then an index lookup at any size, and they paginate like any table instead of
# being cut off at max_returned_rows like a long query result.
DERIVED_TABLES = {
    "latest_counts": (
        "The latest figure of every account and metric, with the account and actor.",
        """
select a.account_id, a.platform, a.handle, a.actor_id, ac.name as actor_name, c.metric, c.observed_on,
  c.count, c.count_as_printed, c.count_precision, c.is_ambiguous, c.count_id, c.source_id
from accounts a
join actors ac on ac.actor_id = a.actor_id
join follower_counts c on c.count_id = (
  select f.count_id from follower_counts f
  where f.account_id = a.account_id
    and f.observed_on = (select max(g.observed_on) from follower_counts g where g.account_id = a.account_id)
  order by f.count is null, f.count_id limit 1)
""",
    ),
}
DERIVED_INDEXES = {"latest_counts": [["count"], ["platform"], ["actor_id"]]}


class ValidationFailed(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} validation problem(s)")
        self.problems = problems


def reserve(folder: Path, name: str) -> Path:
    """A unique temporary path beside the target, with a name no step ever reads."""
    fd, path = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    Path(path).unlink()  # sqlite creates its own file; mkstemp only reserved the name
    return Path(path)


def build(root: Path, target: Path, progress=None) -> None:
    """Validate into a staging database, then copy the checked rows into the final STRICT tables.

    Raises ValidationFailed with the problems when the data is not valid; the target is untouched.
    """
    resources = load_resources(root / "datapackage.yaml")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Leftovers of a build that was killed (kill -9 cannot clean up after itself): no step ever
    # reads these names, and the next build removes them.
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    stage_path = reserve(target.parent, f"{target.name}.staging")
    tmp = reserve(target.parent, target.name)
    say = progress or (lambda message: None)
    try:
        stage = staging.connect(stage_path)
        db = sqlite_utils.Database(tmp)
        # The file is not in place until the end, so it needs no journal; it is fsynced before the move.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        say("validating and loading")
        problems = run_validation(root, stage, db.conn, resources)
        stage.close()
        if problems:
            raise ValidationFailed(problems)
        # SQLite 3.40 has no concat_ws(); this one skips NULLs the same way.
        db.conn.create_function(
            "_concat_ws", -1, lambda sep, *parts: sep.join(str(p) for p in parts if p is not None), deterministic=True
        )
        say("indexing")
        for table, indexes in INDEXES.items():
            for columns in indexes:
                db[table].create_index(columns, index_name=f"idx_{table}_{'_'.join(columns)}")
        for name, (_, sql) in VIEWS.items():
            db.create_view(name, sql.strip())
        for name, (_, sql) in DERIVED_TABLES.items():
            db.execute(f"CREATE TABLE [{name}] AS {sql.strip()} ORDER BY 1")  # deterministic row order
            for columns in DERIVED_INDEXES.get(name, []):
                db[name].create_index(columns, index_name=f"idx_{name}_{'_'.join(columns)}")
        say("search index")
        build_search(db)
        db.conn.commit()
        db.close()
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        stage_path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder holding datapackage.yaml and data/")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="database file to write")
    args = parser.parse_args(argv)
    progress = (lambda message: print(f"  {message} ...", file=sys.stderr, flush=True)) if sys.stderr.isatty() else None
    try:
        build(args.root, args.db, progress)
    except ValidationFailed as failure:
        for problem in failure.problems:
            print(problem, file=sys.stderr)
        print(
            f"build stopped: {len(failure.problems)} validation problem(s); {args.db} was not changed", file=sys.stderr
        )
        return 1
    except (sqlite3.DatabaseError, RuntimeError) as error:
        print(f"build failed: {error}; {args.db} was not changed", file=sys.stderr)
        return 1
    print(f"built {args.db}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
