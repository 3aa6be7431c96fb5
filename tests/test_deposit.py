"""A release travels: a deposit description (.zenodo.json), DataCite metadata validated against
DataCite's schema, a codebook of every column and a value-level change log. Expected values are read
from the data, the schema file and the YAML translations, not from the modules under test."""

from __future__ import annotations

import csv
import io
import re
import shutil

import pytest
import yaml
from conftest import ROOT, copy_project, read_csv, show

from ots_data.changes import change_rows
from ots_data.codebook import codebook_rows
from ots_data.deposit import DepositError, datacite, dois, zenodo_json
from ots_data.json_ld import dataset
from ots_data.release import release_datapackage

DESCRIPTOR = yaml.safe_load((ROOT / "datapackage.yaml").read_text(encoding="utf-8"))
ARTICLE_URL = next(r["url"] for r in read_csv(ROOT / "data/sources.csv") if r["source_id"] == "altun-2023")


def test_the_committed_zenodo_json_is_what_the_schema_and_citation_give():
    assert (ROOT / ".zenodo.json").read_text(encoding="utf-8") == zenodo_json(ROOT), "run `make deposit`"


def test_zenodo_archives_a_dataset_derived_from_the_article_under_cc_by():
    import json

    deposit = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert deposit["upload_type"] == "dataset" and deposit["license"] == "cc-by-4.0"
    assert deposit["version"] == DESCRIPTOR["version"]
    assert {"identifier": ARTICLE_URL, "relation": "isDerivedFrom", "resource_type": "publication-article"} in (
        deposit["related_identifiers"]
    )


def test_datacite_metadata_validates_and_names_the_article():
    data = datacite(ROOT, "2026-12-07", {"data/errata.csv": 10}, "https://example.org/ots")
    assert data["types"]["resourceTypeGeneral"] == "Dataset" and data["version"] == DESCRIPTOR["version"]
    assert {"relatedIdentifier": ARTICLE_URL, "relatedIdentifierType": "URL", "relationType": "IsDerivedFrom"} in (
        data["relatedIdentifiers"]
    )
    assert "doi" not in data  # no DOI is minted yet: CITATION.cff's slots are comments


def test_datacite_metadata_that_does_not_validate_is_refused(monkeypatch):
    """The validation is real: a DataCite record without titles (required by the schema) is refused."""
    from ots_data import deposit

    real = deposit.load_descriptor

    def untitled(path):
        return {**real(path), "title": None}

    monkeypatch.setattr(deposit, "load_descriptor", untitled)
    with pytest.raises(DepositError, match="DataCite"):
        datacite(ROOT, "2026-12-07", {"a": 1}, None)


def test_minted_dois_fill_the_release_id_and_the_json_ld_identifier(tmp_path):
    project = copy_project(tmp_path)
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert "# doi:" in cff  # the slot is there, empty
    cff = re.sub(r"^# doi: .*$", 'doi: "10.5281/zenodo.1234567"', cff, count=1, flags=re.M)
    (project / "CITATION.cff").write_text(cff, encoding="utf-8")
    assert dois(project)[0] == "10.5281/zenodo.1234567"
    package = release_datapackage(DESCRIPTOR, "2026-12-07", ROOT, None, dois(project)[0])
    assert package["id"] == "https://doi.org/10.5281/zenodo.1234567"
    assert datacite(project, "2026-12-07", {"a": 1}, None)["doi"] == "10.5281/zenodo.1234567"
    article = {"author": "Altun, Fatmanur", "title": "T", "year": 2023, "issue": "106", "container_title": "bilig"}
    facts = {"as_of": "2022-06-22", "last_observed_on": "2022-06-22", "states": [], "article": article}
    release = {"version": "9.9.9", "date": "2026-12-07", "files": [], "doi": package["id"]}
    assert dataset(DESCRIPTOR, facts, release, None, "/")["identifier"] == package["id"]
    assert "identifier" not in dataset(DESCRIPTOR, facts, {**release, "doi": None}, None, "/")


def test_the_codebook_has_one_row_per_column_with_its_three_descriptions():
    translated = yaml.safe_load((ROOT / "docs/i18n/schema.yml").read_text(encoding="utf-8"))
    expected = [(r["name"], f["name"]) for r in DESCRIPTOR["resources"] for f in r["schema"]["fields"]]
    rows = codebook_rows(ROOT)
    assert [(r["table"], r["column"]) for r in rows] == expected
    by_key = {(r["table"], r["column"]): r for r in rows}
    status = by_key[("errata", "status")]
    assert status["allowed_values"] == "confirmed | unverified" and status["required"] == "true"
    units = {(r["name"], f["name"]): f.get("unit", "") for r in DESCRIPTOR["resources"] for f in r["schema"]["fields"]}
    assert by_key[("follower_counts", "count")]["unit"] == units[("follower_counts", "count")] != ""
    wrong = [
        key
        for key, row in by_key.items()
        if row["description_tr"] != " ".join(translated[f"{key[0]}.{key[1]}"]["tr"].split())
        or not row["description_en"]
        or not row["description_ru"]
    ]
    assert not wrong, show(wrong)


@pytest.fixture
def previous_release(tmp_path):
    """A 'previous release': the project's data with one value changed, one row removed (so it is
    added now) and one row added (so it is removed now)."""
    folder = tmp_path / "previous"
    for resource in DESCRIPTOR["resources"]:
        (folder / resource["path"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / resource["path"], folder / resource["path"])
    path = folder / "data/follower_counts.csv"
    rows = read_csv(path)
    fields = list(rows[0])
    for row in rows:
        if row["count_id"] == "altun-2023-t2-r04-instagram":
            row["count"] = "10300"
    path.write_text(_csv(fields, rows), encoding="utf-8")
    path = folder / "data/events.csv"
    rows = read_csv(path)
    fields = list(rows[0])
    named = {ref.strip() for e in read_csv(ROOT / "data/errata.csv") for ref in e["affects"].split(";")}
    gone = next(r for r in rows if f"events:{r['event_id']}" not in named)  # no erratum explains it
    rows = [r for r in rows if r is not gone]
    rows.append({**rows[0], "event_id": "zz-an-old-event"})
    path.write_text(_csv(fields, rows), encoding="utf-8")
    return folder, gone["event_id"]


def _csv(fields, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_the_change_log_lists_each_changed_value_and_each_added_or_removed_row(previous_release):
    folder, added_event = previous_release
    rows = change_rows(folder, ROOT, "9.9.9")
    changed = [r for r in rows if r["table"] == "follower_counts"]
    assert changed == [
        {
            "table": "follower_counts",
            "key": "altun-2023-t2-r04-instagram",
            "change": "value_changed",
            "column": "count",
            "old": "10300",
            "new": "",
            "explained_by": "erratum garbled-10-3",  # the erratum whose `affects` names the row
        }
    ]
    events = {(r["key"], r["change"], r["explained_by"]) for r in rows if r["table"] == "events"}
    assert events == {
        (added_event, "row_added", "CHANGELOG 9.9.9"),
        ("zz-an-old-event", "row_removed", "CHANGELOG 9.9.9"),
    }
    assert len(rows) == 3


def test_a_table_new_in_this_version_is_listed_row_by_row(previous_release):
    folder, _ = previous_release
    (folder / "data/evidence.csv").unlink()
    rows = [r for r in change_rows(folder, ROOT, "9.9.9") if r["table"] == "evidence"]
    assert len(rows) == len(read_csv(ROOT / "data/evidence.csv")) and {r["change"] for r in rows} == {"row_added"}
