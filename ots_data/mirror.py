"""`make mirror`: the citable part of the site as static files, in build/mirror/.

Every address the site hands out in a citation must outlive the server. The mirror holds, rendered
by the same Datasette configuration as every replica (ots_data/serving.py, through Datasette's
documented in-process client `datasette.client`): the front page, every address of /sitemap.xml,
each table and view and each canned query's default page as HTML, JSON and CSV, /sitemap.xml and
/robots.txt, the CSS and scripts those pages load, the docs (site/) and the releases (dist/, with a
listing of each folder). A plain static host answers the site's own URLs from it:

    /                              index.html
    /ots/follower_counts           ots/follower_counts.html   (the "pretty URL" rule of static hosts:
    /ots/follower_counts/<key>     ots/follower_counts/<key>.html     a path without an extension)
    /ots/follower_counts.json      ots/follower_counts.json   (a path with one: the file itself)
    /docs/methodology/             docs/methodology/index.html

JSON and CSV are Datasette's bytes; HTML too, apart from Datasette's per-request timing line and
one script added before </body> (STATIC_COPY_SCRIPT) that, on a static copy, tells a reader who
came with a query string (a filter, a sort, SQL, a further page) that only the live site answers it,
and links there. Any other address leads to 404.html, which says the same. A file is rewritten only
when its bytes change, so a second run over an unchanged database writes nothing.

Rendering costs about a sixtieth of a second a page (docs/reports/bench.md): minutes at a hundred
thousand rows, hours at a million. So a run first computes the fingerprint of everything the
rendered pages are made of (fingerprint() below) and renders nothing when the last complete run into
the same folder had the same one (the stamp beside the folder, <out>.fingerprint, also lists the
files that run rendered). The docs, the releases and the listings of their folders are copied or
rendered again on every run: they change without the database changing, and they are few.

The mirror names the address it is rendered for (`base`: PUBLIC_URL, or the address of the nginx
that serves it under `make serve-prod`) and no other: never the machine that rendered it.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import html
import importlib.metadata
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ots_data import serving
from ots_data.project import ROOT
from ots_data.public_url import public_url

DATABASE = "ots"
OUT = ROOT / "build" / "mirror"
# Datasette's footer says how long this request's queries took: the one line of a page that differs
# between two renderings of the same database.
TIMING = re.compile(rb"&middot; Queries took [0-9.]+ms")
# JSON's own timing field (Datasette's default JSON shape), masked in comparisons the same way.
JSON_TIMING = re.compile(rb'"query_ms": [0-9.e-]+')
ASSET = re.compile(r'(?:src|href)="(/(?:-/static|-/static-plugins|assets)/[^"?#]+)[^"]*"')
STATIC_COPY_MARK = b"<script>/* Added by make mirror"
STATIC_COPY_SCRIPT = """<script>/* Added by make mirror (ots_data/mirror.py): this is a static copy. */
(function () {
  var live = %s;
  if (!location.search || !live) return;
  var note = document.createElement("p");
  note.className = "ots-static-copy";
  note.setAttribute("role", "status");
  var link = document.createElement("a");
  link.href = live + location.pathname + location.search;
  link.textContent = "open this address on the live site";
  note.append("This is a static copy of the site: it shows the page without the part after \\"?\\" "
    + "(a filter, a sort, a search, SQL or a further page). ", link, ".");
  var main = document.querySelector("main") || document.body;
  main.insertBefore(note, main.firstChild);
})();
</script>
"""
NOT_IN_COPY = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not in this static copy</title></head>
<body><main>
<h1>Not in this static copy</h1>
<p>This address is not in the static copy of OTS Digital Diplomacy Data. The copy holds the front
page, the first page of every table, the rows a citation names, the documentation and the releases
(every table whole). Pages made on request (a filter, a sort, a search, SQL, a further page of a
table) and the rows of the tables no citation names are answered only by the live site.</p>
<p>%s</p>
<p><a href="/">Front page</a> &middot; <a href="/docs/">Documentation</a> &middot;
<a href="/downloads/">Releases</a></p>
</main></body>
</html>
"""


def file_for(path: str) -> str:
    """The file of the mirror that answers a URL path (see the module's docstring)."""
    relative = path.lstrip("/")
    if path.endswith("/"):
        return relative + "index.html"
    if "." in relative.rsplit("/", 1)[-1]:
        return relative
    return relative + ".html"


def comparable(body: bytes) -> bytes:
    """A page's bytes without what differs between two renderings of the same database."""
    return TIMING.sub(b"", JSON_TIMING.sub(b'"query_ms": 0', body))


def without_static_copy_script(body: bytes) -> bytes:
    """A mirrored page as Datasette rendered it: without the script the mirror adds."""
    start = body.find(STATIC_COPY_MARK)
    if start < 0:
        return body
    end = body.index(b"</script>\n", start) + len(b"</script>\n")
    return body[:start] + body[end:]


