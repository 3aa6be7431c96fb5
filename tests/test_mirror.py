"""`make mirror` (issue 22): the citable part of the site as static files that a plain static host
serves at the site's own URLs, with the same content as the live site, naming no address of the
machine that rendered them, and rewritten only where bytes change (ots_data/mirror.py)."""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, served_metadata, show
from support import CHROMIUM

from ots_data import mirror, serving
from ots_data.servers import free_port

PUBLISHED = "http://data.example.org"
NGINX = "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def metadata_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("metadata") / "metadata.json"
    path.write_text(json.dumps(served_metadata()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def published(fresh_db, metadata_file, tmp_path_factory) -> tuple[Path, mirror.Written]:
    """The mirror for a published address, written into an empty folder."""
    out = tmp_path_factory.mktemp("mirror")
    done = asyncio.run(mirror.render(PUBLISHED, out, db=fresh_db, metadata=metadata_file))
    return out, done


def live_client(db: Path, base: str):
    """GET on the live site as Datasette answers it in process, for the given address."""
    from datasette.app import Datasette

    datasette = Datasette(**serving.app_kwargs(db, served_metadata()))

    def get(path: str):
        async def go():
            return await datasette.client.get(path, headers={"host": urlsplit(base).netloc})

        return asyncio.run(go())

    return get


def sitemap_paths(out: Path) -> list[str]:
    text = (out / "sitemap.xml").read_text(encoding="utf-8")
    return [urlsplit(html.unescape(u)).path for u in re.findall(r"<loc>([^<]+)</loc>", text)]


@pytest.mark.parametrize(
    "path, file",
    [
        ("/", "index.html"),
        ("/ots", "ots.html"),
        ("/ots/follower_counts", "ots/follower_counts.html"),
        ("/ots/follower_counts.json", "ots/follower_counts.json"),
        ("/ots/follower_counts/altun-2023-t1-r01-twitter", "ots/follower_counts/altun-2023-t1-r01-twitter.html"),
        ("/docs/methodology/", "docs/methodology/index.html"),
        ("/-/static/app.css", "-/static/app.css"),
    ],
)
def test_a_url_maps_to_the_file_a_static_host_serves_for_it(path, file):
    assert mirror.file_for(path) == file


@pytest.mark.slow  # renders the whole site in process (about ten seconds)
def test_the_mirror_holds_every_sitemap_address_and_every_table_as_html_json_and_csv(published, fresh_db):
    import sqlite3

    out, _ = published
    conn = sqlite3.connect(fresh_db)
    names = [n for (n,) in conn.execute("select name from sqlite_master where type in ('table', 'view')")]
    conn.close()
    tables = [n for n in names if "_fts" not in n]
    queries = served_metadata()["databases"]["ots"]["queries"]
    expected = ["/", *sitemap_paths(out)] + [
        f"/ots/{name}{ext}" for name in [*tables, *queries] for ext in ("", ".json", ".csv")
    ]
    missing = [p for p in expected if not (out / mirror.file_for(p)).is_file()]
    assert len(sitemap_paths(out)) > 100 and not missing, show(missing)
    assert (out / "docs" / "index.html").is_file() and (out / "404.html").is_file()
    releases = json.loads((ROOT / "dist" / "releases.json").read_text(encoding="utf-8"))["releases"]
    assert all((out / "downloads" / r["version"] / "index.html").is_file() for r in releases)


@pytest.mark.slow
def test_no_mirrored_page_names_the_machine_that_rendered_it(published):
    out, _ = published
    rendered = [p for p in out.rglob("*") if p.is_file() and p.relative_to(out).parts[0] not in ("docs", "downloads")]
    naming = [
        str(p.relative_to(out)) for p in rendered if re.search(rb"127\.0\.0\.1|localhost|0\.0\.0\.0", p.read_bytes())
    ]
    assert rendered and not naming, show(naming)
    assert PUBLISHED.encode() in (out / "sitemap.xml").read_bytes()


@pytest.mark.slow
def test_every_page_of_a_published_mirror_carries_the_static_copy_script_once(published):
    out, _ = published
    pages = [p for p in out.rglob("*.html") if p.relative_to(out).parts[0] not in ("docs",) and p.name != "404.html"]
    wrong = [str(p.relative_to(out)) for p in pages if p.read_bytes().count(mirror.STATIC_COPY_MARK) != 1]
    assert pages and not wrong, show(wrong)


@pytest.mark.slow
def test_a_second_run_over_the_same_database_writes_nothing(published, fresh_db, metadata_file):
    out, first = published
    # reuse=False: every page rendered again, so this checks the bytes, not the fingerprint.
    again = asyncio.run(mirror.render(PUBLISHED, out, db=fresh_db, metadata=metadata_file, reuse=False))
    assert first.written and again.pages == first.pages and not again.reused
    assert (again.written, again.removed) == ([], []), (again.written[:10], again.removed[:10])


@pytest.mark.slow
def test_a_run_when_nothing_the_pages_are_made_of_changed_renders_nothing_and_keeps_every_file(
    published, fresh_db, metadata_file
):
    out, first = published
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    again = asyncio.run(mirror.render(PUBLISHED, out, db=fresh_db, metadata=metadata_file))
    assert again.reused and again.pages == 0 and (again.written, again.removed) == ([], [])
    assert sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file()) == files
    assert not mirror.stamp_for(out).is_relative_to(out)  # the stamp is never published with the mirror


@pytest.mark.slow
@pytest.mark.parametrize("how", ["the stamp is gone (a run stopped halfway)", "a page of the mirror is gone"])
def test_a_mirror_that_may_be_incomplete_is_rendered_again(published, fresh_db, metadata_file, how):
    out, first = published
    page = out / "ots" / "follower_counts" / "altun-2023-t1-r01-twitter.html"
    if how.startswith("the stamp"):
        mirror.stamp_for(out).unlink()
    else:
        page.unlink()
    again = asyncio.run(mirror.render(PUBLISHED, out, db=fresh_db, metadata=metadata_file))
    assert not again.reused and again.pages == first.pages and page.is_file() and mirror.stamp_for(out).is_file()


RECORD_OPENED = """
import asyncio, os, sys
opened = set()


def record(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        opened.add(os.fsdecode(args[0]))


sys.addaudithook(record)
from pathlib import Path
from ots_data import mirror
base, out, db, metadata = sys.argv[1], *map(Path, sys.argv[2:5])
asyncio.run(mirror.render(base, out, db=db, metadata=metadata, with_folders=False))
print("\\n".join(sorted(opened)))
"""


@pytest.mark.slow
def test_a_render_opens_no_file_of_the_project_that_the_fingerprint_leaves_out(fresh_db, metadata_file, tmp_path):
    """Every file of the project a render opens, in a new process from its first import (a Python
    audit hook on open), is in the fingerprint (mirror.MADE_OF), or is the database, the metadata,
    the mirror itself or a published release (which never changes; the releases index is in it)."""
    out = tmp_path / "mirror"
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "python"),
            "-c",
            RECORD_OPENED,
            PUBLISHED,
            str(out),
            str(fresh_db),
            str(metadata_file),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    opened = {Path(line).resolve() for line in result.stdout.splitlines() if line.startswith("/")}
    covered = {p.resolve() for p in mirror.made_of_files()}
    allowed = [ROOT / ".venv", ROOT / "dist", out, fresh_db.parent, metadata_file.parent]
    left_out = sorted(
        str(p)
        for p in opened
        if p.is_relative_to(ROOT) and p.is_file() and p not in covered and not any(p.is_relative_to(a) for a in allowed)
    )
    assert len(opened) > 50 and not left_out, left_out


