"""Read each Jinja template once per process, not once per page.

For every page, Datasette 0.65's Jinja environment asks the file system whether each template it
uses has changed (Jinja's auto_reload), and looks on disk again for each template it could use but
does not exist (table-ots-follower_counts.html, _table-ots-follower_counts.html, ...): a dozen
file-system calls a table page, about a tenth of its time. The templates are deployed with the
code, like datasette_site/ots_datasette/ and the metadata, which Datasette already reads once, when it starts; this
makes templates/ the same: a change to a template takes effect when Datasette restarts. Up to
LIMIT names of missing templates are remembered (a request for an unknown URL looks for a page
template of that name), past it they are looked for again.
Written here because no maintained plugin does it for Datasette 0.65.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

import jinja2
from datasette import hookimpl

LIMIT = 1000  # names of missing templates remembered


class RememberMissing(jinja2.BaseLoader):
    """A loader that answers as `loader` does, remembering which names it does not have."""

    def __init__(self, loader: jinja2.BaseLoader) -> None:
        self.loader = loader
        self.missing: set[str] = set()

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Callable | None]:
        return self._remembering(template, self.loader.get_source, environment, template)

    def load(
        self, environment: jinja2.Environment, name: str, globals: MutableMapping[str, Any] | None = None
    ) -> jinja2.Template:
        return self._remembering(name, self.loader.load, environment, name, globals)

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()

    def _remembering(self, name: str, method: Callable, *args: Any) -> Any:
        if name in self.missing:
            raise jinja2.TemplateNotFound(name)
        try:
            return method(*args)
        except jinja2.TemplateNotFound as missing:
            if missing.name == name and len(self.missing) < LIMIT:
                self.missing.add(name)
            raise


@hookimpl
def prepare_jinja2_environment(env: jinja2.Environment, datasette: object) -> None:
    env.auto_reload = False
    if not isinstance(env.loader, RememberMissing):
        env.loader = RememberMissing(env.loader)
