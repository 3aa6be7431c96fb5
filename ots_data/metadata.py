"""Step 3: write build/metadata.json for Datasette: metadata.yml plus every table's and column's
description taken from datapackage.yaml (never written twice by hand)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from ots_data.catalog import FOLDER as CATALOG_FOLDER
from ots_data.catalog import load as load_catalog
from ots_data.project import ROOT
from ots_data.public_url import PublicUrlError, absolute, public_url
from ots_data.schema import Field, load_descriptor, load_resources

DATABASE = "ots"
QUERIES = CATALOG_FOLDER / "queries"
INHERITED = ("license", "license_url", "source", "source_url", "about", "about_url")


def column_description(field: Field) -> str:
    text = field.description
    if field.unit:
        text += f" Unit: {field.unit}."
    if field.enum:
        text += " Allowed values: " + ", ".join(field.enum) + "."
    if field.type == "boolean":
        text += " 1 = true, 0 = false."
    return text


# What crawlers may read: every page, but no arbitrary SQL (`?sql=` on the database or any of its
# formats, as the first parameter or a later one) and none of Datasette's /-/ pages, except the
# CSS and scripts a page needs to render (/-/static/, /-/static-plugins/). `*` is understood by the
# large crawlers; /ots?sql= is also written plainly for those that read no wildcard. The Allow
# lines come first: some parsers (Python's robotparser) apply the first rule that matches, the
# large crawlers the longest, and in this order both read the same.
ROBOTS_RULES = [
    "User-agent: *",
    "Allow: /-/static/",
    "Allow: /-/static-plugins/",
    "Disallow: /*?sql=",
    "Disallow: /*&sql=",
    "Disallow: /ots?sql=",
    "Disallow: /-/",
]
# The sitemaps robots.txt names: the data's (datasette_site/ots_datasette/discovery.py) and the docs' (MkDocs).
SITEMAPS = ["/sitemap.xml", "/docs/sitemap.xml"]


def robots_txt(base: str | None) -> str:
    """/robots.txt, served by datasette-block-robots. A Sitemap line must be an absolute URL, so
    the sitemaps are named only when PUBLIC_URL is set."""
    lines = ROBOTS_RULES + ([""] + [f"Sitemap: {absolute(path, base)}" for path in SITEMAPS] if base else [])
    return "\n".join(lines) + "\n"


def plugin_settings(base: str | None) -> dict:
    """The plugins' part of the metadata: robots.txt, and PUBLIC_URL for the project's plugin
    (the addresses of the sitemap, the JSON-LD and "Cite this")."""
    settings = {"datasette-block-robots": {"literal": robots_txt(base)}}
    if base:
        settings["ots"] = {"public_url": base}
    return settings


def build_metadata(root: Path = ROOT) -> dict:
    with open(root / "metadata.yml", encoding="utf-8") as handle:
        metadata = yaml.safe_load(handle)
    descriptor = load_descriptor(root / "datapackage.yaml")
    tables = metadata.setdefault("databases", {}).setdefault(DATABASE, {}).setdefault("tables", {})
    for resource in load_resources(root / "datapackage.yaml"):
        table = tables.setdefault(resource.name, {})
        table["description"] = resource.description
        table["columns"] = {field.name: column_description(field) for field in resource.fields}
    catalog = load_catalog()
    names = catalog.columns(root / "datapackage.yaml")
    for relation in [*catalog.views.values(), *catalog.derived_tables.values()]:
        table = tables.setdefault(relation.name, {})
        table["description"] = relation.description
        table["columns"] = {}
        for column in names[relation.name]:
            field = catalog.describing_field(relation, column, root / "datapackage.yaml")
            text = relation.columns.get(column) or (column_description(field) if field else None)
            if text:
                table["columns"][column] = text
    for query in metadata["databases"][DATABASE].get("queries", {}).values():
        if "sql_template" in query:  # one SQL text for several queries, with their values filled in
            template = query.pop("sql_template")
            text = (QUERIES / template["file"]).read_text(encoding="utf-8").strip()
            query["sql"] = text.format(**{k: v for k, v in template.items() if k != "file"})
    # Datasette 0.65's row page shows only its table's own licence, source and about links, and its
    # table page copies the inherited ones into the table's metadata on the first visit: a row page
    # read first would name no licence and no source. So every table states them itself.
    for table in tables.values():
        for key in INHERITED:
            if key in metadata:
                table.setdefault(key, metadata[key])
    metadata["databases"][DATABASE].setdefault("description", f"Data package version {descriptor['version']}.")
    # Operational, not descriptive: kept under `plugins`, which Datasette 1.0 moves to datasette.yaml.
    plugins = metadata.setdefault("plugins", {})
    for name, config in plugin_settings(public_url()).items():  # merged with metadata.yml's, never over it
        plugins.setdefault(name, {}).update(config)
    # What the project's plugin is told (datasette.plugin_config("ots")): the version served, the
    # canned queries' titles and PUBLIC_URL, besides what metadata.yml says there.
    queries = metadata["databases"][DATABASE].get("queries", {})
    plugins.setdefault("ots", {}).update(
        version=descriptor["version"],
        query_titles={name: query.get("title", name) for name, query in queries.items()},
    )
    return metadata


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "metadata.json")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    try:
        text = json.dumps(build_metadata(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    except PublicUrlError as error:
        print(f"metadata failed: {error}", file=sys.stderr)
        return 1
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