def test_the_fingerprint_changes_with_everything_the_rendered_pages_are_made_of(tmp_path, monkeypatch):
    db, metadata = tmp_path / "ots.db", tmp_path / "metadata.json"
    db.write_bytes(b"database")
    metadata.write_text("{}", encoding="utf-8")
    site = tmp_path / "datasette_site"
    shutil.copytree(serving.SITE_DIR, site, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    dist.mkdir()
    monkeypatch.setattr(serving, "SITE_DIR", site)
    monkeypatch.setitem(serving.STATIC_MOUNTS, "downloads", dist)
    seen = {mirror.fingerprint(PUBLISHED, db, metadata)}
    changes = {
        "the address": lambda: None,
        "the database": lambda: db.write_bytes(b"database, a row added"),
        "the metadata": lambda: metadata.write_text('{"title": "x"}', encoding="utf-8"),
        "a template": lambda: (site / "templates" / "row.html").write_text("changed", encoding="utf-8"),
        "the plugin": lambda: (site / "ots_datasette" / "cite_row.py").write_text("changed", encoding="utf-8"),
        "the settings": lambda: (site / "settings.json").write_text("{}", encoding="utf-8"),
        "a release": lambda: (dist / "releases.json").write_text("{}", encoding="utf-8"),
    }
    same = []
    for what, change in changes.items():
        change()
        base = "https://elsewhere.example.org" if what == "the address" else PUBLISHED
        made_of = mirror.fingerprint(base, db, metadata)
        if made_of in seen:
            same.append(what)
        seen.add(made_of)
    assert not same, f"the fingerprint did not change with: {same}"


@pytest.mark.slow
def test_a_file_the_site_no_longer_has_is_removed(published, fresh_db, metadata_file):
    out, _ = published
    stale = out / "ots" / "follower_counts" / "no-such-row.html"
    stale.write_text("a row removed since", encoding="utf-8")
    again = asyncio.run(mirror.render(PUBLISHED, out, db=fresh_db, metadata=metadata_file))
    assert not stale.exists() and again.removed == ["ots/follower_counts/no-such-row.html"], again.removed


def static_nginx_conf(prefix: Path, root: Path, port: int) -> Path:
    """nginx as a plain static host: files only, x.html for /x, x/index.html for /x/, 404.html."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""{user}worker_processes 1;
pid {prefix}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {prefix}/tmp; proxy_temp_path {prefix}/tmp; fastcgi_temp_path {prefix}/tmp;
    uwsgi_temp_path {prefix}/tmp; scgi_temp_path {prefix}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ try_files $uri $uri.html $uri/index.html =404; }}
        error_page 404 /404.html;
    }}
}}
""",
        encoding="utf-8",
    )
    (prefix / "tmp").mkdir(exist_ok=True)
    return conf


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.skipif(not os.access(NGINX, os.X_OK), reason="no nginx: make test installs Debian's package")
def test_the_mirror_served_by_nginx_alone_answers_as_the_live_site(fresh_db, metadata_file, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    out = tmp_path / "mirror"
    asyncio.run(mirror.render(base, out, db=fresh_db, metadata=metadata_file))
    conf = static_nginx_conf(tmp_path, out, port)
    command = [NGINX, "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log"), "-g", "daemon off;"]
    server = subprocess.Popen(command, process_group=0)
    try:
        live = live_client(fresh_db, base)
        paths = ["/", *sitemap_paths(out), "/ots/follower_counts.json", "/ots/follower_counts.csv", "/ots/timeline"]
        different = []
        for path in paths:
            for _ in range(100):  # nginx answers within a moment of starting
                try:
                    with urllib.request.urlopen(base + path, timeout=10) as answer:
                        served = answer.read()
                    break
                except urllib.error.URLError:
                    if server.poll() is not None:
                        raise
                    asyncio.run(asyncio.sleep(0.05))
            expected = live(path)
            if expected.status_code != 200 or mirror.comparable(served) != mirror.comparable(expected.content):
                different.append(path)
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/ots/no_such_table", timeout=10)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert len(paths) > 100 and not different, show(different)
    assert missing.value.code == 404 and b"Not in this static copy" in missing.value.read()


