"""The one serving configuration: how Datasette serves this project.

Every way of starting Datasette takes its flags from here, so they cannot drift apart:
`make serve` (through scripts/serve.py), the tests' server and in-process client, `make bench`,
`make loadtest`, every replica of `make serve-prod` and the commands printed in
docs/deploying.md (a test compares them with `scripts/serve.py --print-command`).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import sys
from pathlib import Path

from ots_data.project import ROOT

DATASETTE = ROOT / ".venv" / "bin" / "datasette"

# What Datasette serves, as paths inside the project. What the served site is made of (the plugin
# package, the templates, the static assets, the settings) is in one folder, datasette_site/; the
# plugin is installed with the project (pyproject.toml's entry points), so no flag names it.
SITE_DIR = ROOT / "datasette_site"
DB = ROOT / "build" / "ots.db"
INSPECT = ROOT / "build" / "inspect.json"
METADATA = ROOT / "build" / "metadata.json"
SETTINGS = SITE_DIR / "settings.json"
TEMPLATE_DIR = SITE_DIR / "templates"
# URL prefix -> folder. In production nginx serves the first two itself (see deploy/).
STATIC_MOUNTS = {"docs": ROOT / "site", "downloads": ROOT / "dist", "assets": SITE_DIR / "static"}
# The URL a health check asks for: cheap, and it needs the database to be open.
HEALTH_PATH = "/-/versions.json"


def free_port() -> int:
    """A free TCP port on the loopback interface (for a replica, or anything started on one)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settings() -> dict:
    """Datasette's operational settings (time limits, page size, cache lifetime)."""
    return json.loads(SETTINGS.read_text(encoding="utf-8"))


def _setting_value(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def datasette_args(
    db: Path = DB, inspect: Path | None = INSPECT, metadata: Path = METADATA, relative_to: Path | None = None
) -> list[str]:
    """The flags of `datasette serve` for this project, without host and port. With relative_to,
    paths are written relative to that folder (the commands printed for a reader)."""

    def path(p: Path) -> str:
        # abspath, not resolve: site/ is a symlink that every docs build swaps
        return str(Path(os.path.abspath(p)).relative_to(relative_to)) if relative_to else str(p)

    args = ["-i", path(db)]
    if inspect is not None:
        args += ["--inspect-file", path(inspect)]
    args += ["--metadata", path(metadata), "--template-dir", path(TEMPLATE_DIR)]
    for prefix, folder in STATIC_MOUNTS.items():
        args += ["--static", f"{prefix}:{path(folder)}"]
    for key, value in settings().items():
        args += ["--setting", key, _setting_value(value)]
    # Other tools read the data from other origins (a notebook, Datasette Lite, DuckDB-Wasm, a
    # journalist's chart): Access-Control-Allow-Origin on JSON and CSV. The data is public and the
    # site has no signed-in actors. /downloads/ gets the same header (datasette_site/ots_datasette/open_downloads.py).
    args += ["--cors"]
    return args


def serve_argv(host: str, port: int, datasette: str | Path = DATASETTE, **paths) -> list[str]:
    """The whole command that starts one Datasette for this project."""
    return [str(datasette), "serve", *datasette_args(**paths), "--host", host, "--port", str(port)]


def app_kwargs(db: Path, metadata: dict) -> dict:
    """The same configuration as keyword arguments of datasette.app.Datasette, for the tests'
    in-process client (which takes the metadata as a dict, so it needs no build/ folder)."""
    return {
        "immutables": [str(db)],
        "metadata": metadata,
        "settings": settings(),
        "template_dir": str(TEMPLATE_DIR),
        "static_mounts": [(prefix, str(folder)) for prefix, folder in STATIC_MOUNTS.items()],
        "cors": True,
    }


def printed_command(port: int, host: str = "127.0.0.1") -> str:
    """The replica command as docs/deploying.md prints it: run from the project folder, with the
    virtual environment's datasette."""
    argv = serve_argv(host, port, datasette=".venv/bin/datasette", relative_to=ROOT)
    lines = [argv[:2]]
    for arg in argv[2:]:  # one option and its values per line, as a reader would type it
        if arg.startswith("-"):
            lines.append([])
        lines[-1].append(arg)
    return " \\\n  ".join(" ".join(shlex.quote(a) for a in line) for line in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the project with Datasette (what `make serve` runs).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument(
        "--print-command",
        action="store_true",
        help="print the command of one replica, as the deployment page shows it, instead of serving",
    )
    args = parser.parse_args(argv)
    if args.print_command:
        print(printed_command(args.port, args.host))
        return 0
    argv = serve_argv(args.host, args.port)
    os.execv(argv[0], argv)  # Datasette itself receives Ctrl-C and SIGTERM, as if started directly


if __name__ == "__main__":
    sys.exit(main())
