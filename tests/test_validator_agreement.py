"""The build's schema checks reach frictionless' verdict, and the final tables refuse exactly what
validation names.

A Hypothesis test takes the real package, changes one cell of one real row (numbers with leading
zeros, a sign, an exponent or spaces; impossible dates; enum values in another case; strings just
outside a pattern; empty required cells; booleans spelled 1 or TRUE; values either side of a
minimum or maximum; keys copied from another row), and checks two things:

1. Validation's schema rules (staging.check_fields and check_keys, the SQL that `make validate`
   runs) report the same rows, columns and rules as `frictionless validate` of that resource, but
   for the deliberate differences listed in DELIBERATE below, each with its reason.
2. The final STRICT tables (schema.create_table_sql, loaded by staging.convert_select as the build
   loads them) refuse the package exactly when validation names a rule they enforce.

Not compared: text and structure hygiene (encoding, NFC, surrounding spaces, spreadsheet formula
prefixes: project policy, not the schema) and the project rules.

Differences that are not schema verdicts, noted here so they are not mistaken for gaps:
- "+7" is an integer for both; the build still refuses it, as the formula-prefix rule (a cell
  starting with + would run as a formula in a spreadsheet; see the editorial policy). So are
  numbers starting with "-" other than -digits[.digits] ("-1e5", "-.5").
- Leading zeros ("07.5", "007") are accepted by both: frictionless 5.21's default bareNumber reads
  them with Python's Decimal() and int(), and so does Table Schema's lexical form.
- Every primary key column is NOT NULL in SQLite; frictionless only refuses a key whose cells are
  all empty. Every primary key column of this schema is also required, so no verdict differs.
- A composite foreign key with one empty cell is not looked up (SQLite's rule); frictionless looks
  it up. This schema has no composite foreign key.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import tempfile
import warnings
from datetime import date
from pathlib import Path

import frictionless
import pytest
from conftest import ROOT, copy_project, read_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ots_data import staging
from ots_data.schema import Field, Resource, create_table_sql, load_resources

RESOURCES = load_resources(ROOT / "datapackage.yaml")
BY_NAME = {r.name: r for r in RESOURCES}
ROWS = {r.name: read_csv(ROOT / r.path) for r in RESOURCES}
FIELD_RULES = {"type-error", "constraint-error"}
KEY_RULES = {"primary-key", "unique-error", "foreign-key"}

TABLE_SCHEMA_INTEGER = re.compile(r"[+-]?[0-9]+")
TABLE_SCHEMA_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# Cells that frictionless 5.21 reads as the field's type and the build refuses as a type-error:
# (what, why, which cells). frictionless reads integers with Python's int(), numbers with Decimal()
# and dates with datetime.strptime("%Y-%m-%d"), which read more than Table Schema's lexical forms.
DELIBERATE = [
    (
        "a number with spaces around it",
        "Table Schema's lexical form has none, and cells are stored as printed: a space is a typo "
        "that the build reports rather than strips",
        lambda f, t: f.type in ("integer", "number") and t != t.strip(),
    ),
    (
        "a number spelled the Python way: _ between digits, non-ASCII digits, NaN, Infinity, inf",
        "not Table Schema's lexical form, and no other reader of the CSVs (SQLite, R, spreadsheets) "
        "takes them as numbers; SQLite would store NaN as NULL",
        lambda f, t: (
            f.type in ("integer", "number")
            and ("_" in t or not t.isascii() or t.strip().lstrip("+-").lower().startswith(("nan", "snan", "inf")))
        ),
    ),
    (
        "an integer outside SQLite's 64-bit range",
        "SQLite cannot store it; the database would hold a different number than the CSV",
        lambda f, t: (
            f.type == "integer" and TABLE_SCHEMA_INTEGER.fullmatch(t) is not None and not -(2**63) <= int(t) < 2**63
        ),
    ),
    (
        "a number beyond the range of a double",
        "SQLite would store it as infinity",
        lambda f, t: (
            f.type == "number" and TABLE_SCHEMA_NUMBER.fullmatch(t) is not None and abs(float(t)) == float("inf")
        ),
    ),
    (
        "a date not written YYYY-MM-DD in ASCII digits: 2022-6-1, 2022-06- 1 (strptime reads those)",
        "Table Schema's default date format is YYYY-MM-DD, and the database compares and sorts "
        "dates as text, which only works padded",
        lambda f, t: f.type == "date" and ISO_DATE.fullmatch(t) is None,
    ),
]
UNIQUE_KEYS_REASON = (
    "uniqueKeys (Data Package v2) are enforced by the build as UNIQUE constraints; frictionless 5.21 "
    "does not implement them"
)


def deliberate_difference(field: Field, text: str) -> str | None:
    for what, why, applies in DELIBERATE:
        if applies(field, text):
            return f"{what}: {why}"
    return None


# ------------------------------------------------------------------ values to try


def _safe_text(max_size: int = 12) -> st.SearchStrategy[str]:
    """Text that passes layer 1 (no control characters, NFC), so the schema layer is reached."""
    return st.text(alphabet="abcAZ09-_.:/ +@'\",çı", max_size=max_size)


def _decorated(number: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A number as written in a cell, in the forms a hand or a spreadsheet produces."""
    forms = [
        lambda s: s,
        lambda s: "0" + s,
        lambda s: "00" + s.lstrip("-"),
        lambda s: "+" + s,
        lambda s: " " + s,
        lambda s: s + " ",
        lambda s: s + ".0",
        lambda s: s + ".",
        lambda s: s + "e1",
        lambda s: s + "E-2",
        lambda s: s[:1] + "_" + s[1:],
        lambda s: "." + s.lstrip("-"),
        lambda s: s.replace("1", "١"),
    ]
    return st.tuples(number, st.sampled_from(forms)).map(lambda p: p[1](p[0]))


