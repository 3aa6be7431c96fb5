"""Layers 1 and 2 of validation, done where they are cheap: each CSV is read once, checked as
text, parsed, and bulk-loaded as text into a staging SQLite database; then every rule of the
schema (types, required, enums, ranges, patterns, primary, unique and foreign keys) is one SQL
scan generated from datapackage.yaml, from the same rules (schema.Rule) that write the final
tables' CHECK constraints. The build copies the checked rows from staging into the
final STRICT tables with INSERT ... SELECT, so each file is parsed exactly once.

Why not frictionless row by row: it is about 40x slower than a bulk load at a million rows
(see the Performance page). frictionless still validates the package independently in the tests
and in every release. The rule names in messages are frictionless' own (type-error,
constraint-error, primary-key, unique-error, foreign-key) so both read the same.

Every check has a fast path that scans the whole table once and only then, if anything failed,
a slow path that finds the exact rows for the message, so clean data costs one scan per rule.
"""

from __future__ import annotations

import csv
import itertools
import re
import shutil
import sqlite3
import subprocess
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ots_data.schema import SQLITE_TYPES, Field, Resource, is_number, pattern_matches, typed_value, violations

CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
# Spreadsheet formula injection: a cell starting with = + - @ may be run when a CSV is opened in a
# spreadsheet. Policy (docs: editorial policy): cells are never altered, because the data must
# stay as printed; only the shapes the article prints may start that way (a lone dash, a negative
# number, an @handle), and anything else is refused before it can reach a release.
FORMULA_PREFIX = ("=", "+", "-", "@")
SAFE_PREFIXED = re.compile(r"-|-[0-9][0-9.]*|@[A-Za-z0-9_.-]+( .*)?")
MAX_PROBLEMS = 200  # per check; a broken file is reported, not listed to the end


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None  # line in the file (the header is line 1)
    column: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        row = f" row {self.line - 1}," if self.line and self.line > 1 else ""
        column = f" column '{self.column}'," if self.column else ""
        return f"{where}:{row}{column} [{self.rule}] {self.message}"


def stage_name(resource: Resource) -> str:
    return f"stage_{resource.name}"


def quote(identifier: str) -> str:
    return f"[{identifier}]"


_is_number = is_number  # the name the build registers in its own connection (for convert_select)


