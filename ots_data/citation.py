"""How to cite one row: which published release holds it, whether the page shows that release's
values, and the citation text. Used by datasette_site/ots_datasette/cite_row.py (the "Cite this" block of row pages)
and by its tests.

A row page shows the database being served, which may be a version still in preparation
(CHANGELOG.md: "## [<version>] - Unreleased"). A citation must name a version a reader can
download, so it names the newest *published* release that holds the row (dist/releases.json, as
ots_data.release.published reads it), links the immutable file of that release, and says when the
page shows something else: a version in preparation, values that differ from the release, or a row
no release holds yet (then no file is linked, rather than one that does not contain it).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ots_data.release import published


@lru_cache(maxsize=64)
def _package(path: str, mtime_ns: int) -> dict:
    # Keyed by modification time as well: a release folder is never changed, but a test may
    # write another one at the same path.
    return json.loads(Path(path).read_text(encoding="utf-8"))


def release_package(folder: Path) -> dict:
    """A release's datapackage.json (its title, creator and the path of each table's file)."""
    path = folder / "datapackage.json"
    return _package(str(path), path.stat().st_mtime_ns)


def release_row(folder: Path, table: str, key_column: str, key: str) -> dict | None:
    """The row of `table` whose `key_column` is `key` in a release, or None when the release does
    not hold it. Read from the release's ots.db, which the release built from exactly its CSV files
    (ots_data/release.py): one indexed lookup, whatever the size of the file."""
    db = folder / "ots.db"
    if not db.exists():
        return None
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        found = conn.execute(f'select * from "{table}" where "{key_column}" = ?', [key]).fetchone()
    except sqlite3.OperationalError:  # the table or the column is not in that release
        return None
    finally:
        conn.close()
    return dict(found) if found else None


def differences(shown: dict, released: dict) -> list[str]:
    """The columns whose values on the page are not those of the release (or that only one has)."""
    return sorted(name for name in shown.keys() | released.keys() if shown.get(name, ...) != released.get(name, ...))


@dataclass
class RowCitation:
    title: str
    creator: str
    table: str
    key_column: str
    key: str
    stable_url: str
    locator: str | None
    source: str | None  # the source the locator points into, as author (year)
    shown_version: str | None
    shown_is_published: bool
    cited_version: str | None = None  # None: no published release holds the row
    cited_date: str | None = None
    file_name: str | None = None  # the release's file that holds the row, e.g. data/accounts.csv
    file_url: str | None = None  # where it is served (dist/ is served at /downloads/)
    changed: list[str] = field(default_factory=list)  # columns that differ from the cited release

    @property
    def apa(self) -> str:
        """An APA 7 data-set reference with the row and its place in the article: plain text, as
        it is pasted into a paper or a story."""
        if self.cited_version:
            head = f"{self.creator}. ({self.cited_date[:4]}). {self.title} (Version {self.cited_version}) [Data set]."
        else:
            head = f"{self.creator}. (n.d.). {self.title} (Version {self.shown_version}, unreleased) [Data set]."
        where = f"Table {self.table}, row {self.key}"
        if self.locator:
            where += f"; {self.source + ', ' if self.source else ''}{self.locator}"
        return f"{head} {where}. {self.stable_url}"


def cite_row(
    *,
    dist: Path,
    table: str,
    key_column: str,
    key: str,
    row: dict,
    stable_url: str,
    shown_version: str | None,
    locator: str | None,
    source: str | None,
    fallback_package: dict,
) -> RowCitation:
    """The citation of one row shown on a page. `fallback_package` (the project's own
    datapackage) gives title and creator when no published release holds the row."""
    releases = published(dist)
    citation = RowCitation(
        title=fallback_package["title"],
        creator=fallback_package["contributors"][0]["title"],
        table=table,
        key_column=key_column,
        key=key,
        stable_url=stable_url,
        locator=locator,
        source=source,
        shown_version=shown_version,
        shown_is_published=shown_version in {release["version"] for release in releases},
    )
    for release in reversed(releases):  # newest first
        folder = dist / release["version"]
        released = release_row(folder, table, key_column, key)
        if released is None:
            continue
        package = release_package(folder)
        resource = next(r for r in package["resources"] if r["name"] == table)
        citation.title = package["title"]
        citation.creator = package["contributors"][0]["title"]
        citation.cited_version, citation.cited_date = release["version"], release["date"]
        citation.file_name = resource["path"]
        citation.file_url = release["path"] + resource["path"]
        citation.changed = differences(row, released)
        break
    return citation
