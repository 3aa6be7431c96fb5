"""Releases are standalone, verifiable, reproducible, never overwritten, and their version agrees
everywhere it is written."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, show

from ots_data.release import PACKAGE, make_release

VERSION = yaml.safe_load((ROOT / "datapackage.yaml").read_text(encoding="utf-8"))["version"]
COMMITTED = sorted(p for p in (ROOT / "dist").glob("*.*.*") if p.is_dir())


@pytest.fixture(scope="module")
def release(tmp_path_factory, fresh_db):
    dist = tmp_path_factory.mktemp("dist")
    return make_release(ROOT, fresh_db, dist)


def run_release(dist, db):
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts/release.py"), "--dist", str(dist), "--db", str(db)],
        capture_output=True,
        text=True,
    )


def test_release_contains_every_table_the_database_and_one_zip(release):
    names = {str(p.relative_to(release)) for p in release.rglob("*") if p.is_file()}
    expected_csv = {r["path"] for r in yaml.safe_load((ROOT / "datapackage.yaml").read_text())["resources"]}
    assert (
        expected_csv
        | {
            "datapackage.json",
            "ots.db",
            "SHA256SUMS",
            f"{PACKAGE}-{VERSION}.zip",
            "CITATION.cff",
            "LICENSE-DATA.md",
            "CHANGELOG.md",
        }
        == names
    )


def test_checksums_verify_with_sha256sum(release):
    result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=release, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow  # the frictionless command line
def test_release_validates_on_its_own(release, tmp_path):
    alone = tmp_path / "alone"
    shutil.copytree(release, alone)
    result = subprocess.run(
        [str(ROOT / ".venv/bin/frictionless"), "validate", "datapackage.json"],
        cwd=alone,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_release_datapackage_carries_version_licence_sources_and_date(release):
    package = json.loads((release / "datapackage.json").read_text())
    assert package["version"] == VERSION and package["licenses"] and package["sources"] and package["contributors"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00Z", package["created"])
    assert all(not r["path"].startswith(("/", "..")) for r in package["resources"])


def test_two_releases_are_byte_identical(release, tmp_path, fresh_db):
    again = make_release(ROOT, fresh_db, tmp_path)
    different = [
        p.name
        for p in release.rglob("*")
        if p.is_file() and p.read_bytes() != (again / p.relative_to(release)).read_bytes()
    ]
    assert not different, show(different)


def test_an_existing_version_is_refused_and_left_untouched(release, fresh_db):
    before = {p: p.read_bytes() for p in release.rglob("*") if p.is_file()}
    result = run_release(release.parent, fresh_db)
    assert result.returncode == 1 and "already exists" in result.stderr and "never change" in result.stderr
    assert before == {p: p.read_bytes() for p in release.rglob("*") if p.is_file()}


def test_index_lists_every_release_with_sizes_and_checksums(release):
    index = json.loads((release.parent / "releases.json").read_text())["releases"]
    assert [r["version"] for r in index] == [VERSION]
    sums = dict(line.split("  ")[::-1] for line in (release / "SHA256SUMS").read_text().splitlines())
    listed = {f["name"]: f for f in index[0]["files"]}
    assert set(listed) == set(sums) and all(
        listed[n]["sha256"] == sums[n] and listed[n]["bytes"] == (release / n).stat().st_size for n in sums
    )


@pytest.mark.parametrize("folder", COMMITTED, ids=[p.name for p in COMMITTED])
def test_published_release_still_verifies(folder):
    result = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# The files of a release that hold the database file itself: the build's code (indexes, derived
# tables, search) may change them without any change of data; the rows of the database are
# compared instead (test_published_database_rows_are_what_the_inputs_build).
DATABASE_FILES = {"ots.db", f"{PACKAGE}-{VERSION}.zip", "SHA256SUMS"}


def test_published_release_of_this_version_is_what_the_inputs_build(release):
    """Data changed after a release without a version bump would change a published release:
    every file of it but the database (and the zip and checksums that hold it) is compared."""
    published = ROOT / "dist" / VERSION
    if not published.exists():
        pytest.fail(f"version {VERSION} has no published release in dist/: run `make release` (or bump the version)")
    different = [
        str(p.relative_to(release))
        for p in release.rglob("*")
        if p.is_file()
        and p.name not in DATABASE_FILES
        and (
            not (published / p.relative_to(release)).exists()
            or p.read_bytes() != (published / p.relative_to(release)).read_bytes()
        )
    ]
    assert not different, "changed since publication; bump the version: " + show(different)


def test_published_database_rows_are_what_the_inputs_build(release, resources):
    """The data in the published database: every row of every table of the schema, as built now."""

    def rows(db, table):
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute(f"select * from [{table}] order by rowid").fetchall()

    published = ROOT / "dist" / VERSION / "ots.db"
    different = [name for name in resources if rows(published, name) != rows(release / "ots.db", name)]
    assert not different, "rows changed since publication; bump the version: " + show(different)


def test_version_agrees_everywhere(metadata):
    """The metadata is what the metadata step makes (test_datasette.py checks build/metadata.json is it)."""
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    changelog = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", (ROOT / "CHANGELOG.md").read_text(), re.M)
    found = {
        "CITATION.cff": citation["version"],
        "CHANGELOG.md (newest release)": changelog[0],
        "Datasette metadata (build/metadata.json)": re.search(
            r"version (\S+?)\.?$", metadata["databases"]["ots"]["description"]
        ).group(1),
        "dist/releases.json (newest)": json.loads((ROOT / "dist/releases.json").read_text())["releases"][-1]["version"],
    }
    wrong = {k: v for k, v in found.items() if v != VERSION}
    assert not wrong, f"datapackage.yaml says {VERSION}: {wrong}"


CFFCONVERT = ROOT / ".venv-cff" / "bin" / "cffconvert"


@pytest.mark.skipif(
    not CFFCONVERT.exists(), reason="no .venv-cff/bin/cffconvert: run `make .venv-cff/.installed` (make test does)"
)
def test_citation_cff_is_valid_against_the_cff_schema():
    result = subprocess.run(
        [str(CFFCONVERT), "--validate", "-i", str(ROOT / "CITATION.cff")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_citation_cff_is_a_dataset_that_references_the_article():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["type"] == "dataset"
    assert any(
        r.get("journal") == "bilig" and r["authors"][0]["family-names"] == "Altun" for r in citation["references"]
    )


def test_no_release_cell_starts_like_a_formula_except_printed_dashes_and_handles(release):
    import csv

    risky = []
    for path in release.rglob("*.csv"):
        for line, row in enumerate(csv.reader(open(path, encoding="utf-8", newline="")), 1):
            risky += [
                (path.name, line, c[:40])
                for c in row
                if c and c[0] in "=+-@" and not re.fullmatch(r"-|-[0-9][0-9.]*|@[A-Za-z0-9_.-]+( .*)?", c)
            ]
    assert not risky, show(risky)