def connect(path: Path) -> sqlite3.Connection:
    """A staging database, with the SQL functions the generated checks call."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")  # disposable file: no journal needed
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")  # 256 MiB page cache, bounded
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.create_function("regexp", 2, pattern_matches, deterministic=True)
    conn.create_function("is_number", 1, is_number, deterministic=True)
    conn.create_function("unsafe_prefix", 1, _unsafe_prefix, deterministic=True)
    return conn


# ------------------------------------------------------------------ layer 1: text and structure


def _text_problems(path: str, text: str) -> list[Problem]:
    """Whole-file checks with C-speed string operations; lines are located only on failure."""
    problems = []
    if not unicodedata.is_normalized("NFC", text):
        for number, line in enumerate(text.split("\n"), 1):
            if not unicodedata.is_normalized("NFC", line):
                problems.append(Problem(path, number, None, "unicode-nfc", "this line is not in Unicode NFC form"))
                break
    number, position = 1, 0
    for match in CONTROL.finditer(text):
        number, position = number + text.count("\n", position, match.start()), match.start()
        problems.append(Problem(path, number, None, "control-character", f"control character {match.group()!r}"))
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def _unsafe_prefix(value: str | None) -> bool:
    return value is not None and value.startswith(FORMULA_PREFIX) and not SAFE_PREFIXED.fullmatch(value)


CHUNK = 8 << 20  # bytes of whole lines checked at a time: memory stays bounded at any file size
SQLITE3_CLI = shutil.which("sqlite3")


def _check_text(path: str, file: Path) -> tuple[list[Problem], int]:
    """Stream the file in chunks of whole lines: encoding, line endings, NFC, control characters.
    Returns the problems and the number of lines."""
    problems, lines, tail = [], 0, b""
    with open(file, "rb") as handle:
        while True:
            block = handle.read(CHUNK)
            if not block and not tail:
                break
            data = tail + block
            cut = data.rfind(b"\n") + 1 if block else len(data)
            data, tail = data[:cut], data[cut:]
            if not data:
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as error:
                line = lines + data[: error.start].count(b"\n") + 1
                return [
                    Problem(
                        path,
                        line,
                        None,
                        "encoding",
                        f"not valid UTF-8 (byte {data[error.start]:#04x}); save the file as UTF-8",
                    )
                ], lines
            if "\r" in text:
                line = lines + text[: text.index("\r")].count("\n") + 1
                return [
                    Problem(path, line, None, "line-endings", "carriage return found; lines must end with LF only")
                ], lines
            problems += [
                Problem(p.path, p.line + lines, p.column, p.rule, p.message) for p in _text_problems(path, text)
            ]
            lines += text.count("\n")
            if not block:
                if not text.endswith("\n"):
                    problems.append(
                        Problem(path, lines + 1, None, "final-newline", "the last line must end with a newline")
                    )
                break
    return problems[:MAX_PROBLEMS], lines


def _with_column(problem: Problem, file: Path, names: list[str]) -> Problem:
    """Name the column of a text problem found on a whole line (read only on failure)."""
    if problem.rule not in ("unicode-nfc", "control-character") or not problem.line:
        return problem
    with open(file, encoding="utf-8", newline="") as handle:
        line = next(itertools.islice(handle, problem.line - 1, None), "")
    cells = next(csv.reader([line]), [])
    for name, value in zip(names, cells, strict=False):  # a short line has fewer cells
        bad = unicodedata.normalize("NFC", value) != value if problem.rule == "unicode-nfc" else CONTROL.search(value)
        if bad:
            message = f"{value!r} is not in Unicode NFC form" if problem.rule == "unicode-nfc" else problem.message
            return Problem(problem.path, problem.line, name, problem.rule, message)
    return problem


def _header_problem(path: str, file: Path, expected: list[str]) -> Problem | None:
    with open(file, encoding="utf-8", errors="replace", newline="") as handle:
        try:
            header = next(csv.reader(handle, strict=True))
        except (csv.Error, StopIteration) as error:
            return Problem(path, 1, None, "csv-syntax", str(error) or "no header row")
    if header == expected:
        return None
    duplicated = sorted({name for name in header if header.count(name) > 1})
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected]
    detail = [f"duplicated: {', '.join(duplicated)}"] if duplicated else []
    detail += [f"missing: {', '.join(missing)}"] if missing else []
    detail += [f"not in the schema: {', '.join(unknown)}"] if unknown else []
    detail = detail or ["same names in a different order"]
    return Problem(path, 1, None, "header", f"header must be exactly {','.join(expected)} ({'; '.join(detail)})")


def _start_import(conn: sqlite3.Connection, root: Path, resources: list[Resource]) -> subprocess.Popen | None:
    """Start bulk-loading the files with SQLite's own CSV importer (C speed, all in one process),
    in the background: the text checks run meanwhile, on the other core. None when the CLI is not
    installed (every file then goes through the Python reader)."""
    if not SQLITE3_CLI or not resources:
        return None
    database = conn.execute("PRAGMA database_list").fetchone()[2]
    conn.commit()
    script = "".join(
        ".import --csv --skip 1 '" + str(root / r.path).replace("'", "''") + f"' raw_{r.name}\n" for r in resources
    )
    process = subprocess.Popen(
        [SQLITE3_CLI, database], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    process.stdin.write(script)  # a few lines: written at once, the pipe does not fill
    process.stdin.close()
    process.stdin = None  # closed: communicate() must not touch it
    return process


def _finish_import(
    conn: sqlite3.Connection, process: subprocess.Popen | None, jobs: list[tuple[Resource, int]]
) -> set[str]:
    """Wait for the importer. Returns the names of the tables it loaded completely and silently;
    the others go through the Python reader, which names every structural problem exactly."""
    if process is None:
        return set()
    _, complaints = process.communicate()
    loaded = set()
    for resource, rows_expected in jobs:
        # .import numbers the rows 1..n and nothing deletes: max(rowid) is the row count, without
        # reading the table (count(*) reads every page: a second at a million rows).
        imported = conn.execute(f"SELECT ifnull(max(rowid), 0) FROM raw_{resource.name}").fetchone()[0]
        if process.returncode == 0 and resource.path not in complaints and imported == rows_expected:
            loaded.add(resource.name)
        else:
            conn.execute(f"DELETE FROM raw_{resource.name}")
    return loaded


def _import_with_python(conn: sqlite3.Connection, path: str, file: Path, table: str, width: int) -> list[Problem]:
    """The exact reader: every structural problem with its line. Row n of the file is rowid n - 1."""
    problems, batch = [], []
    columns = ", ".join(f"c{i}" for i in range(width))
    insert = f"INSERT INTO {table} (rowid, {columns}) VALUES ({', '.join('?' * (width + 1))})"
    with open(file, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        next(reader)
        previous = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                problems.append(Problem(path, previous + 1, None, "csv-syntax", f"{error} (an unterminated quote?)"))
                break
            line = reader.line_num
            if line != previous + 1:
                problems.append(
                    Problem(
                        path,
                        line,
                        None,
                        "line-break-in-cell",
                        "a cell may not contain a line break (or a quote is unterminated)",
                    )
                )
            previous = line
            if len(row) != width:
                problems.append(Problem(path, line, None, "cell-count", f"{len(row)} cells, the header has {width}"))
                continue
            batch.append((line - 1, *row))
            if len(batch) >= 50_000:
                conn.executemany(insert, batch)
                batch.clear()
    conn.executemany(insert, batch)
    return problems


def _prepare(conn: sqlite3.Connection, root: Path, resource: Resource) -> list[Problem]:
    """The checks of one file that read only its start (present, no byte order mark, the header),
    and its empty raw table. The text checks of the whole file follow (_check_text)."""
    path = resource.path
    file = root / path
    if not file.exists():
        return [Problem(path, None, None, "file-missing", "the schema lists this file but it does not exist")]
    with open(file, "rb") as handle:
        start = handle.read(3)
    if not start:
        return [Problem(path, 1, None, "empty-file", "the file is empty; it needs at least the header row")]
    if start == b"\xef\xbb\xbf":
        return [
            Problem(
                path, 1, None, "byte-order-mark", "the file starts with a UTF-8 byte order mark; save it without one"
            )
        ]
    header = _header_problem(path, file, resource.field_names)
    if header:
        # A file that is not UTF-8 or has CR line endings is reported as such, not as a bad header.
        text, _ = _check_text(path, file)
        return [p for p in text if p.rule in ("encoding", "line-endings")] or [header]
    raw = f"raw_{resource.name}"
    conn.execute(f"DROP VIEW IF EXISTS {stage_name(resource)}")
    conn.execute(f"DROP TABLE IF EXISTS {raw}")
    conn.execute(f"CREATE TABLE {raw} ({', '.join(f'c{i} TEXT' for i in range(len(resource.fields)))})")
    return []


def load_all(conn: sqlite3.Connection, root: Path, resources: list[Resource]) -> list[Problem]:
    """Check every file as text and structure and load it, as text, into staging.

    The rows of a file land in raw_<table> (row n of the file is rowid n - 1) and are read through
    the view stage_<table>, which names the columns and adds the file line as _line. The bulk
    import runs in the background while the text checks read the same files."""
    problems = [p for resource in resources for p in _prepare(conn, root, resource)]
    if problems:
        return problems[:MAX_PROBLEMS]
    importer = _start_import(conn, root, resources)
    jobs = []
    try:
        for resource in resources:
            found, lines = _check_text(resource.path, root / resource.path)
            problems += [_with_column(p, root / resource.path, resource.field_names) for p in found]
            jobs.append((resource, lines - 1))
    finally:
        if problems and importer is not None:
            importer.kill()  # the files are refused: their rows are not needed
            importer.communicate()
    if problems:
        return problems[:MAX_PROBLEMS]
    loaded = _finish_import(conn, importer, jobs)
    for resource, _ in jobs:
        if resource.name not in loaded:
            problems += _import_with_python(
                conn, resource.path, root / resource.path, f"raw_{resource.name}", len(resource.fields)
            )
        names = ", ".join(f"c{i} AS {quote(f.name)}" for i, f in enumerate(resource.fields))
        conn.execute(
            f"CREATE VIEW {stage_name(resource)} AS SELECT rowid + 1 AS _line, {names} FROM raw_{resource.name}"
        )
    conn.commit()
    return problems[:MAX_PROBLEMS]


# ------------------------------------------------------------------ layer 2: the schema, in SQL


def value_column(field: Field) -> str:
    """The column of checked_rows() holding a field's typed value."""
    return quote(f"{field.name}:value")


