"""The Atom feed of releases and errata (ots_data/feed.py): valid Atom, one entry per published
release and per published erratum, dated by the releases that published and changed them."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from xml.etree import ElementTree as ET

from conftest import ROOT, read_csv, show

from ots_data import feed

A = "{http://www.w3.org/2005/Atom}"


def entries(xml: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(xml)
    assert root.tag == f"{A}feed"
    return {e.findtext(f"{A}id"): e for e in root.findall(f"{A}entry")}


def test_the_feed_has_an_entry_for_every_published_release_and_erratum():
    releases = json.loads((ROOT / "dist/releases.json").read_text(encoding="utf-8"))["releases"]
    newest = releases[-1]["version"]
    got = entries(feed.feed(ROOT / "dist", "T", "A"))
    expected = {f"{feed.TAG}release/{r['version']}" for r in releases}
    expected |= {f"{feed.TAG}erratum/{r['erratum_id']}" for r in read_csv(ROOT / f"dist/{newest}/data/errata.csv")}
    assert not expected - set(got), show(sorted(expected - set(got)))


def test_every_entry_has_what_atom_requires():
    """RFC 4287: each entry has an id, a title, an updated date and (no content) a link."""
    missing = [
        (key, tag)
        for key, entry in entries(feed.feed(ROOT / "dist", "T", "A")).items()
        for tag in ("id", "title", "updated", "link")
        if entry.find(f"{A}{tag}") is None
    ]
    assert not missing, show(missing)


def fake_release(dist: Path, version: str, date: str, errata: list[dict]) -> dict:
    folder = dist / version / "data"
    folder.mkdir(parents=True)
    with open(folder / "errata.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(errata[0]))
        writer.writeheader()
        writer.writerows(errata)
    return {"version": version, "date": date, "path": f"/downloads/{version}/", "changes": "", "files": []}


def test_an_erratum_is_published_with_its_first_release_and_updated_when_a_release_changes_it(tmp_path):
    row = {
        "erratum_id": "a",
        "category": "name_slip",
        "printed": "x",
        "source_locator": "l",
        "record": "r",
        "status": "confirmed",
    }
    releases = [
        fake_release(tmp_path, "1.0.0", "2030-01-01", [row]),
        fake_release(tmp_path, "1.1.0", "2030-02-01", [{**row, "status": "unverified"}, {**row, "erratum_id": "b"}]),
        fake_release(tmp_path, "1.2.0", "2030-03-01", [{**row, "status": "unverified"}, {**row, "erratum_id": "b"}]),
    ]
    (tmp_path / "releases.json").write_text(json.dumps({"releases": releases}), encoding="utf-8")
    got = entries(feed.feed(tmp_path, "T", "A"))
    dates = {
        key.rsplit("/", 1)[1]: (e.findtext(f"{A}published")[:10], e.findtext(f"{A}updated")[:10])
        for key, e in got.items()
        if ":erratum/" in key
    }
    assert dates == {"a": ("2030-01-01", "2030-02-01"), "b": ("2030-02-01", "2030-02-01")}, dates


def test_the_docs_site_serves_the_feed(docs_site):
    assert entries((docs_site / "feed.xml").read_bytes())


def test_a_release_entry_links_its_changes_csv_when_it_has_one():
    releases = json.loads((ROOT / "dist/releases.json").read_text(encoding="utf-8"))["releases"]
    got = entries(feed.feed(ROOT / "dist", "T", "A", base="https://example.org/ots"))
    with_changes = [r for r in releases if (ROOT / "dist" / r["version"] / "changes.csv").exists()]
    assert with_changes  # 0.4.0 on
    for release in releases:
        related = [
            link.get("href")
            for link in got[f"{feed.TAG}release/{release['version']}"].findall(f"{A}link")
            if link.get("rel") == "related"
        ]
        expected = [f"https://example.org/ots{release['path']}changes.csv"] if release in with_changes else []
        assert related == expected, (release["version"], related)
