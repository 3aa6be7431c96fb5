"""An Atom feed of what the project publishes: every release, and every erratum as published.

Written by the docs step to site/feed.xml (served at /docs/feed.xml) from the published releases
in dist/ only, so a reader's feed changes when a version is published, not with every commit:
an erratum appears with the first release that holds it and is updated when a later release
changes its row. Entry ids are tag URIs (RFC 4151), which stay the same wherever the site is
served; links are absolute when the site has a public address and relative to the feed
otherwise (Atom resolves them against the feed's own URL).

Written with the standard library's ElementTree: the feed is a dozen elements, and a feed
library would add a dependency for nothing the format needs.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
TAG = "tag:ots-digital-diplomacy-data,2026:"  # the tag URI's authority and date: the project's first year


def errata_history(dist: Path, releases: list[dict]) -> dict[str, dict]:
    """erratum_id -> {"row", "published", "updated"}: the row as last released, the date of the
    first release that holds it and of the last release that changed it."""
    history: dict[str, dict] = {}
    for release in releases:
        path = dist / release["version"] / "data" / "errata.csv"
        if not path.exists():
            continue
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                seen = history.get(row["erratum_id"])
                if seen is None:
                    history[row["erratum_id"]] = {"row": row, "published": release["date"], "updated": release["date"]}
                elif seen["row"] != row:
                    seen.update(row=row, updated=release["date"])
    return history


def timestamp(day: str) -> str:
    return f"{day}T00:00:00Z"


def add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def entry(
    root: ET.Element, key: str, title: str, dates: tuple[str, str], link: str, summary: str, related: str | None = None
) -> None:
    """One entry: its tag id, title, (published, updated) days, link and plain-text summary, and a
    related link (a release's changes.csv, the values that changed in it)."""
    element = add(root, "entry")
    add(element, "id", f"{TAG}{key}")
    add(element, "title", title)
    add(element, "updated", timestamp(dates[1]))
    add(element, "published", timestamp(dates[0]))
    add(element, "link", href=link)
    if related:
        add(element, "link", rel="related", type="text/csv", href=related)
    add(element, "summary", summary)


def feed(dist: Path, title: str, author: str, base: str = "..") -> bytes:
    """The feed's bytes. `base` is the site's root as seen from the feed: the public address, or
    ".." for the feed at /docs/feed.xml."""
    index = dist / "releases.json"
    releases = json.loads(index.read_text(encoding="utf-8"))["releases"] if index.exists() else []
    errata = errata_history(dist, releases)
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    add(root, "id", f"{TAG}feed")
    add(root, "title", f"{title}: releases and errata")
    dates = [r["date"] for r in releases]
    add(root, "updated", timestamp(max(dates)) if dates else "1970-01-01T00:00:00Z")
    add(add(root, "author"), "name", author)
    add(root, "link", rel="self", href=f"{base}/docs/feed.xml")
    add(root, "link", rel="alternate", href=f"{base}/docs/downloads/")
    for release in reversed(releases):
        entry(
            root,
            f"release/{release['version']}",
            f"Version {release['version']} released",
            (release["date"], release["date"]),
            f"{base}{release['path']}",
            release["changes"] or f"Version {release['version']}.",
            f"{base}{release['path']}changes.csv" if (dist / release["version"] / "changes.csv").exists() else None,
        )
    for erratum_id, seen in sorted(errata.items(), key=lambda item: (item[1]["updated"], item[0]), reverse=True):
        row = seen["row"]
        entry(
            root,
            f"erratum/{erratum_id}",
            f"Erratum {erratum_id} ({row['category'].replace('_', ' ')}, {row['status']})",
            (seen["published"], seen["updated"]),
            f"{base}/ots/errata/{erratum_id}",
            f"Printed: \u201c{row['printed']}\u201d ({row['source_locator']}). {row['record']}",
        )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write(out: Path, dist: Path, descriptor: dict, base: str = "..") -> None:
    author = descriptor["contributors"][0]["title"]
    (out / "feed.xml").write_bytes(feed(dist, descriptor["title"], author, base))
