"""One change to one of the installed Datasette's own templates, made as Jinja loads it.

Datasette 0.65's table.html has no template block for what plugins/column_descriptions.py and
plugins/discovery.py change, and copying it into templates/ would fork it. So each of them hands
Jinja the installed template with its one edit, through the loader below: every other template,
and a template of the same name from templates/ (none today), is answered as before. Each plugin
guards its edit itself (the installed template is the one it was checked against).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import datasette
import jinja2

INSTALLED = Path(datasette.__file__).parent / "templates"


class EditedTemplate(jinja2.BaseLoader):
    """Answers as `loader` does, except that the installed Datasette's template `name` is passed
    through `edit`."""

    def __init__(self, loader: jinja2.BaseLoader, name: str, edit: Callable[[str], str]) -> None:
        self.loader, self.name, self.edit = loader, name, edit

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Callable | None]:
        source, filename, uptodate = self.loader.get_source(environment, template)
        installed = os.path.realpath(INSTALLED / self.name)
        if template == self.name and filename is not None and os.path.realpath(filename) == installed:
            source = self.edit(source)
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()


def edit_installed_template(env: jinja2.Environment, name: str, edit: Callable[[str], str]) -> None:
    """Wrap the environment's loader so that template `name` is edited, once per environment."""
    loader = env.loader
    while isinstance(loader, EditedTemplate):
        if loader.edit is edit:
            return
        loader = loader.loader
    env.loader = EditedTemplate(env.loader, name, edit)
