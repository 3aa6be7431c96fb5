"""Shared fixtures. Tests read the real files and build real databases; nothing is mocked.

No test reads what an earlier command left in build/ or site/: the database, the Datasette
metadata and the documentation site are built here, by the real steps, into temporary folders.
The few tests about the served files themselves skip (saying why) when those files are missing.

Markers (registered in pyproject.toml; `make test-fast` leaves out all three):
  server   starts `make serve` / `make serve-prod` (the live_server and prod_server fixtures) or a
           server of its own
  browser  drives Chromium
  slow     anything else that takes more than about two seconds: builds in a subprocess, MkDocs
           builds, LinkChecker, kill -9, heavy Hypothesis runs
"""

from __future__ import annotations

import copy
import csv
import functools
import shutil
from pathlib import Path

import pytest

from ots_data.build import build
from ots_data.project import ROOT
from ots_data.schema import load_resources


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def show(rows, limit: int = 20) -> str:
    """Format offending rows for an assertion message."""
    rows = list(rows)
    lines = [repr(r) for r in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"... and {len(rows) - limit} more")
    return "\n".join(lines)


def skip_unless_made(*paths: str) -> None:
    """For a test about the files `make` writes and `make serve` serves (not a build of its own):
    skip, saying so, when they have not been made (a fresh clone before `make build docs`)."""
    missing = [p for p in paths if not (ROOT / p).exists()]
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not made yet: this test checks what `make build docs` wrote (make test does)"
        )


def needs(program: str, package: str) -> pytest.MarkDecorator:
    """Skip, saying so, when a system program the test runs is not installed (`make test` installs
    every one of them)."""
    return pytest.mark.skipif(
        shutil.which(program) is None,
        reason=f"{program} is not installed (Debian's {package} package; make test installs it)",
    )


@pytest.fixture(scope="session")
def resources():
    return {r.name: r for r in load_resources(ROOT / "datapackage.yaml")}


@pytest.fixture(scope="session")
def rows(resources):
    return {name: read_csv(ROOT / r.path) for name, r in resources.items()}


@pytest.fixture(scope="session")
def fresh_db(tmp_path_factory) -> Path:
    """A database built by the real build step from the committed data, in a temporary folder."""
    target = tmp_path_factory.mktemp("db") / "ots.db"
    build(ROOT, target)
    return target


@functools.cache
def _metadata() -> dict:
    from ots_data.metadata import build_metadata

    return build_metadata(ROOT)


def served_metadata() -> dict:
    """What build/metadata.json holds, made by the real step (ots_data.metadata) from the committed
    inputs; worked out once per session (it takes seconds), a fresh copy for each caller."""
    return copy.deepcopy(_metadata())


@pytest.fixture
def metadata() -> dict:
    """A fresh copy for each test: Datasette adds keys to the metadata it is given (a query's name),
    so a copy shared by the session would depend on which tests ran before."""
    return served_metadata()


@pytest.fixture(scope="session")
def docs_source(tmp_path_factory, fresh_db) -> Path:
    """The Markdown the docs step (ots_data.docs, what `make docs` runs) generates from fresh_db,
    in a temporary folder: the input of MkDocs. Read it, do not change it (docs_site builds it)."""
    from ots_data import docs

    source = tmp_path_factory.mktemp("docs") / "work"
    docs.generate(fresh_db, source)
    return source


@pytest.fixture(scope="session")
def docs_site(docs_source) -> Path:
    """The documentation site MkDocs builds from docs_source, as the docs step does, in a temporary
    folder."""
    from ots_data import docs

    site = docs_source.with_name("site")
    docs.build_site(docs_source, site)
    return site.resolve()


def copy_project(destination: Path) -> Path:
    """The inputs of a build (schema and data) copied to a scratch folder."""
    shutil.copy2(ROOT / "datapackage.yaml", destination / "datapackage.yaml")
    shutil.copytree(ROOT / "data", destination / "data")
    return destination


@pytest.fixture(scope="session")
def live_server():
    """`make serve` on a free port, exactly as a reader starts it; stopped by its process group."""
    from ots_data.servers import make_serve

    with make_serve() as (base, _):
        yield base


@pytest.fixture(scope="session")
def prod_server():
    """`make serve-prod` on a free port, exactly as the README and the deployment page start it:
    nginx in front of two replicas. Yields its base URL and its log (which names every pid)."""
    from ots_data.servers import serve_prod

    with serve_prod() as (base, _, log):
        yield base, log


def make_datasette(db_path: Path, **changes):
    """A Datasette configured by the one serving configuration (ots_data/serving.py), serving
    db_path; `changes` replace keyword arguments of that configuration (e.g. static_mounts)."""
    from datasette.app import Datasette

    from ots_data.serving import app_kwargs

    return Datasette(**(app_kwargs(db_path, served_metadata()) | changes))


def datasette_fetcher(db_path: Path, **changes):
    """A GET function on Datasette's own test client, configured by the one serving configuration."""
    import asyncio

    datasette = make_datasette(db_path, **changes)

    def fetch(path, **params):
        async def go():
            return await datasette.client.get(path, params=params or None)

        return asyncio.run(go())

    return fetch


def releasable_root(destination: Path, day: str = "2026-01-01") -> Path:
    """A project `make release` accepts: the project itself when its version has a release date,
    or, while a version is being prepared (CHANGELOG.md: "## [<version>] - Unreleased"), a copy
    dated as a maintainer dates it before releasing (the section gets `day`, CITATION.cff the
    version and date)."""
    import yaml

    from ots_data.release import UNRELEASED, changelog_entry
    from ots_data.schema import load_descriptor

    version = load_descriptor(ROOT / "datapackage.yaml")["version"]
    if changelog_entry(version)[0] is not None:
        return ROOT
    destination.mkdir(parents=True, exist_ok=True)
    project = copy_project(destination)
    for name in ("CHANGELOG.md", "CITATION.cff", "LICENSE-DATA.md"):
        shutil.copyfile(ROOT / name, project / name)
    # The codebook's Turkish and Russian descriptions (ots_data/codebook.py) are a release input.
    (project / "docs/i18n").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "docs/i18n/schema.yml", project / "docs/i18n/schema.yml")
    changelog = project / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text(encoding="utf-8").replace(f"## [{version}] - {UNRELEASED}", f"## [{version}] - {day}"),
        encoding="utf-8",
    )
    citation = yaml.safe_load((project / "CITATION.cff").read_text(encoding="utf-8"))
    citation.update({"version": version, "date-released": day})
    (project / "CITATION.cff").write_text(
        yaml.safe_dump(citation, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return project


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module: Debian's, as tests/support.py launches it."""
    from playwright.sync_api import sync_playwright
    from support import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
