"""Releases are standalone, verifiable, reproducible, never overwritten, and their version agrees
everywhere it is written."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, copy_project, releasable_root, show

from ots_data.release import (
    PACKAGE,
    UNRELEASED,
    ReleaseError,
    changelog_entry,
    make_release,
    version_key,
    version_problems,
    write_index,
)
from ots_data.staging import SAFE_PREFIXED

VERSION = yaml.safe_load((ROOT / "datapackage.yaml").read_text(encoding="utf-8"))["version"]
COMMITTED = sorted(p for p in (ROOT / "dist").glob("*.*.*") if p.is_dir())


PREPARING = changelog_entry(VERSION)[0] is None  # CHANGELOG.md: "## [VERSION] - Unreleased"


@pytest.fixture(scope="module")
def release_root(tmp_path_factory) -> Path:
    """The project, or while a version is being prepared, a copy of it dated for release."""
    return releasable_root(tmp_path_factory.mktemp("dated"))


@pytest.fixture(scope="module")
def release(tmp_path_factory, fresh_db, release_root):
    """This version's release, made into a scratch dist/ that holds the releases published before
    it (so that its changes.csv is made against the previous one, as `make release` makes it)."""
    dist = tmp_path_factory.mktemp("dist")
    for folder in older_releases():
        shutil.copytree(folder, dist / folder.name)
    if older_releases():
        write_index(dist)
    return make_release(release_root, fresh_db, dist)


def older_releases() -> list[Path]:
    return sorted(
        (p for p in (ROOT / "dist").glob("*.*.*") if p.is_dir() and version_key(p.name) < version_key(VERSION)),
        key=lambda p: version_key(p.name),
    )


def run_release(dist, db, root=ROOT):
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts/release.py"), "--root", str(root), "--dist", str(dist), "--db", str(db)],
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
            "codebook.csv",
            "datacite.json",
        }
        | ({"changes.csv"} if older_releases() else set())
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


def test_each_release_file_is_declared_with_its_size_and_sha256(release):
    """bytes and hash as Data Package v2 writes them, computed here from the released files."""
    import hashlib

    package = json.loads((release / "datapackage.json").read_text())
    wrong = [
        (r["name"], r.get("bytes"), r.get("hash"))
        for r in package["resources"]
        if r.get("bytes") != (release / r["path"]).stat().st_size
        or r.get("hash") != "sha256:" + hashlib.sha256((release / r["path"]).read_bytes()).hexdigest()
    ]
    assert not wrong, show(wrong)


@pytest.mark.slow  # the frictionless command line
def test_frictionless_refuses_a_release_file_changed_after_the_release(release, tmp_path):
    """The declared hash is checked: one changed character in a data file fails validation."""
    altered = tmp_path / "altered"
    shutil.copytree(release, altered)
    states = altered / "data/states.csv"
    states.write_text(states.read_text(encoding="utf-8").replace("Türkiye", "Turkiye", 1), encoding="utf-8")
    result = subprocess.run(
        [str(ROOT / ".venv/bin/frictionless"), "validate", "datapackage.json"],
        cwd=altered,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "hash" in result.stdout, result.stdout[-2000:]


def test_every_enumeration_is_published_as_categories(release):
    package = json.loads((release / "datapackage.json").read_text())
    wrong = [
        (r["name"], f["name"])
        for r in package["resources"]
        for f in r["schema"]["fields"]
        if f.get("categories") != f.get("constraints", {}).get("enum", f.get("categories"))
        or ("enum" in f.get("constraints", {}) and "categories" not in f)
    ]
    assert not wrong, show(wrong)


def test_cells_holding_lists_are_declared_as_lists(release):
    """Every field whose description says its values are "separated by" a delimiter is a v2 list
    with that delimiter, except `readings`, whose pattern checks each item (its description says why)."""
    package = json.loads((release / "datapackage.json").read_text())
    wrong = []
    for r in package["resources"]:
        for f in r["schema"]["fields"]:
            said = re.search(r'separated by "([^"]+)"', f.get("description", ""))
            if said and f["name"] != "readings" and (f["type"], f.get("delimiter")) != ("list", said.group(1)):
                wrong.append((r["name"], f["name"], f["type"], f.get("delimiter"), said.group(1)))
    assert not wrong, show(wrong)


def test_two_releases_are_byte_identical(release, tmp_path, fresh_db, release_root):
    for folder in older_releases():  # the same history, so the same changes.csv
        shutil.copytree(folder, tmp_path / folder.name)
    if older_releases():
        write_index(tmp_path)
    again = make_release(release_root, fresh_db, tmp_path)
    different = [
        p.name
        for p in release.rglob("*")
        if p.is_file() and p.read_bytes() != (again / p.relative_to(release)).read_bytes()
    ]
    assert not different, show(different)


def test_an_existing_version_is_refused_and_left_untouched(release, fresh_db, release_root):
    before = {p: p.read_bytes() for p in release.rglob("*") if p.is_file()}
    result = run_release(release.parent, fresh_db, release_root)
    assert result.returncode == 1 and "already exists" in result.stderr and "never change" in result.stderr
    assert before == {p: p.read_bytes() for p in release.rglob("*") if p.is_file()}


def test_index_lists_every_release_with_sizes_and_checksums(release):
    index = json.loads((release.parent / "releases.json").read_text())["releases"]
    assert [r["version"] for r in index] == [p.name for p in older_releases()] + [VERSION]
    sums = dict(line.split("  ")[::-1] for line in (release / "SHA256SUMS").read_text().splitlines())
    listed = {f["name"]: f for f in index[-1]["files"]}
    assert set(listed) == set(sums) and all(
        listed[n]["sha256"] == sums[n] and listed[n]["bytes"] == (release / n).stat().st_size for n in sums
    )


@pytest.mark.parametrize("folder", COMMITTED, ids=[p.name for p in COMMITTED])
def test_published_release_still_verifies(folder):
    result = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# The files of a release that may differ when it is made again from unchanged data: those that hold
# the database file itself, or its size (datacite.json), which the build's code (indexes, derived
# tables, search) may change (the rows of the database are compared instead, in
# test_published_database_rows_are_what_the_inputs_build); and codebook.csv, whose Turkish and
# Russian descriptions come from docs/i18n/schema.yml, corrected without a new version (its English
# and its columns come from datapackage.yaml, which the published datapackage.json is compared with).
DATABASE_FILES = {"ots.db", f"{PACKAGE}-{VERSION}.zip", "SHA256SUMS", "datacite.json", "codebook.csv"}


def test_published_release_of_this_version_is_what_the_inputs_build(release):
    """Data changed after a release without a version bump would change a published release:
    every file of it but the database (and the zip and checksums that hold it) is compared. A
    version being prepared has nothing published to compare (test_version_agrees_everywhere
    checks it is declared as such)."""
    published = ROOT / "dist" / VERSION
    if PREPARING:
        assert not published.exists(), f"dist/{VERSION} exists but CHANGELOG.md says {VERSION} is unreleased"
        return
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
    if PREPARING:
        assert not published.exists(), f"dist/{VERSION} exists but CHANGELOG.md says {VERSION} is unreleased"
        return
    different = [name for name in resources if rows(published, name) != rows(release / "ots.db", name)]
    assert not different, "rows changed since publication; bump the version: " + show(different)


def test_version_agrees_everywhere(metadata):
    """Published, or being prepared, and said so consistently (release.version_problems); the
    metadata is what the metadata step makes (test_datasette.py checks build/metadata.json is it)."""
    served = re.search(r"version (\S+?)\.?$", metadata["databases"]["ots"]["description"]).group(1)
    problems = version_problems(ROOT) + ([f"the Datasette metadata says {served}"] if served != VERSION else [])
    assert not problems, f"datapackage.yaml says {VERSION}: " + show(problems)


def prepared(tmp_path, version: str, citation_version: str) -> Path:
    """A project whose datapackage.yaml names `version`, with its changelog section Unreleased."""
    project = copy_project(tmp_path)
    for name in ("CITATION.cff", "LICENSE-DATA.md"):
        shutil.copyfile(ROOT / name, project / name)
    descriptor = (project / "datapackage.yaml").read_text(encoding="utf-8")
    (project / "datapackage.yaml").write_text(
        re.sub(r"^version: .*$", f"version: {version}", descriptor, count=1, flags=re.M), encoding="utf-8"
    )
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    changelog = re.sub(rf"^## \[(?:Unreleased\]|[0-9.]+\] - {UNRELEASED})\n", "", changelog, flags=re.M)
    first = changelog.index("\n## [") + 1
    changelog = changelog[:first] + f"## [{version}] - {UNRELEASED}\n\n" + changelog[first:]
    (project / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    citation = yaml.safe_load((project / "CITATION.cff").read_text(encoding="utf-8"))
    citation["version"] = citation_version
    (project / "CITATION.cff").write_text(yaml.safe_dump(citation, sort_keys=False), encoding="utf-8")
    return project


def newest_published() -> str:
    return json.loads((ROOT / "dist/releases.json").read_text())["releases"][-1]["version"]


def test_a_version_being_prepared_is_consistent_when_it_cites_the_newest_release(tmp_path):
    next_minor = ".".join([newest_published().split(".")[0], str(int(newest_published().split(".")[1]) + 1), "0"])
    project = prepared(tmp_path, next_minor, citation_version=newest_published())
    assert version_problems(project, ROOT / "dist") == []


@pytest.mark.parametrize(
    "version,cites,problem",
    [
        ("99.0.0", "99.0.0", "CITATION.cff cites 99.0.0"),  # cites what cannot be downloaded
        ("0.0.1", None, "is already published"),  # not newer than what is out
    ],
)
def test_a_version_being_prepared_is_refused_when_inconsistent(tmp_path, version, cites, problem):
    project = prepared(tmp_path, version, citation_version=cites or newest_published())
    problems = version_problems(project, ROOT / "dist")
    assert any(problem in p for p in problems), show(problems)


def test_make_release_refuses_a_version_still_marked_unreleased(tmp_path, fresh_db):
    project = prepared(tmp_path, "99.0.0", citation_version=newest_published())
    with pytest.raises(ReleaseError, match="Unreleased: give its section the release date"):
        make_release(project, fresh_db, tmp_path / "dist")
    assert not (tmp_path / "dist" / "99.0.0").exists()


def test_the_docs_cite_the_newest_published_release_while_a_version_is_prepared(tmp_path, fresh_db):
    from ots_data.docs import stats

    project = prepared(tmp_path, "99.0.0", citation_version=newest_published())
    newest = json.loads((ROOT / "dist/releases.json").read_text())["releases"][-1]
    with sqlite3.connect(fresh_db) as db:
        values = stats(db, "99.0.0", ROOT / "dist", root=project)
    cited = (values["version"], values["cited_version"], values["release_year"])
    assert cited == ("99.0.0", newest["version"], newest["date"][:4]), cited


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


def test_citation_cff_and_the_data_package_name_the_same_keywords():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    package = yaml.safe_load((ROOT / "datapackage.yaml").read_text(encoding="utf-8"))
    assert citation["keywords"] == package["keywords"], (citation["keywords"], package["keywords"])


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
            risky += [(path.name, line, c[:40]) for c in row if c and c[0] in "=+-@" and not SAFE_PREFIXED.fullmatch(c)]
    assert not risky, show(risky)
