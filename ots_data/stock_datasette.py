"""Datasette as it comes, for `make bench`'s comparison: `python -m ots_data.stock_datasette serve ...`
takes the arguments of `datasette` and runs it without the project's plugin (datasette_site/ots_datasette/).

The plugin is installed into .venv, so every Datasette there loads it from its entry points; this
unregisters it from Datasette's plugin manager first, as Datasette's documentation on testing
plugins does (`pm.unregister`). Other installed plugins (datasette-block-robots) stay. The bench
also leaves out `--template-dir` (stock_argv), so pages are rendered by Datasette's own templates.
Never used to serve readers.
"""

from __future__ import annotations

import sys

from ots_data import serving

PACKAGE = "ots_datasette"


def stock_argv(host: str, port: int, **paths) -> list[str]:
    """The one serving configuration without the project's templates, run by this module."""
    argv = serving.serve_argv(host, port, **paths)
    at = argv.index("--template-dir")
    del argv[at : at + 2]
    return [sys.executable, "-m", "ots_data.stock_datasette", *argv[1:]]


def main() -> None:
    from datasette.cli import cli
    from datasette.plugins import pm

    for name, plugin in list(pm.list_name_plugin()):
        if getattr(plugin, "__name__", "").startswith(PACKAGE + "."):
            pm.unregister(name=name)
    cli(prog_name="datasette")


if __name__ == "__main__":
    main()
