"""Shared fixtures. Tests read the real files and build real databases; nothing is mocked."""

from __future__ import annotations

import csv
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


def datasette_fetcher(db_path: Path):
    """A GET function on Datasette's own test client, configured by the one serving configuration."""
    import asyncio
    import copy

    from datasette.app import Datasette

    from ots_data.metadata import build_metadata
    from ots_data.serving import app_kwargs

    datasette = Datasette(**app_kwargs(db_path, copy.deepcopy(build_metadata(ROOT))))

    def fetch(path, **params):
        async def go():
            return await datasette.client.get(path, params=params or None)

        return asyncio.run(go())

    return fetch
