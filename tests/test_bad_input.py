"""Every kind of bad input fails the real build with a message naming file, line, column and
rule, and leaves the previous database exactly as it was; and every case of a schema rule fails
frictionless too, with the same rule, line and column."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import warnings
from pathlib import Path

import frictionless
import pytest
import yaml
from conftest import ROOT, copy_project

CASES = yaml.safe_load((ROOT / "tests/bad_inputs/cases.yml").read_text(encoding="utf-8"))
# The rules of the schema itself (named as frictionless names them); the others are text and
# structure hygiene or project rules, which frictionless does not know.
SCHEMA_RULES = {"type-error", "constraint-error", "primary-key", "unique-error", "foreign-key"}
SCHEMA_CASES = [c for c in CASES if c["expect"]["rule"] in SCHEMA_RULES]


def find_line(rows: list[list[str]], key: list[str]) -> int:
    for index, row in enumerate(rows):
        if row[: len(key)] == key:
            return index + 1
    raise AssertionError(f"the case's row {key} is not in the file any more: update the corpus")


def apply_edit(case: dict, file: Path) -> int:
    """Edit the file as the case says; return the line the edit touched."""
    if "bytes" in case:  # byte-level damage: encoding, byte order mark, line endings, emptiness
        data = file.read_bytes()
        edit = case["bytes"]
        if edit == "prepend_bom":
            file.write_bytes(b"\xef\xbb\xbf" + data)
            return 1
        if edit == "empty":
            file.write_bytes(b"")
            return 1
        lines = data.split(b"\n")
        line_number = next(
            i + 1 for i, text in enumerate(lines) if text.decode("utf-8").startswith(case["on_row"] + ",")
        )
        if edit == "latin1_line":
            lines[line_number - 1] = lines[line_number - 1].decode("utf-8").encode("latin-1", errors="replace")
        elif edit == "crlf_line":
            lines[line_number - 1] += b"\r"
        file.write_bytes(b"\n".join(lines))
        return line_number
    text = file.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    if "set" in case:
        line = find_line(rows, case["set"]["row"])
        rows[line - 1][header.index(case["set"]["column"])] = case["set"]["value"]
    elif "duplicate_row" in case:
        rows.append(list(rows[find_line(rows, case["duplicate_row"]) - 1]))
        line = len(rows)
    elif "drop_column" in case:
        index = header.index(case["drop_column"])
        rows = [r[:index] + r[index + 1 :] for r in rows]
        line = 1
    elif "append_text" in case:
        file.write_text(text + case["append_text"], encoding="utf-8")
        return text.count("\n") + 1
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    file.write_text(out.getvalue(), encoding="utf-8")
    return line


@pytest.mark.slow  # a subprocess build per case
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_fails_the_build_clearly_and_keeps_the_previous_database(case, tmp_path, fresh_db):
    project = copy_project(tmp_path)
    previous = project / "build" / "ots.db"
    previous.parent.mkdir()
    previous.write_bytes(fresh_db.read_bytes())
    line = apply_edit(case, project / case["file"])
    expect = case["expect"]
    if expect["line"] != "edited":
        line = expect["line"]
    reported_in = case["file"]
    if "at" in expect:  # the rule reports another row than the one edited (a link edited, its claim reported)
        reported_in = expect["at"]["file"]
        text = (project / reported_in).read_text(encoding="utf-8")
        line = find_line(list(csv.reader(io.StringIO(text, newline=""))), expect["at"]["row"])

    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/build.py"), "--root", str(project), "--db", str(previous)],
        capture_output=True,
        text=True,
    )

    wanted = [f"{reported_in}:{line}:", f"[{expect['rule']}]"]
    if "column" in expect:
        wanted.append(f"column '{expect['column']}'")
    matching = [m for m in result.stderr.splitlines() if all(w in m for w in wanted)]
    assert result.returncode != 0, result.stderr
    assert matching, f"no message contains all of {wanted}:\n{result.stderr}"
    assert previous.read_bytes() == fresh_db.read_bytes(), "the previous database changed"
    assert sorted(p.name for p in previous.parent.iterdir()) == ["ots.db"], "stray files left behind"


def frictionless_errors(project: Path, path: str) -> list[tuple[str, int | None, set[str]]]:
    """(rule, line, columns) of each error frictionless finds in the resource of one file (no
    columns for an error about a whole row, such as a repeated primary key)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        package = frictionless.Package(str(project / "datapackage.yaml"))
        resource = next(r for r in package.resources if r.path == path)
        report = package.validate(name=resource.name)
    return [
        (
            e.type,
            getattr(e, "row_number", None),
            {getattr(e, "field_name", None), *getattr(e, "field_names", [])} - {None},
        )
        for task in report.tasks
        for e in task.errors
    ]


@pytest.mark.slow  # a frictionless validation of the whole package per case
@pytest.mark.parametrize("case", SCHEMA_CASES, ids=[c["id"] for c in SCHEMA_CASES])
def test_schema_level_bad_input_fails_frictionless_with_the_same_rule(case, tmp_path):
    project = copy_project(tmp_path)
    line = apply_edit(case, project / case["file"])
    expect = case["expect"]
    if expect["line"] != "edited":
        line = expect["line"]
    columns = set(expect["column"].split(", ")) if "column" in expect else set()

    errors = frictionless_errors(project, case["file"])

    same = [e for e in errors if e[0] == expect["rule"] and e[1] == line and (not e[2] or columns <= e[2])]
    if case.get("frictionless") == "accepts":  # a deliberate difference: the case says why
        assert not same, f"frictionless now refuses this case too: drop its `frictionless: accepts`\n{errors}"
    else:
        assert same, f"frictionless does not report {expect['rule']} on line {line} {sorted(columns)}:\n{errors}"