@pytest.mark.slow
def test_make_mirror_needs_an_address_to_publish_at(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "PUBLIC_URL"}
    result = subprocess.run(
        [shutil.which("python3") or "python3", "-m", "ots_data.mirror", "--out", str(tmp_path / "m")],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        executable=str(ROOT / ".venv" / "bin" / "python"),
    )
    assert result.returncode == 2 and "PUBLIC_URL" in result.stderr, result.stderr


@pytest.mark.slow
def test_a_sitemap_index_is_mirrored_with_its_files_and_every_address_they_list(
    fresh_db, metadata_file, tmp_path, monkeypatch
):
    from datasette.plugins import pm

    monkeypatch.setattr(pm.get_plugin("ots_discovery"), "SITEMAP_LIMIT", 100)
    out = tmp_path / "mirror"
    asyncio.run(mirror.render(PUBLISHED, out, db=fresh_db, metadata=metadata_file, with_folders=False))
    index = (out / "sitemap.xml").read_text(encoding="utf-8")
    parts = [urlsplit(u).path for u in re.findall(r"<loc>([^<]+)</loc>", index)]
    addresses = [
        urlsplit(html.unescape(u)).path
        for part in parts
        for u in re.findall(r"<loc>([^<]+)</loc>", (out / mirror.file_for(part)).read_text(encoding="utf-8"))
    ]
    missing = [p for p in addresses if not (out / mirror.file_for(p)).is_file()]
    assert "<sitemapindex" in index and len(parts) > 1 and len(addresses) > 200 and not missing, show(missing)


