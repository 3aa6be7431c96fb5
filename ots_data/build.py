"""Step 2: validate, then build the SQLite database from the CSVs.

Each CSV is parsed once: validation loads it into a staging database and checks it there
(ots_data/staging.py, ots_data/validate.py); the build copies the checked rows into STRICT tables
with keys and CHECK constraints generated from the schema (whose refusal of a row is the schema
check for valid data), then adds what ots_data/catalog/ describes: indexes, views, derived tables
and search.

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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import sqlite_utils
import yaml

from ots_data import rules, staging, validate
from ots_data.catalog import load as load_catalog
from ots_data.inflect import name_forms
from ots_data.project import ROOT
from ots_data.schema import Resource, create_table_sql, load_resources
from ots_data.staging import Problem

DEFAULT_DB = ROOT / "build" / "ots.db"

# Readers type names without Turkic letters and in any case ("cavusoglu", "ilham", "kirgizistan"),
# so each searchable row's search text (see catalog.yml) holds its words as printed AND folded to
# plain ASCII lower case (fold()); FTS5's unicode61 tokenizer alone would miss the dotless ı and
# the Azerbaijani ə, which have no Unicode decomposition.
FTS_TOKENIZE = "unicode61 remove_diacritics 2"
FOLD_FIRST = str.maketrans({"ı": "i", "İ": "i", "ə": "e", "Ə": "e", "ø": "o", "ł": "l", "đ": "d", "ß": "ss"})


def fold(text: str) -> str:
    """Lower-case ASCII-ish form of text: Çavuşoğlu -> cavusoglu, Kırgızistan -> kirgizistan."""
    text = unicodedata.normalize("NFKD", text.translate(FOLD_FIRST))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


# The Turkish and Russian pages summarise each erratum and state each commitment in their own
# words (docs/i18n/). Their text goes into the row's search text, so that a reader who searches
# the data as the page writes (Сердар Бердымухамедов, Hacıyev, "Зелёная книга") finds the row.
TRANSLATED = {"errata": "docs/i18n/errata.yml", "commitments": "docs/i18n/commitments.yml"}
# The offices as readers name them in English, Turkish and Russian (one entry per role_category):
# the actors' search text holds them, registered in SQLite as roles_of(role_category).
ROLES = "docs/i18n/roles.yml"


def translation_files(root: Path) -> dict[str, dict]:
    return {
        table: yaml.safe_load((root / path).read_text(encoding="utf-8")) if (root / path).exists() else {}
        for table, path in TRANSLATED.items()
    }


def translations_of(files: dict[str, dict], table: str, key: str) -> str:
    """The Turkish and Russian text of a row (registered in SQLite as translations_of(table, key))."""
    entry = files.get(table, {}).get(key) or {}
    return " ".join(entry.get(lang, "") for lang in ("tr", "ru")).strip()


def roles_of(roles: dict, category: str | None) -> str:
    """An office's names in English, Turkish and Russian (registered in SQLite as roles_of(category))."""
    entry = roles.get(category or "") or {}
    return " ".join(entry.get(lang, "") for lang in ("en", "tr", "ru")).strip()


def build_search(db: sqlite_utils.Database, sources: dict[str, str]) -> None:
    for table, sql in sources.items():
        # Plain SQL, not sqlite-utils' enable_fts(): that indexes existing columns only, and the
        # search text here is assembled from several tables and folded in Python.
        db.execute(f"CREATE VIRTUAL TABLE [{table}_fts] USING fts5(search_text, tokenize = '{FTS_TOKENIZE}')")
        rows = [(rowid, f"{text} {fold(text)}") for rowid, text in db.execute(sql.replace("concat_ws", "_concat_ws"))]
        db.conn.executemany(f"INSERT INTO [{table}_fts] (rowid, search_text) VALUES (?, ?)", rows)


# "One value per account, date and metric" as a unique index: it is built anyway (its leading
# columns serve every per-account lookup), and building it is the check: the project rule that
# says the same (ONE_VALUE_RULE, a GROUP BY over every row) runs only when the index fails.
ONE_VALUE_INDEX_NAME = "idx_follower_counts_one_value"
ONE_VALUE_INDEX = (
    f"CREATE UNIQUE INDEX {ONE_VALUE_INDEX_NAME} "
    "ON follower_counts (account_id, observed_on, metric, ifnull(listing_id, ''))"
)
ONE_VALUE_RULE = "rule_one_figure_per_account_metric_and_day"


