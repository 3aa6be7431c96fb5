"""Nothing is ever half-written: a build, a docs build or a release killed with SIGKILL in the
middle of writing leaves the previous database, site and releases byte for byte as they were,
and the next run cleans up and succeeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, releasable_root

# Each test runs a real step in a subprocess (MkDocs builds among them) and kills it with SIGKILL.
pytestmark = pytest.mark.slow


def snapshot(path: Path) -> dict[str, bytes]:
    """Every file under path (following the site symlink) with its bytes."""
    root = path.resolve()
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def kill_when(process: subprocess.Popen, appeared, timeout: float = 120) -> None:
    """SIGKILL the process the moment `appeared()` is true (its output is being written)."""
    deadline = time.monotonic() + timeout
    while not appeared():
        assert process.poll() is None, "the step finished before it could be killed mid-write"
        assert time.monotonic() < deadline, "the step never started writing"
        time.sleep(0.002)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL


def test_killed_build_leaves_the_previous_database(tmp_path, fresh_db):
    project = copy_project(tmp_path)
    db = project / "build" / "ots.db"
    db.parent.mkdir()
    db.write_bytes(fresh_db.read_bytes())
    before = db.read_bytes()
    build = subprocess.Popen([sys.executable, str(ROOT / "scripts/build.py"), "--root", str(project), "--db", str(db)])
    kill_when(build, lambda: any(db.parent.glob(".ots.db.*.tmp")))
    assert db.read_bytes() == before
    again = subprocess.run(
        [sys.executable, str(ROOT / "scripts/build.py"), "--root", str(project), "--db", str(db)],
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in db.parent.iterdir()) == ["ots.db"], "a leftover temporary file was not cleaned up"


def test_killed_docs_build_leaves_the_previous_site(tmp_path, fresh_db):
    site, work = tmp_path / "site", tmp_path / "work"
    command = [
        sys.executable,
        str(ROOT / "scripts/docs.py"),
        "--db",
        str(fresh_db),
        "--site",
        str(site),
        "--work",
        str(work),
    ]
    subprocess.run(command, check=True, capture_output=True)
    before = snapshot(site)
    builds = tmp_path / "site.builds"
    existing = set(builds.iterdir())
    docs = subprocess.Popen(command)
    kill_when(docs, lambda: any(p not in existing and any(p.iterdir()) for p in builds.iterdir()))
    assert snapshot(site) == before
    again = subprocess.run(command, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert len(list(builds.iterdir())) == 1, "superseded or half-built sites were not cleaned up"


def test_killed_release_publishes_nothing_and_changes_no_release(tmp_path, fresh_db):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "0.0.1").mkdir()
    (dist / "0.0.1" / "SHA256SUMS").write_text("")  # an older, published release
    before = snapshot(dist)
    version = __import__("yaml").safe_load((ROOT / "datapackage.yaml").read_text())["version"]
    root = releasable_root(tmp_path / "project")
    release = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts/release.py"),
            "--root",
            str(root),
            "--dist",
            str(dist),
            "--db",
            str(fresh_db),
        ]
    )
    kill_when(release, lambda: (dist / f".{version}.tmp" / "ots.db").exists())
    assert not (dist / version).exists(), "a half-written release was published"
    assert {k: v for k, v in snapshot(dist).items() if not k.startswith(f".{version}.tmp")} == before


def test_rebuilding_the_docs_keeps_a_valid_site_when_the_path_is_relative(tmp_path, fresh_db):
    """`make docs` passes --site site (relative); each rebuild must leave `site` pointing at a site."""
    command = [
        sys.executable,
        str(ROOT / "scripts/docs.py"),
        "--db",
        str(fresh_db),
        "--site",
        "site",
        "--work",
        "work",
    ]
    for _ in range(2):
        subprocess.run(command, cwd=tmp_path, check=True, capture_output=True)
        assert (tmp_path / "site" / "index.html").is_file()
    assert len(list((tmp_path / "site.builds").iterdir())) == 1