def checked_rows(resource: Resource, conditions: list[str], shown: Field | None = None) -> str:
    """The staged rows of a table as a subquery that the conditions can read: _line, the text of the
    field `shown`, and the typed value ([name:value], schema.typed_value) of every field that the
    conditions use. LIMIT -1 makes SQLite run it as a co-routine, so each typed value is computed
    once per row, not wherever a rule reads it."""
    values = "".join(
        f", {typed_value(resource, f, quote(f.name))} AS {value_column(f)}"
        for f in resource.fields
        if any(value_column(f) in c for c in conditions)
    )
    text = f", {quote(shown.name)}" if shown else ""
    return f"(SELECT _line{text}{values} FROM {stage_name(resource)} LIMIT -1)"


def field_check(resource: Resource, field: Field) -> list[tuple[str, str, str, bool]]:
    """(SQL condition over checked_rows() true for a bad value, rule name, message, enforced by the
    final table) for each rule of one field: the schema's rules (schema.violations) and the
    project's cell hygiene. Rules the final STRICT table enforces itself (types, NOT NULL, CHECKs)
    are only run here to name the rows when the table refuses a load."""
    col = quote(field.name)
    conditions = [
        (condition, rule.error, rule.message, rule.enforced)
        for rule, condition in violations(resource, field, value_column(field))
    ]
    fk_fields = {name for fk in resource.foreign_keys for name in fk["fields"]}
    free_text = (
        field.type == "string" and not field.enum and "pattern" not in field.constraints and field.name not in fk_fields
    )
    if free_text:
        # Cell hygiene on free-text columns. Every other column already refuses a stray space
        # through its type, enum, pattern or foreign key, with its own message.
        conditions.append(
            (f"({col} GLOB '[ \t]*' OR {col} GLOB '*[ \t]')", "surrounding-space", "leading or trailing space", False)
        )
    if free_text or field.type in ("integer", "number"):
        # A number may start with + (Table Schema and frictionless read +7), and a spreadsheet
        # would run that cell as a formula: the same policy as for text.
        conditions.append(
            (
                f"{col} GLOB '[=+@-]*' AND unsafe_prefix({col})",
                "formula-prefix",
                "starts like a spreadsheet formula; only a printed '-', a number or an '@handle' may",
                False,
            )
        )
    return conditions


