"""Text from the data is shown as text, never run as HTML or script; Datasette is read-only and
stops runaway queries; any input either validates or is refused with a Problem, never a crash."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3

import pytest
from conftest import copy_project, datasette_fetcher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ots_data.build import build
from ots_data.schema import load_resources
from ots_data.validate import Problem, validate

PAYLOADS = {
    "script": "<script>alert('x')</script>",
    "handler": '<img src=x onerror="alert(1)">',
    "js_url": "javascript:alert(1)",
}


@pytest.fixture(scope="module")
def hostile_get(tmp_path_factory, fresh_db):
    """Datasette serving a copy of the database whose text holds markup and a javascript: URL."""
    path = tmp_path_factory.mktemp("hostile") / "ots.db"
    shutil.copyfile(fresh_db, path)
    conn = sqlite3.connect(path)
    conn.execute(
        "update actors set name = ?, note = ? where actor_id = 'viktor-orban'",
        (PAYLOADS["script"], PAYLOADS["handler"]),
    )
    conn.execute(
        "update accounts set url = ?, note = ? where account_id = 'twitter-rterdogan'",
        (PAYLOADS["js_url"], PAYLOADS["script"]),
    )
    conn.commit()
    conn.close()
    return datasette_fetcher(path)


@pytest.mark.parametrize(
    "path",
    [
        "/ots/actors",
        "/ots/actors/viktor-orban",
        "/ots/accounts",
        "/ots/accounts/twitter-rterdogan",
        "/ots/accounts_by_audience",
        "/ots/search_everything?q=orban",
    ],
)
def test_markup_in_the_data_is_escaped_on_datasette_pages(hostile_get, path):
    page = hostile_get(path).text
    assert "<script>alert('x')</script>" not in page
    assert '<img src=x onerror="alert(1)">' not in page
    assert 'href="javascript:' not in page


@pytest.mark.slow  # waits out the SQL time limit (datasette_site/settings.json): over 2 seconds here
def test_a_runaway_query_is_stopped_by_the_time_limit(hostile_get):
    endless = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
    response = hostile_get("/ots.json", sql=endless)
    assert response.status_code == 400 and "too long" in response.text.lower()


@pytest.mark.parametrize(
    "sql",
    [
        "delete from actors",
        "update actors set name = 'x'",
        "drop table actors",
        "insert into states (state_code) values ('XX')",
    ],
)
def test_datasette_refuses_to_write(hostile_get, sql):
    response = hostile_get("/ots.json", sql=sql)
    assert response.status_code == 400


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("fuzz"))


def rewrite_cell(path, row_index, column, value):
    rows = list(csv.reader(open(path, encoding="utf-8", newline="")))
    rows[row_index][column] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.mark.slow  # 40 validations of the whole package
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=st.sampled_from(["actors.csv", "accounts.csv", "follower_counts.csv", "events.csv"]),
    row=st.integers(min_value=1, max_value=5),
    column=st.integers(min_value=0, max_value=8),
    value=st.text(max_size=30),
)
def test_any_cell_value_validates_or_is_refused_with_a_problem(project, table, row, column, value):
    path = project / "data" / table
    original = path.read_bytes()
    try:
        before = path.read_text(encoding="utf-8")
        rewrite_cell(path, row, column, value)
        changed = path.read_text(encoding="utf-8") != before
        problems = validate(project)
        # Refused: every problem names a file, a line and a rule. Accepted: the cell is what the
        # database holds, read back from a real build (not only "nothing raised").
        assert all(isinstance(p, Problem) and p.path and p.rule and p.line for p in problems)
        if not problems and changed:
            db = project / "build" / "hyp.db"
            db.unlink(missing_ok=True)
            build(project, db)
            header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
            resource = next(r for r in load_resources(project / "datapackage.yaml") if r.path == f"data/{table}")
            row_values = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))[row]
            key = [row_values[header.index(k)] for k in resource.primary_key]
            where = " and ".join(f"[{k}] = ?" for k in resource.primary_key)
            conn = sqlite3.connect(db)
            stored = conn.execute(f"select [{header[column]}] from [{resource.name}] where {where}", key).fetchone()
            conn.close()
            assert stored is not None and (
                stored[0] == resource.convert_row(dict(zip(header, row_values, strict=True)))[header[column]]
            )
    finally:
        path.write_bytes(original)


@pytest.mark.slow  # 40 validations of the whole package
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=200))
def test_any_file_content_validates_or_is_refused_with_a_problem(project, content):
    path = project / "data" / "states.csv"
    original = path.read_bytes()
    try:
        path.write_bytes(content)
        problems = validate(project)
        assert problems and all(isinstance(p, Problem) and p.path == "data/states.csv" for p in problems)
    finally:
        path.write_bytes(original)