def _values(resource: Resource, field: Field) -> st.SearchStrategy[str]:
    column = [row[field.name] for row in ROWS[resource.name]]
    options = [st.just(""), st.sampled_from(column), _safe_text()]
    constraints = field.constraints
    if field.type in ("integer", "number"):
        bounds = [constraints[k] for k in ("minimum", "maximum") if k in constraints]
        near = [str(b + d) for b in bounds for d in (-1, 0, 1)]
        integers = st.integers(-(10**4), 10**4).map(str)
        options += [
            _decorated(st.sampled_from([c for c in column if c] + near or ["7"])),
            _decorated(integers),
            st.sampled_from(["9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e400"]),
            st.sampled_from(["NaN", "inf", "-Infinity", "1_000", "0x10", "7.5", "-0", "+0", "--1", "1-"]),
        ]
        if field.type == "number":
            options.append(st.floats(allow_nan=False, allow_infinity=False).map(repr))
    elif field.type == "date":
        options += [
            st.dates().map(date.isoformat),
            st.sampled_from(["2022-02-30", "2022-13-01", "2022-6-22", "2022-06- 1", "0000-06-22", "20220622"]),
            st.sampled_from(["2022-06-22T00:00", " 2022-06-22", "2022-06-22 ", "9999-12-31", "0001-01-01"]),
        ]
    elif field.type == "boolean":
        options.append(st.sampled_from([*field.true_values, *field.false_values, "True", "FALSE", "1", "0", "yes"]))
    if field.enum:
        values = [str(v) for v in field.enum]
        options += [
            st.sampled_from(values),
            st.sampled_from(values).map(str.upper),
            st.sampled_from(values).map(" ".__add__),
        ]
    if "pattern" in constraints:
        matching = st.from_regex(constraints["pattern"], fullmatch=True).filter(
            lambda s: s.isascii() and s.isprintable()
        )
        options += [matching, st.tuples(matching, _safe_text(2)).map("".join)]
    if field.format == "uri":
        options.append(st.sampled_from(["https://example.org/a", "mailto:x@example.org", "example.org", "1a:b", "a:"]))
    for fk in resource.foreign_keys:
        if field.name in fk["fields"]:
            remote = fk["reference"]["fields"][fk["fields"].index(field.name)]
            referenced = [row[remote] for row in ROWS[fk["reference"]["resource"]]]
            options += [st.sampled_from(referenced), st.sampled_from(referenced).map(lambda v: v + "x")]
    return st.one_of(options)


