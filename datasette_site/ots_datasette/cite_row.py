"""The "Cite this" block of the row pages of the tables readers cite (datasette_site/templates/row.html).

A researcher quotes single figures, so each row page of the tables below says which version to
cite and where the row is in the article, gives a ready citation and links the immutable release
file that holds the row. What to cite is worked out by ots_data/citation.py from what is served:
the version of the database from its description in the metadata (as on the landing page), the
releases from the folder served at /downloads/ (dist/, with its releases.json). The template gets
`ots_citation` only on these row pages; every other page is Datasette's own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Request

from ots_data.citation import RowCitation, cite_row
from ots_data.project import DATAPACKAGE
from ots_data.schema import load_descriptor

if TYPE_CHECKING:  # only for type hints: Datasette loads this module while importing datasette.app
    from datasette.app import Datasette

DATABASE = "ots"  # the database the project serves (also metadata.yml's plugins.ots.database)
DOWNLOADS = "downloads"  # the static mount of dist/ (ots_data/serving.py)
# Errata have no source_id: every erratum is about what the article prints (its source_locator is
# "where the article prints it"), so their locator points into the article.
ARTICLE = "altun-2023"


def releases_folder(datasette: Datasette) -> Path | None:
    return next((Path(folder) for prefix, folder in datasette.static_mounts if prefix == DOWNLOADS), None)


@cache
def project_package() -> dict:
    """The data package being prepared: its title and creator name a row no release holds yet.
    Read once: it is deployed with the code, as the metadata is."""
    return load_descriptor(DATAPACKAGE)


async def source_label(datasette: Datasette, source_id: str | None) -> str | None:
    """The source as author (year), e.g. "Altun (2023)", from the sources table."""
    if not source_id:
        return None
    found = (
        await datasette.get_database(DATABASE).execute(
            "select author, year from sources where source_id = ?", [source_id]
        )
    ).first()
    if not found or not found["author"]:
        return None
    family = found["author"].split(",")[0].strip()
    return f"{family} ({found['year']})" if found["year"] else family


def stable_url(datasette: Datasette, request: Request, path: str) -> str:
    base = (datasette.plugin_config("ots") or {}).get("public_url")
    return f"{base}{path}" if base else datasette.absolute_url(request, path)


async def citation(datasette: Datasette, request: Request, table: str) -> RowCitation | None:
    dist = releases_folder(datasette)
    db = datasette.get_database(DATABASE)
    key_columns = await db.primary_keys(table)
    if dist is None or len(key_columns) != 1:
        return None
    key_column, key = key_columns[0], tilde_decode(request.url_vars.get("pks", ""))
    found = (await db.execute(f'select * from "{table}" where "{key_column}" = ?', [key])).first()
    if found is None:
        return None  # Datasette answers 404 itself
    row = dict(found)
    path = datasette.urls.row(DATABASE, table, tilde_encode(key))
    return cite_row(
        dist=dist,
        table=table,
        key_column=key_column,
        key=key,
        row=row,
        # The public address (PUBLIC_URL, given to the discovery plugin) when the site has one,
        # else the address the reader came to: a citation must name where others find the row.
        stable_url=stable_url(datasette, request, path),
        shown_version=(datasette.plugin_config("ots") or {}).get("version"),
        locator=row.get("source_locator"),
        source=await source_label(datasette, row.get("source_id", ARTICLE)),
        fallback_package=project_package(),
    )


@hookimpl
def extra_template_vars(
    view_name: str, database: str | None, table: str | None, request: Request | None, datasette: Datasette
) -> Callable[[], Awaitable[dict]] | None:
    cited = (datasette.plugin_config("ots") or {}).get("cited_tables", ())
    if view_name != "row" or database != DATABASE or table not in cited or request is None:
        return None

    async def variables() -> dict:
        return {"ots_citation": await citation(datasette, request, table)}

    return variables
