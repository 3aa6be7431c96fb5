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
  3. project rules       (rules/)      what a schema cannot say: printed figures parse to the
                                        stored counts, URLs match platforms, the curated tables
                                        account for every raw cell exactly once, ...

Python's csv module does the structural reading rather than csvkit's csvclean because the
messages must name the schema's expectations (header, column names) and the exact line.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

from ots_data import rules, staging
from ots_data.project import ROOT
from ots_data.schema import Resource, load_resources
from ots_data.staging import Problem


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


def project_rules(stage: sqlite3.Connection, resources: list[Resource], skip: tuple[str, ...] = ()) -> list[Problem]:
    """Layer 3: the project rules (rules that a schema cannot state), but those named in skip."""
    return list(rules.check(stage, resources, skip))


def check_loaded(
    stage_path: Path, resources: list[Resource], skip: tuple[str, ...] = ()
) -> tuple[list[Problem], list[Problem]]:
    """What validation checks once the files are staged (layer 1 done): the schema rules that the
    final tables cannot enforce, then (if those pass) the project rules; the problems of each. On
    a connection of its own, so that the build can run it beside the final load (a second core)."""
    stage = staging.connect(stage_path)
    try:
        unenforced = [p for r in resources for p in staging.check_fields(stage, r, only_unenforced=True)]
        return unenforced, [] if unenforced else project_rules(stage, resources, skip)
    finally:
        stage.close()


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