def load_final(final: sqlite3.Connection, stage: sqlite3.Connection, resources: list[Resource]) -> list[Problem]:
    """Copy the staged rows into the final STRICT tables, which enforce types, NOT NULL, CHECKs,
    keys and foreign keys themselves, in C, as the rows go in: for valid data that is the schema
    check, at the cost of the load. Only if a table refuses a row does validation name the file,
    line and column of every problem (validate.explain_refusal)."""
    stage_path = stage.execute("PRAGMA database_list").fetchone()[2]
    final.create_function("is_number", 1, staging._is_number, deterministic=True)
    final.execute("PRAGMA foreign_keys = ON")
    final.execute("ATTACH DATABASE ? AS staging", [stage_path])
    try:
        for resource in resources:  # schema order: referenced tables come first
            final.execute(create_table_sql(resource))
            final.execute(f"INSERT INTO [{resource.name}] {staging.convert_select(resource, 'staging.')}")
        final.commit()
        try:
            final.execute(ONE_VALUE_INDEX)
        except sqlite3.IntegrityError:
            pass  # the project rule on round observations names the duplicated rows
        final.commit()
    except sqlite3.IntegrityError as error:
        final.rollback()
        return validate.explain_refusal(stage, resources) or [
            Problem("datapackage.yaml", None, None, "database", f"SQLite refused the data: {error}")
        ]
    finally:
        final.execute("DETACH DATABASE staging")
    return []


def load_while_checking(
    final: sqlite3.Connection, stage: sqlite3.Connection, resources: list[Resource]
) -> list[Problem]:
    """Load the final tables (this thread) while validation checks the staged rows (a second thread
    with its own connection): both spend their time inside SQLite, which releases the GIL, so the
    two use both cores. The problems are those of running one after the other: the unenforced
    schema rules first, then a refusal by the final tables, then the project rules."""
    stage_path = Path(stage.execute("PRAGMA database_list").fetchone()[2])
    with ThreadPoolExecutor(max_workers=1) as second_core:
        checking = second_core.submit(validate.check_loaded, stage_path, resources, skip=(ONE_VALUE_RULE,))
        refused = load_final(final, stage, resources)
        try:
            unenforced, broken_rules = checking.result()
        except Exception:
            if refused:  # rules may stumble over rows the schema refuses: the refusal is the answer
                return refused
            raise
    if unenforced or refused:
        return unenforced or refused
    if not final.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [ONE_VALUE_INDEX_NAME]).fetchone():
        one_value = getattr(rules.Rules(stage, {r.name: r for r in resources}), ONE_VALUE_RULE)
        broken_rules = [*one_value(), *broken_rules]
    return broken_rules


class ValidationFailed(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} validation problem(s)")
        self.problems = problems


def reserve(folder: Path, name: str) -> Path:
    """A unique temporary path beside the target, with a name no step ever reads."""
    fd, path = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    Path(path).unlink()  # sqlite creates its own file; mkstemp only reserved the name
    return Path(path)


def build(root: Path, target: Path, progress: Callable[[str], None] | None = None) -> None:
    """Validate into a staging database, then copy the checked rows into the final STRICT tables.

    Raises ValidationFailed with the problems when the data is not valid; the target is untouched.
    """
    resources = load_resources(root / "datapackage.yaml")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Leftovers of a build that was killed (kill -9 cannot clean up after itself): no step ever
    # reads these names, and the next build removes them.
    for stale in target.parent.glob(f".{target.name}.*.tmp*"):
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
        problems = staging.load_all(stage, root, resources) or load_while_checking(db.conn, stage, resources)
        stage.close()
        if problems:
            raise ValidationFailed(problems)
        # SQLite 3.40 has no concat_ws(); this one skips NULLs the same way.
        db.conn.create_function(
            "_concat_ws", -1, lambda sep, *parts: sep.join(str(p) for p in parts if p is not None), deterministic=True
        )
        files = translation_files(root)
        db.conn.create_function("translations_of", 2, partial(translations_of, files), deterministic=True)
        roles = yaml.safe_load((root / ROLES).read_text(encoding="utf-8")) if (root / ROLES).exists() else {}
        db.conn.create_function("roles_of", 1, partial(roles_of, roles), deterministic=True)
        # Names in their grammatical forms (Эрдогана, Erdoğan'ın), and offices' words in theirs.
        db.conn.create_function("name_forms", 1, lambda text: name_forms(text or ""), deterministic=True)
        db.conn.create_function(
            "word_forms", 1, lambda text: name_forms(text or "", every_word=True), deterministic=True
        )
        catalog = load_catalog()
        say("indexing")
        for table, indexes in catalog.indexes.items():
            for columns in indexes:
                db[table].create_index(list(columns), index_name=f"idx_{table}_{'_'.join(columns)}")
        for view in catalog.views.values():
            db.create_view(view.name, view.sql)
        for table in catalog.derived_tables.values():
            db.execute(f"CREATE TABLE [{table.name}] AS {table.sql} ORDER BY 1")  # deterministic row order
            for columns in table.indexes:
                db[table.name].create_index(list(columns), index_name=f"idx_{table.name}_{'_'.join(columns)}")
        say("search index")
        build_search(db, catalog.search)
        db.conn.commit()
        db.close()
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        for leftover in (stage_path, stage_path.with_name(stage_path.name + "-journal")):
            leftover.unlink(missing_ok=True)  # a journal stays when a refused import is stopped midway


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