@dataclass
class Written:
    """What a run did: pages rendered, files written (new or changed bytes), files left as they were,
    files removed; reused: the pages of the last run were kept (its fingerprint was the same)."""

    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    pages: int = 0
    reused: bool = False


def sha256_of(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# What the pages Datasette renders are made of, besides the database and the metadata: the served
# site (plugin, templates, assets, settings), every module of ots_data/ (the plugin imports some; the
# mirror is rendered by others), the translations the front pages and records read, the schema the
# records and citations read, and the releases index (published releases never change; a new one
# changes the index). tests/test_mirror.py checks that a render opens no other file of the project.
MADE_OF = ("datasette_site", "ots_data", "docs/i18n", "datapackage.yaml", "metadata.yml", "dist/releases.json")


def made_of_files() -> list[Path]:
    files = []
    for name in MADE_OF:
        path = ROOT / name
        if name == "dist/releases.json":
            path = serving.STATIC_MOUNTS["downloads"] / "releases.json"
        elif name == "datasette_site":
            path = serving.SITE_DIR
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.is_file():
            files.append(path)
    return files


def fingerprint(base: str, db: Path, metadata: Path) -> str:
    """What the pages Datasette renders for the mirror are made of: the address they name, the
    database, the metadata, the files of MADE_OF, and the version of every installed package (a
    Datasette upgrade renders again)."""
    parts = [f"base {base}", f"db {sha256_of(db)}", f"metadata {sha256_of(metadata)}"]
    parts += [f"file {p.as_posix()} {sha256_of(p)}" for p in made_of_files()]
    parts += sorted(f"package {d.metadata['Name']} {d.version}" for d in importlib.metadata.distributions())
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def stamp_for(out: Path) -> Path:
    """Beside the mirror, not in it: a static host publishes everything the folder holds."""
    return out.with_name(out.name + ".fingerprint")


def last_run(out: Path) -> dict:
    """The fingerprint and rendered files of the last complete run into `out`, or {}."""
    try:
        return json.loads(stamp_for(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_if_changed(out: Path, name: str, body: bytes, done: Written) -> None:
    target = out / name
    if target.exists():
        old = target.read_bytes()
        # A page whose only difference is the timing line keeps its file: a second run over the same
        # database writes nothing.
        if old == body or comparable(old) == comparable(body):
            done.unchanged += 1
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(body)
    tmp.replace(target)
    done.written.append(name)


def sync_tree(source: Path, out: Path, prefix: str, done: Written, keep: set[str]) -> None:
    """Copy a folder (the docs, the releases) into the mirror, file by file, when the bytes differ."""
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(source).parts):
            name = f"{prefix}/{path.relative_to(source).as_posix()}"
            keep.add(name)
            write_if_changed(out, name, path.read_bytes(), done)


async def mirror_paths(datasette: object, get: object) -> list[str]:
    """Every address the mirror answers that Datasette renders."""
    db = datasette.get_database(DATABASE)
    hidden = set(await db.hidden_table_names())
    tables = [t for t in await db.table_names() if t not in hidden] + list(await db.view_names())
    config = datasette.plugin_config("ots") or {}
    queries = list(config.get("query_titles", {}))
    paths = ["/", "/robots.txt", "/sitemap.xml", f"/{DATABASE}"]
    for name in [*tables, *queries]:
        paths += [f"/{DATABASE}/{name}", f"/{DATABASE}/{name}.json", f"/{DATABASE}/{name}.csv"]
    sitemap = (await get("/sitemap.xml")).text
    locs = [urlsplit(html.unescape(loc)).path for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    if "<sitemapindex" in sitemap:  # past 50,000 addresses: an index of sitemap files, each mirrored
        parts, locs = locs, []
        for part in parts:
            paths.append(part)
            text = (await get(part)).text
            locs += [urlsplit(html.unescape(loc)).path for loc in re.findall(r"<loc>([^<]+)</loc>", text)]
    paths += locs
    return list(dict.fromkeys(paths))


async def render(
    base: str,
    out: Path,
    db: Path = serving.DB,
    metadata: Path = serving.METADATA,
    with_folders: bool = True,
    reuse: bool = True,
) -> Written:
    """Render the mirror for `base` into `out`. with_folders=False leaves out the docs and the releases
    (under `make serve-prod` nginx serves site/ and dist/ itself). reuse=False renders every page even
    when the fingerprint is that of the last run."""
    from datasette.app import Datasette

    parts = urlsplit(base)
    kwargs = serving.app_kwargs(db, json.loads(metadata.read_text(encoding="utf-8")))
    if parts.scheme == "https":  # as the server's replicas are told (serve_prod.py config --https)
        kwargs["settings"] = {**kwargs["settings"], "force_https_urls": True}
    datasette = Datasette(**kwargs)
    headers = {"host": parts.netloc}

    async def get(path: str) -> object:
        return await datasette.client.get(path, headers=headers)

    done = Written()
    keep: set[str] = {"404.html"}
    # The live site a static copy points readers to. A mirror for this machine's own nginx (make
    # serve-prod without PUBLIC_URL) is served in front of the live site itself: no script there.
    live = json.dumps(base) if parts.hostname not in ("127.0.0.1", "localhost") else "null"
    script = (STATIC_COPY_SCRIPT % live).encode() if live != "null" else b""
    made_of = fingerprint(base, db, metadata)
    before = last_run(out)
    queue: list[str] = []
    if reuse and before.get("fingerprint") == made_of and all((out / n).is_file() for n in before["files"]):
        done.reused = True
        keep.update(before["files"])
    else:
        stamp_for(out).unlink(missing_ok=True)  # a run stopped halfway is not a complete run
        queue = await mirror_paths(datasette, get)
    rendered: list[str] = []
    seen = set(queue)
    while queue:
        path = queue.pop(0)
        answer = await get(path)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code}: the mirror holds only pages that answer")
        body = answer.content
        if answer.headers.get("content-type", "").startswith("text/html"):
            for asset in ASSET.findall(answer.text):  # the CSS and scripts the page loads
                if asset not in seen:
                    seen.add(asset)
                    queue.append(asset)
            body = body.replace(b"</body>", script + b"</body>", 1)
        name = file_for(path)
        keep.add(name)
        rendered.append(name)
        write_if_changed(out, name, body, done)
        done.pages += 1
    if with_folders:
        # Releases: the files, and a listing of each folder as Datasette answers it (a static host
        # lists no folder itself).
        sync_tree(serving.STATIC_MOUNTS["downloads"], out, "downloads", done, keep)
        for folder in [serving.STATIC_MOUNTS["downloads"], *sorted(serving.STATIC_MOUNTS["downloads"].rglob("*"))]:
            relative = folder.relative_to(serving.STATIC_MOUNTS["downloads"]).as_posix()
            if folder.is_dir() and not (folder / "index.html").exists() and not relative.startswith("."):
                path = "/downloads/" + ("" if relative == "." else relative + "/")
                answer = await get(path)
                if answer.status_code == 200:
                    keep.add(file_for(path))
                    listing = answer.content.replace(b"</body>", script + b"</body>", 1)
                    write_if_changed(out, file_for(path), listing, done)
        sync_tree(serving.STATIC_MOUNTS["docs"], out, "docs", done, keep)
    live_link = (
        f'The live site may answer it: <a href="{html.escape(base)}">{html.escape(base)}</a>.'
        if live != "null"
        else "Ask the site's maintainers for the live address."
    )
    write_if_changed(out, "404.html", (NOT_IN_COPY % live_link).encode(), done)
    for path in sorted(out.rglob("*")):  # what the site no longer has (a row removed, a page renamed)
        name = path.relative_to(out).as_posix()
        if path.is_file() and name not in keep:
            path.unlink()
            done.removed.append(name)
    if not done.reused:
        stamp = stamp_for(out)
        tmp = stamp.with_name(stamp.name + ".tmp")
        tmp.write_text(json.dumps({"fingerprint": made_of, "files": rendered}), encoding="utf-8")
        tmp.replace(stamp)
    return done


def described(done: Written) -> str:
    return " (the site's pages kept from the last run: nothing they are made of changed)" if done.reused else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the static mirror of the site (make mirror).")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--db", type=Path, default=serving.DB)
    parser.add_argument(
        "--base",
        help="the address the mirror is published at (default: PUBLIC_URL); its pages name it and no other",
    )
    parser.add_argument(
        "--full", action="store_true", help="render every page even when nothing the pages are made of changed"
    )
    parser.add_argument(
        "--without-folders",
        action="store_true",
        help="leave out the docs and the releases (make serve-prod: nginx serves site/ and dist/ itself)",
    )
    args = parser.parse_args(argv)
    base = args.base or public_url()
    if not base:
        print(
            "mirror: no address to publish at: set PUBLIC_URL (make mirror PUBLIC_URL=https://...) or give --base",
            file=sys.stderr,
        )
        return 2
    began = time.monotonic()
    args.out.mkdir(parents=True, exist_ok=True)
    done = asyncio.run(
        render(base.rstrip("/"), args.out, db=args.db, with_folders=not args.without_folders, reuse=not args.full)
    )
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(
        f"mirror: {done.pages} pages rendered{described(done)}, {len(done.written)} files written, "
        f"{done.unchanged} unchanged, {len(done.removed)} removed, {size / 2**20:.1f} MiB in {args.out} "
        f"({time.monotonic() - began:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