def _unique_fields(resource: Resource) -> list[tuple[Field, bool]]:
    """Fields with the unique constraint (other than a one-column primary key, checked as the key),
    and whether the final table enforces it (as a one-column UNIQUE key)."""
    return [
        (field, (field.name,) in resource.unique_keys)
        for field in resource.fields
        if field.constraints.get("unique") and (field.name,) != resource.primary_key
    ]


def check_fields(conn: sqlite3.Connection, resource: Resource, only_unenforced: bool = False) -> list[Problem]:
    """Every field rule of a table (or only those its final table cannot enforce), with rows."""
    checks = [
        (field, cond, rule, message)
        for field in resource.fields
        for cond, rule, message, enforced in field_check(resource, field)
        if not (only_unenforced and enforced)
    ]
    # Fast path: one scan of the text for any bad cell, one of the typed values for any bad value
    # (the rules on text read the staging view directly, which is faster than through a co-routine).
    on_values = [c for _, c, _, _ in checks if ":value]" in c]
    on_text = [c for _, c, _, _ in checks if ":value]" not in c]
    scans = [(stage_name(resource), on_text), (checked_rows(resource, on_values), on_values)]
    problems = []
    if any(
        conn.execute(f"SELECT EXISTS (SELECT 1 FROM {rows} WHERE {' OR '.join(f'({c})' for c in conds)})").fetchone()[0]
        for rows, conds in scans
        if conds
    ):
        for field, cond, rule, message in checks:
            rows = checked_rows(resource, [cond], shown=field)
            for line, value in conn.execute(
                f"SELECT _line, {quote(field.name)} FROM {rows} WHERE {cond} ORDER BY _line LIMIT {MAX_PROBLEMS}"
            ):
                problems.append(Problem(resource.path, line, field.name, rule, f"{message} (value {value!r})"))
    for field, enforced in _unique_fields(resource):
        if not (only_unenforced and enforced):
            problems += _duplicates(conn, resource, (field.name,), "unique-error", skip_missing=True)
    return sorted(problems, key=lambda p: (p.line, p.column))[:MAX_PROBLEMS]


