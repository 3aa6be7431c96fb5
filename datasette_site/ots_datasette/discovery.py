"""What search engines and dataset search need from the data pages: /sitemap.xml, and the
schema.org Dataset (JSON-LD) on the front page and on the table pages.

/sitemap.xml lists the front page in its three languages (/, /tr/, /ru/), and the table page and
every row page of each table a reader cites (metadata.yml's plugins.ots.cited_tables), read from
the database. A sitemap must list
absolute URLs: they are under
PUBLIC_URL (the metadata's `plugins.ots.public_url`, written by ots_data/metadata.py), or,
when it is unset, under the address the request came to. /robots.txt (datasette-block-robots,
configured by ots_data/metadata.py) names this sitemap and the docs' when PUBLIC_URL is set.
Written here rather than with datasette-sitemap 1.0: that plugin adds a Sitemap line to robots.txt
whether or not an address is configured (the loopback one, on `make serve`), takes its paths from
SQL (Datasette's tilde-encoding of keys would have to be written in SQL) and writes <loc> without
XML escaping.

The Dataset is built by ots_data/json_ld.py, the same function as the docs' home pages use, and
given to the templates as `dataset_json_ld` (a whole <script> element) on Datasette's documented
`extra_template_vars` hook. The templates index.html and table.html (datasette_site/templates/) write it in their
`extra_head` block, extending Datasette's own templates (`default:`); on pages without it (other
databases, or without this plugin) it renders nothing.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Request, Response
from markupsafe import Markup

from ots_data import json_ld
from ots_data.project import ROOT
from ots_data.schema import load_descriptor
from ots_datasette.landing_page import LANGUAGES

if TYPE_CHECKING:  # only for type hints: Datasette loads this module while importing datasette.app
    from datasette.app import Datasette

DATABASE = "ots"
# The sitemap protocol's limit on URLs in one file: past it /sitemap.xml is a sitemap index of
# /sitemap-1.xml, /sitemap-2.xml, ..., each of at most this many (rounds grow the tables).
SITEMAP_LIMIT = 50_000


# The Dataset's <script> per Datasette instance (kept here, not on Datasette's object).
DATASET_SCRIPTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def public_url(datasette: Datasette) -> str | None:
    return (datasette.plugin_config("ots") or {}).get("public_url")


# ------------------------------------------------------------------ the Dataset (JSON-LD)


def newest_release(datasette: Datasette) -> dict | None:
    """The newest release in the releases folder this Datasette serves at /downloads/."""
    folder = dict(datasette.static_mounts).get("downloads")
    index = Path(folder) / "releases.json" if folder else None
    if not index or not index.exists():
        return None
    releases = json.loads(index.read_text(encoding="utf-8"))["releases"]
    return releases[-1] if releases else None


async def dataset_script(datasette: Datasette) -> Markup:
    """The <script type="application/ld+json"> of the Dataset, worked out once per process: the
    database is immutable, and a new release or build restarts the server."""
    script = DATASET_SCRIPTS.get(datasette)
    if script is None:
        facts = await datasette.get_database(DATABASE).execute_fn(json_ld.facts)
        data = json_ld.dataset(
            load_descriptor(ROOT / "datapackage.yaml"),
            facts,
            newest_release(datasette),
            public_url(datasette),
            datasette.urls.instance(),
        )
        script = Markup('<script type="application/ld+json">\n{}\n</script>').format(Markup(json_ld.script_text(data)))
        DATASET_SCRIPTS[datasette] = script
    return script


@hookimpl
def extra_template_vars(
    template: str, database: str | None, datasette: Datasette
) -> Callable[[], Awaitable[dict]] | None:
    if DATABASE not in datasette.databases or not (
        template == "index.html" or (template == "table.html" and database == DATABASE)
    ):
        return None

    async def variables() -> dict:
        return {"dataset_json_ld": await dataset_script(datasette)}

    return variables


# ------------------------------------------------------------------ /sitemap.xml


# The rows of each cited table, per Datasette instance (the database is immutable): counted once.
SITEMAP_COUNTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def sitemap_segments(datasette: Datasette) -> list[tuple[str, int]]:
    """What the sitemap lists, in order, as (table, its number of rows) after the front pages and
    the tables' own pages: enough to cut the list into files without making it whole."""
    found = SITEMAP_COUNTS.get(datasette)
    if found is None:
        db = datasette.get_database(DATABASE)
        found = []
        for table in (datasette.plugin_config("ots") or {}).get("cited_tables", ()):
            found.append((table, (await db.execute(f"select count(*) from [{table}]")).first()[0]))
        SITEMAP_COUNTS[datasette] = found
    return found


