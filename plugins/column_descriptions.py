"""Table pages show the data first: the column descriptions are collapsed into a <details>.

Datasette 0.65's table.html writes the description of every column (twenty on follower_counts)
above the search box, the facets and the rows, which pushes the data below the first screen. Its
descriptions sit in no template block, so no small override can move them; copying the whole
table.html into templates/ would fork it. Instead this plugin hands Jinja the installed Datasette's
own table.html with one change: the <dl class="column-descriptions"> is wrapped in
<details><summary>Column descriptions (N)</summary>...</details>. It only does so while the
installed table.html is the one it was checked against (SHA-256 below) and holds the block exactly
once; with any other, pages are Datasette's own, and tests/test_templates.py fails until the change
is checked against the new template. A table.html in templates/ (none today) is left as it is.
Written here because no maintained plugin does it for Datasette 0.65.
"""

from __future__ import annotations

import hashlib

import jinja2
from datasette import hookimpl

from ots_data.datasette_templates import INSTALLED, edit_installed_template

# Datasette 0.65.5's templates/table.html, the template the change below was checked against.
CHECKED_SHA256 = "81cec4b0f7948bf0b4756b1a0ce706ce30d5694e506fd5639f3cd08a4a8f88a9"
NAME = "table.html"
DATASETTES_TEMPLATE = INSTALLED / NAME

# The block of Datasette's table.html, and what it becomes.
BLOCK = """{% if metadata.columns %}
<dl class="column-descriptions">
    {% for column_name, column_description in metadata.columns.items() %}
        <dt>{{ column_name }}</dt><dd>{{ column_description }}</dd>
    {% endfor %}
</dl>
{% endif %}"""
COLLAPSED = """{% if metadata.columns %}
<details class="column-descriptions-toggle">
<summary>Column descriptions ({{ metadata.columns|length }})</summary>
<dl class="column-descriptions">
    {% for column_name, column_description in metadata.columns.items() %}
        <dt>{{ column_name }}</dt><dd>{{ column_description }}</dd>
    {% endfor %}
</dl>
</details>
{% endif %}"""


def applies_to_installed_template() -> bool:
    """True while the installed table.html is the one checked, with the block once."""
    source = DATASETTES_TEMPLATE.read_text(encoding="utf-8")
    return hashlib.sha256(source.encode("utf-8")).hexdigest() == CHECKED_SHA256 and source.count(BLOCK) == 1


def collapse(source: str) -> str:
    """The installed table.html with the block collapsed, while it is the one checked."""
    return source.replace(BLOCK, COLLAPSED, 1) if applies_to_installed_template() else source


# First, so that a loader another plugin wraps around Datasette's (plugins/read_templates_once.py)
# also wraps this one.
@hookimpl(tryfirst=True)
def prepare_jinja2_environment(env: jinja2.Environment, datasette: object) -> None:
    edit_installed_template(env, NAME, collapse)
