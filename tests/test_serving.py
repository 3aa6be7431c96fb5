"""One serving configuration: every Datasette this project starts takes its flags from
ots_data/serving.py, and its two forms (command line, in-process) say the same thing."""

from __future__ import annotations

import re

from conftest import ROOT, show

from ots_data import serving

# Flags that configure what Datasette serves. Written anywhere but serving.py, they would drift.
FLAGS = re.compile(r"--(plugins-dir|template-dir|static|inspect-file|metadata)\b|\"serve\", \"-i\"|datasette serve -i")
# `datasette inspect --inspect-file` is the build step that writes the inspect file, not a server.
INSPECT_STEP = re.compile(r"datasette inspect|\"inspect\", ")
# The deployment page prints the generated command on purpose; test_deploying.py checks it is identical.
CHECKED_ELSEWHERE = {ROOT / "docs" / "deploying.md"}


def test_datasette_flags_are_written_only_in_serving_py():
    places = [
        ROOT / "Makefile",
        *(ROOT / "scripts").glob("*.py"),
        *(ROOT / "tests").glob("*.py"),
        *(ROOT / "docs").glob("*.md"),
        ROOT / "README.md",
        *(ROOT / "deploy").glob("*"),
    ]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in places
        if path not in CHECKED_ELSEWHERE and path.name not in ("serving.py", "test_serving.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FLAGS.search(line) and not INSPECT_STEP.search(line)
    ]
    assert not found, "Datasette flags written outside ots_data/serving.py:\n" + show(found)


def test_the_command_line_and_the_in_process_client_configure_datasette_alike(tmp_path, monkeypatch):
    """Datasette's own command-line parser reads serve_argv; the result must be app_kwargs."""
    from datasette.cli import serve

    # The parser refuses a static folder that does not exist; one not made yet (site/ before
    # `make docs`) is replaced, in both forms alike, by an empty scratch folder.
    for prefix, folder in serving.STATIC_MOUNTS.items():
        if not folder.is_dir():
            (tmp_path / prefix).mkdir()
            monkeypatch.setitem(serving.STATIC_MOUNTS, prefix, tmp_path / prefix)
    metadata, db = tmp_path / "metadata.json", tmp_path / "ots.db"
    metadata.write_text("{}")
    db.write_bytes(b"")
    params = serve.make_context(
        "serve", serving.serve_argv("127.0.0.1", 8101, db=db, metadata=metadata, inspect=None)[2:]
    ).params
    params["metadata"].close()
    kwargs = serving.app_kwargs(db, {})
    from_cli = {
        "immutables": list(params["immutable"]),
        "template_dir": params["template_dir"],
        "static_mounts": [tuple(m) for m in params["static"]],
        "settings": dict(params["settings"]),
    }
    in_process = {key: kwargs[key] for key in from_cli}
    differ = [(key, from_cli[key], in_process[key]) for key in from_cli if from_cli[key] != in_process[key]]
    assert not differ, show(differ)


def test_every_setting_in_settings_json_reaches_the_command_line():
    argv = serving.serve_argv("127.0.0.1", 8101)
    given = {argv[i + 1]: argv[i + 2] for i, arg in enumerate(argv) if arg == "--setting"}
    missing = [key for key in serving.settings() if key not in given]
    assert not missing, show(missing)


def test_make_serve_runs_the_serving_module():
    import subprocess

    dry_run = subprocess.run(
        ["make", "-n", "--no-print-directory", "serve", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    started = [line for line in dry_run.splitlines() if "serve" in line and "--port 8123" in line]
    assert started and all("scripts/serve.py" in line for line in started), dry_run
