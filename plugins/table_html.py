"""Write the rows-and-columns <table> of table and row pages in Python: the same HTML, faster.

Datasette 0.65 writes that <table> with its _table.html template, in an asynchronous Jinja
environment that awaits every value and looks up every attribute twice: for a page of 50 rows of
follower_counts (about a thousand cells) that is more than half of the time of the whole page. The
function below writes exactly what that template writes (a test compares every byte on many pages)
and templates/_table.html calls it. It only does so while the installed Datasette's _table.html is
the one it was written from (SHA-256 below); with any other, the override includes Datasette's
own template ("default:_table.html"), so an upgrade of Datasette can cost speed but never change a
page (and a test fails until this is checked against the new template).
Written here because no maintained plugin does it for Datasette 0.65.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import datasette
import jinja2
from datasette import hookimpl
from datasette.utils import to_css_class
from markupsafe import Markup, escape

# Datasette 0.65.x's templates/_table.html, the template the function below reproduces.
REPRODUCES_SHA256 = "f75a8872713f28fdce49b9a44a397f26ba1b5db5e82a74dda1f20ec14faaaa57"
DATASETTES_TEMPLATE = Path(datasette.__file__).parent / "templates" / "_table.html"
# The name templates/_table.html calls; when it is not defined, the override includes Datasette's own.
GLOBAL_NAME = "ots_table_html"


# The characters markupsafe.escape replaces: a string without any is written as it is.
NEEDS_ESCAPING = re.compile("[&<>'\"]")


def reproduces_installed_template() -> bool:
    return hashlib.sha256(DATASETTES_TEMPLATE.read_bytes()).hexdigest() == REPRODUCES_SHA256


def _header(column: dict, context: jinja2.runtime.Context, css: str) -> str:
    name = escape(column["name"])
    description = column.get("description")
    parts = [
        "\n                    <th ",
        f'data-column-description="{escape(description)}" ' if description else "",
        f'class="col-{escape(css)}" scope="col" data-column="{name}" ',
        f'data-column-type="{escape(column["type"].lower())}" data-column-not-null="{escape(column["notnull"])}" ',
        f'data-is-pk="{"1" if column.get("is_pk") else "0"}">\n                        ',
    ]
    if not column.get("sortable"):
        parts.append(f"\n                            {name}\n                        ")
    else:
        request, fix_path, replaced = (context.get(k) for k in ("request", "fix_path", "path_with_replaced_args"))
        if column["name"] == context.get("sort"):
            href = escape(fix_path(replaced(request, {"_sort_desc": column["name"], "_sort": None, "_next": None})))
            link = f'<a href="{href}" rel="nofollow">{name}&nbsp;▼</a>'
        else:
            href = escape(fix_path(replaced(request, {"_sort": column["name"], "_sort_desc": None, "_next": None})))
            arrow = "&nbsp;▲" if column["name"] == context.get("sort_desc") else ""
            link = f'<a href="{href}" rel="nofollow">{name}{arrow}</a>'
        indent = "\n" + " " * 24
        parts.append(f"{indent}    {indent}        {link}{indent}    {indent}")
    parts.append("\n                    </th>\n                ")
    return "".join(parts)


@jinja2.pass_context
def table_html(context: jinja2.runtime.Context) -> Markup:
    """What Datasette's _table.html writes for this context (display_columns, display_rows, sort,
    sort_desc, request, fix_path, path_with_replaced_args)."""
    display_rows = context.get("display_rows")
    if not display_rows:
        return Markup('\n    <p class="zero-results">0 records</p>\n')
    # The opening <td> of each column and value type, worked out once a page.
    opening_tags: dict[tuple[str, str], str] = {}
    out = [
        '\n<div class="table-wrapper">\n    <table class="rows-and-columns">\n        <thead>\n            <tr>\n'
        "                "
    ]
    out.extend(_header(column, context, to_css_class(column["name"])) for column in context.get("display_columns"))
    out.append("\n            </tr>\n        </thead>\n        <tbody>\n        ")
    for row in display_rows:
        out.append("\n            <tr>\n                ")
        for cell in row:
            key = (cell["column"], cell["value_type"])
            if key not in opening_tags:
                opening_tags[key] = (
                    f'\n                    <td class="col-{escape(to_css_class(key[0]))} type-{escape(key[1])}">'
                )
            value = cell["value"]
            if not (type(value) is Markup or (type(value) is str and NEEDS_ESCAPING.search(value) is None)):
                value = escape(value)  # what {{ cell.value }} writes: markupsafe.escape
            out.append(opening_tags[key])
            out.append(value)
            out.append("</td>\n                ")
        out.append("\n            </tr>\n        ")
    out.append("\n        </tbody>\n    </table>\n</div>\n")
    return Markup("".join(out))


@hookimpl
def prepare_jinja2_environment(env: jinja2.Environment, datasette: object) -> None:
    if reproduces_installed_template():
        env.globals[GLOBAL_NAME] = table_html