def duplicate_rows_sql(table: str, key: Sequence[str], where: str = "1") -> str:
    """The duplicate-key query: the rows of `table` (those `where` keeps) whose key, a list of SQL
    expressions such as column names, equals that of an earlier row, as (_line, *key, first line
    with that key), in line order; NULLs count as equal. Callers add their LIMIT.

    The window functions number the rows only if a GROUP BY (about 5x faster) has found a repeated
    key, so a table without duplicates costs one grouping."""
    names = ", ".join(f"k{i}" for i in range(len(key)))
    values = ", ".join(f"{expression} AS k{i}" for i, expression in enumerate(key))
    repeated = f"EXISTS (SELECT 1 FROM {table} WHERE {where} GROUP BY {', '.join(key)} HAVING count(*) > 1)"
    return (
        f"SELECT _line, {names}, first FROM (SELECT _line, {names}, "
        f"first_value(_line) OVER (PARTITION BY {names} ORDER BY _line) AS first, "
        f"row_number() OVER (PARTITION BY {names} ORDER BY _line) AS n "
        f"FROM (SELECT _line, {values} FROM {table} WHERE ({where}) AND {repeated})) WHERE n > 1 ORDER BY _line"
    )


def _key_values(resource: Resource, columns: Sequence[str], alias: str = "") -> list[str]:
    """The typed values of key columns, compared as values as frictionless and SQLite do (7 = 07)."""
    return [typed_value(resource, resource.field(c), f"{alias}{quote(c)}") for c in columns]


def _duplicates(
    conn: sqlite3.Connection, resource: Resource, columns: tuple[str, ...], rule: str, skip_missing: bool
) -> list[Problem]:
    values = _key_values(resource, columns)
    where = " AND ".join(f"{v} IS NOT NULL" for v in values) if skip_missing else "1"
    sql = duplicate_rows_sql(stage_name(resource), values, where)
    return [
        Problem(resource.path, line, ", ".join(columns), rule, f"the same {', '.join(columns)} as on line {first}")
        for line, *_, first in conn.execute(f"{sql} LIMIT {MAX_PROBLEMS}")
    ]


def check_keys(conn: sqlite3.Connection, resource: Resource, resources: dict[str, Resource]) -> list[Problem]:
    """Primary key, unique keys (rows with an empty key column are not compared) and foreign keys."""
    problems = _duplicates(conn, resource, resource.primary_key, "primary-key", skip_missing=False)
    for key in resource.unique_keys:
        problems += _duplicates(conn, resource, key, "unique-error", skip_missing=True)
    table = stage_name(resource)
    for fk in resource.foreign_keys:
        ref = resources[fk["reference"]["resource"]]
        pairs = list(zip(fk["fields"], fk["reference"]["fields"], strict=True))

        def remote(alias: str, ref: Resource = ref, pairs: list = pairs) -> list[str]:
            return [typed_value(ref, ref.field(r), f"{alias}c{ref.field_names.index(r)}") for _, r in pairs]

        # The lookup goes to the referenced raw table (c0, c1, ...) through an index on its typed
        # values: the view cannot be indexed.
        index = f"idx_raw_{ref.name}_{'_'.join(r for _, r in pairs)}"
        conn.execute(f"CREATE INDEX IF NOT EXISTS {index} ON raw_{ref.name} ({', '.join(remote(''))})")
        local = _key_values(resource, [c for c, _ in pairs], "s.")
        present = " AND ".join(f"{v} IS NOT NULL" for v in local)  # as SQLite: a key with a NULL is not looked up
        match = " AND ".join(f"{r} = {v}" for r, v in zip(remote("r."), local, strict=True))
        orphan = f"FROM {table} s WHERE {present} AND NOT EXISTS (SELECT 1 FROM raw_{ref.name} r WHERE {match})"
        columns = ", ".join(fk["fields"])
        cells = ", ".join(f"s.{quote(c)}" for c, _ in pairs)
        for line, *values in conn.execute(f"SELECT s._line, {cells} {orphan} ORDER BY s._line LIMIT {MAX_PROBLEMS}"):
            message = f'for "{columns}": values "{", ".join(values)}" not found in the lookup table "{ref.name}"'
            problems.append(Problem(resource.path, line, columns, "foreign-key", message))
    return problems


def convert_select(resource: Resource, schema: str = "") -> str:
    """SELECT that turns staged text into typed values for the final STRICT table (typed_value):
    a value that is not of its type is passed on as a BLOB, which the STRICT table refuses, so the
    table, not a separate scan, is the check."""
    values = []
    for i, field in enumerate(resource.fields):
        value = typed_value(resource, field, f"c{i}")
        if resource.primary_key == (field.name,) and SQLITE_TYPES[field.type] == "INTEGER":
            # The column is the table's rowid, which turns NULL into the next number instead of
            # refusing it: a missing key is passed on as a BLOB, which it refuses.
            value = f"coalesce({value}, CAST('' AS BLOB))"
        values.append(value)
    return f"SELECT {', '.join(values)} FROM {schema}raw_{resource.name} ORDER BY rowid"
