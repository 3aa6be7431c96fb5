"""The schema.org `Dataset` that describes this dataset to search engines and dataset search.

One function builds it for every page that carries it: the documentation's home pages (docs.py)
and Datasette's front page and table pages (datasette_site/ots_datasette/discovery.py). Its facts come from the
database (facts()), the schema (title, description, licence, keywords) and the release index: the
Dataset describes the newest published release, the one a reader can download, so `version`,
`datePublished`, `dateModified`, `identifier` (its DOI, once minted) and `distribution` are that
release's, and each download is an immutable file under
/downloads/<version>/ with its size and SHA-256. URLs are absolute under PUBLIC_URL, relative
(to the page's host) when it is unset.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import PurePosixPath

from ots_data.public_url import absolute

# How each kind of release file is served (the types nginx gives them, deploy/nginx-site.conf.j2).
ENCODINGS = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".db": "application/vnd.sqlite3",
    ".zip": "application/zip",
}


def facts(db: sqlite3.Connection) -> dict:
    """What the Dataset says that the database holds: the dates its figures are as of, the states
    it covers and the article it is based on (the one source of the article's tables)."""
    as_of, last = db.execute(
        "select (select max(updated_on) from article_tables), (select max(observed_on) from follower_counts)"
    ).fetchone()
    states = db.execute("select state_code, name_en from states order by state_code").fetchall()
    cursor = db.execute("select * from sources where source_id = (select min(source_id) from article_tables)")
    article = dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))
    return {"as_of": as_of, "last_observed_on": last or as_of, "states": states, "article": article}


def article(source: dict) -> dict:
    """The article as a ScholarlyArticle, with what it prints about itself: title, author and
    ORCID, journal, issue, year and pages (it prints no DOI or URL; `url` is used if one is added)."""
    family, _, given = source["author"].partition(", ")
    author = {"@type": "Person", "name": f"{given} {family}".strip()}
    if source.get("orcid"):
        author["identifier"] = f"https://orcid.org/{source['orcid']}"
    data = {
        "@type": "ScholarlyArticle",
        "name": source["title"],
        "author": author,
        "datePublished": str(source["year"]),
        "isPartOf": {
            "@type": "PublicationIssue",
            "issueNumber": source["issue"],
            "isPartOf": {"@type": "Periodical", "name": source["container_title"]},
        },
    }
    if source.get("pages"):
        data["pagination"] = source["pages"]
    if source.get("url"):
        data["url"] = source["url"]
    return data


def dataset(descriptor: dict, facts: dict, release: dict | None, base: str | None, page: str, lang: str = "en") -> dict:
    """The Dataset. `release` is an entry of dist/releases.json (None before the first release: no
    version, date or downloads to name); `page` is the path of the page that describes the dataset."""
    as_of, last = facts["as_of"], facts["last_observed_on"]
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": descriptor["title"],
        "description": " ".join(descriptor["description"].split()),
        "url": absolute(page, base),
        "license": descriptor["licenses"][0]["path"],
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": descriptor["contributors"][0]["title"]},
        "keywords": descriptor["keywords"],
        # The article's date, or from it to the last round's.
        "temporalCoverage": as_of if last <= as_of else f"{as_of}/{last}",
        "spatialCoverage": [{"@type": "Country", "name": name, "identifier": code} for code, name in facts["states"]],
        "inLanguage": lang,
        "isBasedOn": article(facts["article"]),
        "publisher": {"@type": "Organization", "name": descriptor["contributors"][0]["title"]},
        "variableMeasured": variables(descriptor),
    }
    if facts["article"].get("citation"):
        data["citation"] = facts["article"]["citation"]  # the article the data is taken from
    if release:
        data["dateModified"] = release["date"]
        if release.get("doi"):  # the version DOI, once a repository has minted it (ots_data/deposit.py)
            data["identifier"] = release["doi"]
        data["version"] = release["version"]
        data["datePublished"] = release["date"]
        data["distribution"] = [
            {
                "@type": "DataDownload",
                "name": file["name"],
                "encodingFormat": ENCODINGS[PurePosixPath(file["name"]).suffix],
                "contentUrl": absolute(f"{release['path']}{file['name']}", base),
                "contentSize": f"{file['bytes']} B",
                "sha256": file["sha256"],
            }
            for file in release["files"]
            if PurePosixPath(file["name"]).suffix in ENCODINGS
        ]
    return data


def variables(descriptor: dict) -> list[dict]:
    """What the dataset measures: every field of the schema that has a unit, with its unit."""
    return [
        {
            "@type": "PropertyValue",
            "name": f"{resource['name']}.{field['name']}",
            "description": " ".join(field.get("description", "").split()),
            "unitText": field["unit"],
        }
        for resource in descriptor["resources"]
        for field in resource["schema"]["fields"]
        if field.get("unit")
    ]


def script_text(data: dict) -> str:
    """The JSON for a <script type="application/ld+json">. "</" cannot appear inside a JSON string
    here, but is escaped anyway so that no data can end the script."""
    return json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")