async def sitemap_paths(datasette: Datasette, start: int = 0, stop: int | None = None) -> list[str]:
    """The front page in each language, each cited table's page, then each cited table's rows'
    pages in key order; only the addresses numbered start to stop (all by default), read with a
    query per table that has any of them."""
    db = datasette.get_database(DATABASE)
    segments = await sitemap_segments(datasette)
    first = [datasette.urls.instance() + suffix for suffix in LANGUAGES.values()]
    first += [datasette.urls.table(DATABASE, table) for table, _ in segments]
    stop = stop if stop is not None else len(first) + sum(count for _, count in segments)
    paths = first[start:stop]
    offset = len(first)  # the number of the first row page of the next table
    for table, count in segments:
        begin, end = max(start - offset, 0), min(stop - offset, count)
        if begin < end:
            pks = await db.primary_keys(table)
            keys = ", ".join(f"[{pk}]" for pk in pks) if pks else "rowid"
            rows = await db.execute(
                f"select {keys} from [{table}] order by {keys} limit ? offset ?", [end - begin, begin], truncate=False
            )
            for row in rows:
                # A row's address: its key values tilde-encoded, joined by commas (Datasette's URL design).
                paths.append(datasette.urls.row(DATABASE, table, ",".join(tilde_encode(str(v)) for v in row)))
        offset += count
    return paths


def absolute(datasette: Datasette, request: Request, path: str) -> str:
    base = public_url(datasette)
    return f"{base}{path}" if base else datasette.absolute_url(request, path)


def xml(lines: list[str]) -> Response:
    return Response("\n".join(lines) + "\n", content_type="application/xml; charset=utf-8")


async def sitemap_xml(datasette: Datasette, request: Request) -> Response:
    """The sitemap; past SITEMAP_LIMIT addresses, a sitemap index of files of at most that many."""
    if DATABASE not in datasette.databases:
        return Response.text("Not found", status=404)
    segments = await sitemap_segments(datasette)
    total = len(LANGUAGES) + len(segments) + sum(count for _, count in segments)
    if total > SITEMAP_LIMIT:
        parts = -(-total // SITEMAP_LIMIT)
        lines = ['<?xml version="1.0" encoding="UTF-8"?>']
        lines.append('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
        lines += [
            f"<sitemap><loc>{escape(absolute(datasette, request, f'/sitemap-{n}.xml'))}</loc></sitemap>"
            for n in range(1, parts + 1)
        ]
        return xml([*lines, "</sitemapindex>"])
    return xml(urlset(datasette, request, await sitemap_paths(datasette)))


def urlset(datasette: Datasette, request: Request, paths: list[str]) -> list[str]:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<url><loc>{escape(absolute(datasette, request, path))}</loc></url>" for path in paths]
    return [*lines, "</urlset>"]


async def sitemap_part(datasette: Datasette, request: Request) -> Response:
    """/sitemap-<n>.xml: the n-th SITEMAP_LIMIT addresses, when the sitemap is an index."""
    number = int(request.url_vars["number"])
    paths = await sitemap_paths(datasette, (number - 1) * SITEMAP_LIMIT, number * SITEMAP_LIMIT)
    if DATABASE not in datasette.databases or number < 1 or not paths:
        return Response.text("Not found", status=404)
    return xml(urlset(datasette, request, paths))


@hookimpl
def register_routes() -> list:
    return [(r"^/sitemap\.xml$", sitemap_xml), (r"^/sitemap-(?P<number>[0-9]+)\.xml$", sitemap_part)]