@st.composite
def one_cell_edits(draw: st.DrawFn) -> tuple[Resource, int, Field, str]:
    resource = draw(st.sampled_from(RESOURCES))
    row = draw(st.integers(min_value=0, max_value=len(ROWS[resource.name]) - 1))
    field = draw(st.sampled_from(resource.fields))
    return resource, row, field, draw(_values(resource, field))


# ------------------------------------------------------------------ the two validators


def frictionless_package(project: Path) -> frictionless.Package:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return frictionless.Package(str(project / "datapackage.yaml"))


def frictionless_errors(package: frictionless.Package, resource: Resource) -> list[tuple[str, int | None, str | None]]:
    """(rule, line, column) of every error frictionless finds in one resource of the package (its
    files are read again at every call)."""
    report = package.validate(name=resource.name)
    return [
        (e.type, getattr(e, "row_number", None), getattr(e, "field_name", None)) for t in report.tasks for e in t.errors
    ]


def frictionless_reads(package: frictionless.Package, resource: Resource, field: Field, text: str) -> bool:
    """Whether frictionless reads the cell as a value of the field's type (or as missing)."""
    _, notes = package.get_resource(resource.name).schema.get_field(field.name).read_cell(text)
    return not notes or "type" not in notes


def final_tables_refuse(stage_path: Path, folder: Path) -> bool:
    """Load the staged rows into the final STRICT tables as the build does; True if SQLite refuses."""
    final = sqlite3.connect(folder / "final.db")
    final.create_function("is_number", 1, staging._is_number, deterministic=True)
    final.execute("PRAGMA foreign_keys = ON")
    final.execute("ATTACH DATABASE ? AS staging", [str(stage_path)])
    try:
        for resource in RESOURCES:
            final.execute(create_table_sql(resource))
            final.execute(f"INSERT INTO [{resource.name}] {staging.convert_select(resource, 'staging.')}")
        return False
    except sqlite3.IntegrityError:
        return True
    finally:
        final.rollback()
        final.close()


def write_cell(path: Path, row: int, column: str, value: str) -> int:
    """Set one cell of a CSV file; return its line (the header is line 1)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[row + 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return row + 2


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("agreement"))


@pytest.fixture(scope="module")
def package(project: Path) -> frictionless.Package:
    return frictionless_package(project)


@pytest.mark.slow  # 40 stagings, final loads and frictionless validations: about 10 seconds
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edit=one_cell_edits())
def test_validation_and_frictionless_reach_the_same_verdict(project, package, edit):
    resource, row, field, value = edit
    path = project / resource.path
    original = path.read_bytes()
    try:
        line = write_cell(path, row, field.name, value)
        with tempfile.TemporaryDirectory() as folder:
            stage_path = Path(folder) / "staging.db"
            stage = staging.connect(stage_path)
            try:
                assert staging.load_all(stage, project, RESOURCES) == [], "the edit broke layer 1: fix the strategy"
                by_resource = {
                    r.name: (staging.check_fields(stage, r), staging.check_keys(stage, r, BY_NAME)) for r in RESOURCES
                }
                unenforced = [p for r in RESOURCES for p in staging.check_fields(stage, r, only_unenforced=True)]
            finally:
                stage.close()
            refused = final_tables_refuse(stage_path, Path(folder))
        fl = frictionless_errors(package, resource)
        fl_reads = frictionless_reads(package, resource, field, value)
    finally:
        path.write_bytes(original)

    # 2. The final tables refuse exactly when validation names a rule they enforce.
    enforced = [p for fields, keys in by_resource.values() for p in fields + keys if p not in unenforced]
    assert refused == bool(enforced), f"final tables {'refuse' if refused else 'accept'}; validation: {enforced}"

    # 1. Validation's schema rules and frictionless name the same cells and rules.
    fields, keys = by_resource[resource.name]
    ours_fields = {(p.rule, p.line, p.column) for p in fields if p.rule in FIELD_RULES | KEY_RULES}
    # frictionless reports a repeated one-column primary key twice, as primary-key and, when the
    # field also says unique, as unique-error; validation reports it once, as primary-key.
    theirs_fields = {
        e for e in fl if e[0] in FIELD_RULES or (e[0] == "unique-error" and (e[2],) != resource.primary_key)
    }
    reason = (
        deliberate_difference(field, value) if fl_reads and ("type-error", line, field.name) in ours_fields else None
    )
    if reason:  # documented above; the rest of the package must still agree
        ours_fields.discard(("type-error", line, field.name))
        theirs_fields = {e for e in theirs_fields if e[1:] != (line, field.name)}
    elif fl_reads and ("type-error", line, field.name) in ours_fields:
        pytest.fail(f"{resource.path} {field.name}={value!r}: frictionless reads it, the build does not (undocumented)")
    assert ours_fields == theirs_fields, f"{resource.path} {field.name}={value!r}"
    if ours_fields or reason:
        return  # as in `make validate`: keys are compared once every cell is right
    ours_keys = {
        (p.rule, p.line)
        for p in keys
        if not (p.rule == "unique-error" and tuple(p.column.split(", ")) in resource.unique_keys)  # UNIQUE_KEYS_REASON
    }
    theirs_keys = {(e[0], e[1]) for e in fl if e[0] in {"primary-key", "foreign-key"}}
    assert ours_keys == theirs_keys, f"{resource.path} {field.name}={value!r}"


def build_type_error(resource: Resource, field: Field, text: str) -> bool:
    """Whether validation's type rule refuses one cell (run on a one-row staging table)."""
    conn = sqlite3.connect(":memory:")
    conn.create_function("is_number", 1, staging._is_number, deterministic=True)
    conn.execute(f"CREATE TABLE {staging.stage_name(resource)} (_line INTEGER, [{field.name}] TEXT)")
    conn.execute(f"INSERT INTO {staging.stage_name(resource)} VALUES (2, ?)", [text])
    conditions = [c for c, rule, _, _ in staging.field_check(resource, field) if rule == "type-error"]
    rows = staging.checked_rows(resource, conditions)
    return any(conn.execute(f"SELECT count(*) FROM {rows} WHERE {c}").fetchone()[0] for c in conditions)