@pytest.mark.slow
def test_a_mirror_for_an_https_address_writes_https_links_as_the_servers_replicas_do(fresh_db, metadata_file, tmp_path):
    out = tmp_path / "mirror"
    asyncio.run(mirror.render("https://data.example.org", out, db=fresh_db, metadata=metadata_file, with_folders=False))
    table = (out / "ots" / "follower_counts.html").read_text(encoding="utf-8")
    alternates = re.findall(r'<link rel="alternate"[^>]*href="([^"]+)"', table)
    assert alternates and all(a.startswith("https://") for a in alternates), alternates


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.server
@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"no Chromium at {CHROMIUM}: make test installs it")
@pytest.mark.skipif(not os.access(NGINX, os.X_OK), reason="no nginx: make test installs Debian's package")
@pytest.mark.parametrize("address", ["/ots/follower_counts?platform=twitter", "/ots/follower_counts"])
def test_in_a_browser_a_static_copy_sends_a_reader_with_a_query_string_to_the_live_site(
    published, tmp_path, browser, address
):
    """Last in this module: the browser fixture runs an event loop until the module ends, and the
    tests above call asyncio.run. The published mirror on a plain static host (nginx, files only),
    opened in Chromium: a reader who came with a query string is told that only the live site
    answers it, with a link to the same address there; a reader without one sees the page as it is."""
    out, _ = published
    port = free_port()
    conf = static_nginx_conf(tmp_path, out, port)
    command = [NGINX, "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log"), "-g", "daemon off;"]
    server = subprocess.Popen(command, process_group=0)
    try:
        page = browser.new_page()
        for _ in range(100):  # nginx answers within a moment of starting
            try:
                answer = page.goto(f"http://127.0.0.1:{port}{address}")
                break
            except Exception:
                if server.poll() is not None:
                    raise
                page.wait_for_timeout(50)
        notes = page.locator(".ots-static-copy[role=status]")
        links = [a.get_attribute("href") for a in notes.locator("a").all()]
        heading = page.inner_text("h1")
        page.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert answer.status == 200 and "follower" in heading.lower(), (answer.status, heading)
    if "?" in address:
        assert links == [PUBLISHED + address], links
    else:
        assert links == [], links
