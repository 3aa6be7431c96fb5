"""A deposit ready for a DOI: `.zenodo.json` at the top of the project and DataCite metadata in
each release (dist/<version>/datacite.json).

Zenodo's GitHub integration archives a release as software unless `.zenodo.json` says
`"upload_type": "dataset"`; every version then gets a DOI and the versions share a concept DOI.
The DOIs are not known until a repository mints them. Their one place is CITATION.cff: `doi:` for
the version and an `identifiers` entry described "concept DOI", both empty slots (comments) until
then. The release's datapackage.json (`id`), datacite.json (`doi`) and the JSON-LD (`identifier`)
take them from there. `.zenodo.json` is generated from datapackage.yaml and CITATION.cff
(`make deposit`); a test fails when the committed file differs from what they give.

The DataCite metadata is validated against the DataCite 4.5 schema by the `datacite` package
(DataCite's own JSON schema, maintained by CERN and Caltech) before a release is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from datacite import schema45

from ots_data.schema import load_descriptor

LICENCE = {
    "rights": "Creative Commons Attribution 4.0 International",
    "rightsUri": "https://creativecommons.org/licenses/by/4.0/legalcode",
    "rightsIdentifier": "cc-by-4.0",
    "rightsIdentifierScheme": "SPDX",
}
AS_OF = "2022-06-22"  # the article's tables: "Updated on June 22, 2022"


class DepositError(ValueError):
    pass


def citation(root: Path) -> dict:
    return yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))


def dois(root: Path) -> tuple[str | None, str | None]:
    """(version DOI, concept DOI) from CITATION.cff; None while no repository has minted them."""
    cff = citation(root)
    concept = next(
        (
            i["value"]
            for i in cff.get("identifiers") or []
            if i.get("type") == "doi" and "concept" in (i.get("description") or "").lower()
        ),
        None,
    )
    return cff.get("doi"), concept


def article_url(root: Path) -> str:
    """The article's address, as datapackage.yaml's `sources` gives it."""
    return load_descriptor(root / "datapackage.yaml")["sources"][0]["path"]


def creators(root: Path) -> list[str]:
    return [a["name"] for a in citation(root)["authors"]]


def zenodo(root: Path, previous_doi: str | None = None) -> dict:
    """`.zenodo.json` for the version in datapackage.yaml. The previous version is named
    `isNewVersionOf` by its DOI once CITATION.cff's history gives one (Zenodo links the versions of a
    concept DOI itself)."""
    descriptor = load_descriptor(root / "datapackage.yaml")
    related = [{"identifier": article_url(root), "relation": "isDerivedFrom", "resource_type": "publication-article"}]
    if previous_doi:
        related.append({"identifier": previous_doi, "relation": "isNewVersionOf", "resource_type": "dataset"})
    return {
        "upload_type": "dataset",
        "title": descriptor["title"],
        "creators": [{"name": name} for name in creators(root)],
        "description": " ".join(descriptor["description"].split()),
        "license": "cc-by-4.0",
        "keywords": descriptor["keywords"],
        "version": descriptor["version"],
        "language": "eng",
        "related_identifiers": related,
        "notes": (
            f"Figures as printed in the article's tables (updated on {AS_OF}). Every value keeps its printed "
            "form and its place in the article; errors of the article are recorded in the errata, with the "
            "passages of outside sources that support or contradict them."
        ),
    }


def zenodo_json(root: Path) -> str:
    return json.dumps(zenodo(root), ensure_ascii=False, indent=2) + "\n"


def datacite(root: Path, created: str, files: dict[str, int], base: str | None) -> dict:
    """The DataCite 4.5 metadata of a release: `files` maps each file name to its size in bytes."""
    descriptor = load_descriptor(root / "datapackage.yaml")
    version_doi, _ = dois(root)
    data = {
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Tables (CSV), SQLite database"},
        "creators": [{"name": name, "nameType": "Organizational"} for name in creators(root)],
        "titles": [{"title": descriptor["title"], "lang": "en"}],
        "publisher": {"name": creators(root)[0]},
        "publicationYear": created[:4],
        "subjects": [{"subject": k} for k in descriptor["keywords"]],
        "dates": [
            {"date": created, "dateType": "Issued"},
            {"date": AS_OF, "dateType": "Collected", "dateInformation": "the date the article's tables give"},
        ],
        "language": "en",
        "relatedIdentifiers": [
            {"relatedIdentifier": article_url(root), "relatedIdentifierType": "URL", "relationType": "IsDerivedFrom"}
        ],
        "sizes": [f"{len(files)} files", f"{sum(files.values())} bytes"],
        "formats": sorted({"text/csv", "application/json", "application/vnd.sqlite3", "application/zip"}),
        "version": descriptor["version"],
        "rightsList": [LICENCE],
        "descriptions": [{"description": " ".join(descriptor["description"].split()), "descriptionType": "Abstract"}],
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }
    if version_doi:
        data["doi"] = version_doi
    if base:
        data["url"] = f"{base}/downloads/{descriptor['version']}/"
    if not schema45.validate(data):
        errors = [e.message for e in schema45.validator.iter_errors(data)]
        raise DepositError("the DataCite metadata does not validate against DataCite 4.5: " + "; ".join(errors))
    return data


def main() -> None:
    """`make deposit`: write .zenodo.json from datapackage.yaml and CITATION.cff."""
    from ots_data.project import ROOT

    (ROOT / ".zenodo.json").write_text(zenodo_json(ROOT), encoding="utf-8")


if __name__ == "__main__":
    main()
