"""The Makefile's dependency lists are right: each generated file depends on every module of
ots_data/ its step imports (directly or not) and on the files those modules read, so editing any of
them rebuilds what depends on it."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, show

from ots_data import catalog

STEPS = {
    "build/ots.db": "scripts/build.py",
    "build/metadata.json": "scripts/metadata.py",
    "site/index.html": "scripts/docs.py",
}


def local_imports(path: Path) -> set[str]:
    """The ots_data modules a file imports, as module names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "ots_data":
            if node.module == "ots_data":
                found.update(f"ots_data.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "ots_data")
    return found


def code_of(script: str) -> set[str]:
    """The script and every ots_data file it runs, with the data files of the modules that read them."""
    files, todo, seen = {script}, [ROOT / script], set()
    while todo:
        for module in local_imports(todo.pop()) - seen:
            seen.add(module)
            path = ROOT / (module.replace(".", "/") + ".py")
            if not path.exists():  # a package
                path = ROOT / module.replace(".", "/") / "__init__.py"
            files.add(str(path.relative_to(ROOT)))
            todo.append(path)
    if seen:
        files.add("ots_data/__init__.py")  # every import of ots_data.x runs it
    if "ots_data.catalog" in seen:
        files.update(str(p.relative_to(ROOT)) for p in catalog.FOLDER.rglob("*") if p.is_file())
    if "ots_data.docs" in seen:
        templates = ROOT / "ots_data" / "docs_templates"
        files.update(str(p.relative_to(ROOT)) for p in templates.rglob("*") if p.is_file())
    return files


@pytest.fixture(scope="module")
def prerequisites() -> dict[str, set[str]]:
    """Each target's prerequisites as make itself expands them (make -p prints its database)."""
    database = subprocess.run(
        ["make", "-pq", "--no-print-directory", "-f", "Makefile", "help"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    found = {}
    for line in database.splitlines():
        target, _, rest = line.partition(":")
        if target in STEPS and not rest.startswith("=") and target not in found:
            found[target] = set(rest.split())
    return found


@pytest.mark.parametrize("target", STEPS)
def test_every_file_a_step_runs_is_a_prerequisite_of_its_output(prerequisites, target):
    missing = sorted(code_of(STEPS[target]) - prerequisites[target])
    assert not missing, f"{target} does not depend on:\n" + show(missing)


def test_tool_variables_are_defined_before_any_rule_names_them():
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    defined, late = {}, []
    for number, line in enumerate(lines, 1):
        if ":=" in line and not line.startswith("\t"):
            defined.setdefault(line.split(":=")[0].strip(), number)
    for number, line in enumerate(lines, 1):
        if ":" in line and not line.startswith(("\t", "#")) and ":=" not in line and "?=" not in line:
            for name, where in defined.items():
                if f"$({name})" in line.split(":", 1)[1] and where > number:
                    late.append(f"Makefile:{number} uses $({name}), defined at line {where}")
    assert not late, show(late)


def test_the_database_depends_on_the_translations_its_search_index_reads(prerequisites):
    """The build puts the Turkish and Russian texts of ots_data.build.TRANSLATED into the search
    index: a change to them must rebuild the database."""
    from ots_data.build import TRANSLATED

    missing = sorted(set(TRANSLATED.values()) - prerequisites["build/ots.db"])
    assert not missing, "build/ots.db does not depend on:\n" + show(missing)
