"""Step 5: write a versioned, verifiable, standalone release to dist/<version>/.

  dist/<version>/
    data/*.csv, data/raw/*.csv   the curated tables and the raw layer, byte for byte
    datapackage.json             the schema with paths local to this folder, version, created date,
                                 each file's bytes and sha256 hash, enumerations as categories, and
                                 the version DOI as `id` once CITATION.cff has one
    codebook.csv                 one row per column: type, unit, allowed values, descriptions in
                                 English, Turkish and Russian (ots_data/codebook.py)
    changes.csv                  every row added or removed and every value changed since the
                                 previous release, with what explains it (ots_data/changes.py)
    datacite.json                DataCite 4.5 metadata, validated (ots_data/deposit.py)
    ots.db                       the SQLite database built from exactly these files
    CITATION.cff, LICENSE-DATA.md, CHANGELOG.md (this version's section and older ones)
    ots-digital-diplomacy-data-<version>.zip   all of the above in one folder, with a SHA256SUMS
                                 of its own (the zips of 0.4.0 and earlier have none)
    SHA256SUMS                   `sha256sum -c SHA256SUMS` verifies everything, the zip too
  dist/releases.json             index of every release (the Downloads page is rendered from it)

A published release never changes: an existing version is refused. Everything is reproducible:
the created date comes from CHANGELOG.md, zip entries have fixed timestamps, permissions and
order, so two clean clones produce byte-identical files. The folder is written under a temporary
name and renamed into place only when complete.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

import yaml

from ots_data.changes import changes_csv
from ots_data.codebook import codebook_csv
from ots_data.deposit import DepositError, datacite, dois
from ots_data.project import ROOT
from ots_data.public_url import PublicUrlError, is_loopback, public_url
from ots_data.schema import load_descriptor

PACKAGE = "ots-digital-diplomacy-data"
EXTRA_FILES = ("LICENSE-DATA.md",)  # copied as they are (CITATION.cff gets PUBLIC_URL: release_citation)


class ReleaseError(RuntimeError):
    pass


# The version being prepared: datapackage.yaml already names it, CHANGELOG.md's section for it says
# "Unreleased" instead of a date, and nothing of it is in dist/ yet. The release gives the section
# its date (and CITATION.cff its version and date), then `make release` publishes it.
UNRELEASED = "Unreleased"


def changelog_entry(version: str, root: Path = ROOT) -> tuple[str | None, str]:
    """(date, summary) of a version's section in CHANGELOG.md; the date is None for the version
    being prepared (a section headed '## [<version>] - Unreleased')."""
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    match = re.search(
        rf"^## \[{re.escape(version)}\] - (\d{{4}}-\d{{2}}-\d{{2}}|{UNRELEASED})\n(.*?)(?=^## |\Z)", text, re.M | re.S
    )
    if not match:
        raise ReleaseError(
            f"CHANGELOG.md has no section '## [{version}] - YYYY-MM-DD': describe the release before making it"
        )
    date = None if match.group(1) == UNRELEASED else match.group(1)
    return date, match.group(2).strip()


def published(dist: Path) -> list[dict]:
    """The published releases, oldest first, as dist/releases.json lists them."""
    index = dist / "releases.json"
    return json.loads(index.read_text(encoding="utf-8"))["releases"] if index.exists() else []


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def version_problems(root: Path = ROOT, dist: Path | None = None) -> list[str]:
    """Where the version is not stated consistently. Either it is published (dist/ holds it; the
    changelog's newest section, CITATION.cff and releases.json name it) or it is being prepared
    (its changelog section says Unreleased and comes first, it is newer than every published
    release, and CITATION.cff still cites the newest published one, which a reader can download)."""
    dist = dist or root / "dist"
    version = load_descriptor(root / "datapackage.yaml")["version"]
    citation = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    sections = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\S+)", (root / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    releases = published(dist)
    newest = releases[-1] if releases else None
    problems = []
    if not sections or sections[0][0] != version:
        problems.append(f"CHANGELOG.md's newest section is not [{version}], the version in datapackage.yaml")
    elif sections[0][1] == UNRELEASED:
        if newest and version_key(version) <= version_key(newest["version"]):
            problems.append(f"{version} is being prepared but {newest['version']} is already published")
        if (dist / version).exists():
            problems.append(f"dist/{version} exists but CHANGELOG.md says {version} is unreleased")
        cited = newest["version"] if newest else None
        if citation.get("version") != cited:
            problems.append(f"CITATION.cff cites {citation.get('version')}; until {version} is out it cites {cited}")
    else:
        if not newest or newest["version"] != version:
            problems.append(f"{version} has a release date in CHANGELOG.md but is not the newest in releases.json")
        if (str(citation.get("version")), str(citation.get("date-released"))) != (version, sections[0][1]):
            problems.append(f"CITATION.cff must cite {version} released {sections[0][1]}")
    return problems


def changelog_until(version: str, root: Path = ROOT) -> str:
    """The changelog as it stands for this version: its section and every older one (not the
    Unreleased notes, which keep changing after the release)."""
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    start = text.index(f"## [{version}]")
    return "# Changelog\n\n" + text[start:]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksums(folder: Path, names: list[str]) -> str:
    """SHA256SUMS of these files of folder, in the format `sha256sum -c` reads: one line per file,
    its hash, two spaces and its path in folder, sorted by path."""
    return "".join(f"{sha256(folder / name)}  {name}\n" for name in sorted(names))


def release_datapackage(
    descriptor: dict, created: str, folder: Path, base: str | None = None, doi: str | None = None
) -> dict:
    """The schema as published: the homepage when there is a public address (PUBLIC_URL), each
    resource with the size and SHA-256 of its file in `folder` (frictionless checks both), and
    each enumeration also as Data Package v2 `categories`, the values a reader's tool can offer,
    derived from the one list the schema keeps (`enum`)."""
    package = {"id": f"https://doi.org/{doi}"} if doi else {}  # the version DOI, once minted (deposit.py)
    for key, value in descriptor.items():
        package[key] = value
        if key == "version" and base:
            package["homepage"] = f"{base}/"  # PUBLIC_URL: where a reader finds the data and the docs
    package["created"] = f"{created}T00:00:00Z"
    package["resources"] = []
    for resource in descriptor["resources"]:
        resource = dict(resource)
        resource.pop("scheme", None)  # a local path; the validator infers the file scheme
        resource["bytes"] = (folder / resource["path"]).stat().st_size
        resource["hash"] = f"sha256:{sha256(folder / resource['path'])}"
        fields = []
        for field in resource["schema"]["fields"]:
            enum = field.get("constraints", {}).get("enum")
            fields.append({**field, "categories": list(enum)} if enum else field)
        resource["schema"] = {**resource["schema"], "fields": fields}
        package["resources"].append(resource)
    return package


def release_citation(text: str, base: str | None) -> str:
    """CITATION.cff as released: the project's, with `url` set to PUBLIC_URL when there is one
    (written as a line after date-released, so the file keeps its comments and layout)."""
    if not base:
        return text
    line = f'url: "{base}/"\n'
    if re.search(r"^url:.*\n", text, re.M):
        return re.sub(r"^url:.*\n", line, text, count=1, flags=re.M)
    return re.sub(r"^(date-released:.*\n)", lambda m: m.group(1) + line, text, count=1, flags=re.M)


# Any http(s) address in a file's text, to check that none of them is a loopback address.
URL = re.compile(r"https?://[^\s\"'<>]+")


def loopback_addresses(text: str) -> list[str]:
    return [url for url in URL.findall(text) if is_loopback(url)]


def release_base() -> str | None:
    """PUBLIC_URL for a release: refused when it is a loopback address, which no reader elsewhere
    can open and which a published release could never take back."""
    try:
        base = public_url()
    except PublicUrlError as error:
        raise ReleaseError(str(error)) from None
    if base and is_loopback(base):
        raise ReleaseError(
            f"PUBLIC_URL={base} is a loopback address: a release would carry it for good (0.1.0 and 0.2.0 "
            "carry http://127.0.0.1:8001/). Set PUBLIC_URL to the address readers use, or leave it unset "
            "to write no address"
        )
    return base


def write_zip(folder: Path, names: list[str], target: Path, created: str, prefix: str) -> None:
    year, month, day = (int(x) for x in created.split("-"))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(names):
            info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=(year, month, day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever machine makes the release
            # Streamed in blocks, never read whole: follower_counts.csv and ots.db grow with every
            # round. What writestr() does, block by block: the same bytes in the archive.
            info._compresslevel = 9
            info.file_size = (folder / name).stat().st_size  # decides ZIP64 up front, as writestr does
            with open(folder / name, "rb") as source, archive.open(info, "w") as member:
                shutil.copyfileobj(source, member, 1 << 20)


def make_release(root: Path, db: Path, dist: Path) -> Path:
    base = release_base()  # first: a loopback PUBLIC_URL is refused whatever else is ready
    descriptor = load_descriptor(root / "datapackage.yaml")
    version = descriptor["version"]
    final = dist / version
    if final.exists():
        raise ReleaseError(
            f"{final} already exists: published releases never change. Bump the version in datapackage.yaml "
            f"(and CITATION.cff, CHANGELOG.md) for new data or corrections."
        )
    created, summary = changelog_entry(version, root)
    if created is None:
        raise ReleaseError(
            f"CHANGELOG.md marks {version} {UNRELEASED}: give its section the release date "
            f"('## [{version}] - YYYY-MM-DD') and CITATION.cff that version and date, then make the release"
        )
    citation = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    if (str(citation.get("version")), str(citation.get("date-released"))) != (version, created):
        raise ReleaseError(f"CITATION.cff must say version {version}, date-released {created} before the release")
    if not db.exists():
        raise ReleaseError(f"{db} is missing: run `make build` first")
    # The files' sizes and hashes are read from the project's files, which the release copies byte for byte.
    package = release_datapackage(descriptor, created, root, base, dois(root)[0])
    package_text = json.dumps(package, ensure_ascii=False, indent=2) + "\n"
    citation_text = release_citation((root / "CITATION.cff").read_text(encoding="utf-8"), base)
    for name, text in (("datapackage.json", package_text), ("CITATION.cff", citation_text)):
        if loopback_addresses(text):
            raise ReleaseError(
                f"the release's {name} would name {', '.join(loopback_addresses(text))}, a loopback address "
                "no reader elsewhere can open; remove it from the project's file"
            )
    tmp = dist / f".{version}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        names = []
        for resource in descriptor["resources"]:
            target = tmp / resource["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / resource["path"], target)
            names.append(resource["path"])
        (tmp / "datapackage.json").write_text(package_text, encoding="utf-8")
        shutil.copyfile(db, tmp / "ots.db")
        names += ["datapackage.json", "ots.db"]
        (tmp / "CITATION.cff").write_text(citation_text, encoding="utf-8")
        names.append("CITATION.cff")
        for name in EXTRA_FILES:
            shutil.copyfile(root / name, tmp / name)
            names.append(name)
        (tmp / "CHANGELOG.md").write_text(changelog_until(version, root), encoding="utf-8")
        names.append("CHANGELOG.md")
        (tmp / "codebook.csv").write_text(codebook_csv(root), encoding="utf-8")
        names.append("codebook.csv")
        previous = [r["version"] for r in published(dist) if version_key(r["version"]) < version_key(version)]
        if previous:  # the first release has nothing to compare with
            (tmp / "changes.csv").write_text(changes_csv(dist / previous[-1], root, version), encoding="utf-8")
            names.append("changes.csv")
        sizes = {name: (tmp / name).stat().st_size for name in names}
        deposit = datacite(root, created, sizes, base)
        (tmp / "datacite.json").write_text(json.dumps(deposit, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        names.append("datacite.json")
        # The zip carries its own SHA256SUMS, of the files in it (paths as in its top folder), so a
        # folder unzipped from it verifies with `sha256sum -c SHA256SUMS` and nothing else downloaded.
        # The release folder's SHA256SUMS, written over it after, also lists the zip.
        (tmp / "SHA256SUMS").write_text(checksums(tmp, names), encoding="utf-8")
        archive = f"{PACKAGE}-{version}.zip"
        write_zip(tmp, [*names, "SHA256SUMS"], tmp / archive, created, prefix=f"{PACKAGE}-{version}")
        names.append(archive)
        (tmp / "SHA256SUMS").write_text(checksums(tmp, names), encoding="utf-8")
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    write_index(dist, root)
    return final


def write_index(dist: Path, root: Path = ROOT) -> None:
    """dist/releases.json from the release folders themselves (their SHA256SUMS and datapackage)."""
    releases = []
    for folder in sorted(
        (p for p in dist.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: [int(x) for x in p.name.split(".")],
    ):
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        files = []
        for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
            digest, name = line.split("  ", 1)
            files.append({"name": name, "bytes": (folder / name).stat().st_size, "sha256": digest})
        _, summary = changelog_entry(folder.name, folder)
        entry = {
            "version": folder.name,
            "date": package["created"][:10],
            "path": f"/downloads/{folder.name}/",
            "changes": summary,
            "files": files,
        }
        if package.get("id"):  # the version DOI once minted: the JSON-LD's identifier
            entry["doi"] = package["id"]
        releases.append(entry)
    tmp = dist / "releases.json.tmp"
    tmp.write_text(json.dumps({"releases": releases}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(dist / "releases.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--db", type=Path, default=ROOT / "build" / "ots.db")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    try:
        final = make_release(args.root, args.db, args.dist)
    except (ReleaseError, DepositError) as error:
        print(f"release refused: {error}", file=sys.stderr)
        return 1
    print(f"released {final}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