# One example of each deliberate difference, in the order of DELIBERATE.
EXAMPLES = [
    ("follower_counts", "count", " 7"),
    ("survey_figures", "value", "NaN"),
    ("follower_counts", "count", "9223372036854775808"),
    ("survey_figures", "value", "1e400"),
    ("follower_counts", "observed_on", "2022-6-22"),
]


@pytest.mark.parametrize(("table", "column", "text"), EXAMPLES)
def test_each_deliberate_difference_is_one(package, table, column, text):
    """frictionless reads the example as its type, the build refuses it, and the list says why."""
    resource = BY_NAME[table]
    field = resource.field(column)
    expected = DELIBERATE[EXAMPLES.index((table, column, text))]
    assert deliberate_difference(field, text) == f"{expected[0]}: {expected[1]}"
    assert frictionless_reads(package, resource, field, text), f"frictionless refuses {text!r}: drop the difference"
    assert build_type_error(resource, field, text)


def test_frictionless_ignores_unique_keys_which_the_build_enforces(project, package):
    """The one deliberate difference about keys (UNIQUE_KEYS_REASON): a repeated uniqueKeys key."""
    path = project / "data/accounts.csv"
    original = path.read_bytes()
    rows = ROWS["accounts"]
    twitter = [i for i, row in enumerate(rows) if row["platform"] == "twitter"]
    try:
        line = write_cell(path, twitter[1], "handle", rows[twitter[0]]["handle"])
        assert not [e for e in frictionless_errors(package, BY_NAME["accounts"]) if e[0] in KEY_RULES]
        with tempfile.TemporaryDirectory() as folder:
            stage = staging.connect(Path(folder) / "staging.db")
            assert staging.load_all(stage, project, RESOURCES) == []
            problems = staging.check_keys(stage, BY_NAME["accounts"], BY_NAME)
            stage.close()
    finally:
        path.write_bytes(original)
    assert [(p.rule, p.line, p.column) for p in problems] == [("unique-error", line, "platform, handle")], (
        UNIQUE_KEYS_REASON
    )
