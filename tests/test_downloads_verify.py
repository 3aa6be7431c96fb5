"""Downloads that verify (issue 21, item 5): under `make serve` a folder under /downloads/ lists its
files as nginx's autoindex does under `make serve-prod` (datasette_site/ots_datasette/
serve_directory_index.py), the Downloads page links each version's SHA256SUMS and gives commands that
check one downloaded file or a whole version's folder (ots_data/docs_templates/downloads.md.j2,
docs/i18n/strings.yml), and a new release's zip carries a SHA256SUMS of its own files
(ots_data/release.py).

Pages come from Datasette as the one serving configuration builds it (tests/conftest.py); the
commands are taken from the Downloads page as the docs step writes it, and run with bash on copies of
a published release's files. Expected names, sizes and bytes are read from the files themselves."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
import yaml
from conftest import ROOT, datasette_fetcher, make_datasette, needs, releasable_root, show

from ots_data import docs
from ots_data.release import PACKAGE, make_release, published, version_key, write_index
from ots_data.schema import load_descriptor
from ots_data.serving import STATIC_MOUNTS

DIST = STATIC_MOUNTS["downloads"]
# A published release never changes, so its files can be named here; its zip holds no SHA256SUMS
# (zips after 0.4.0 do), the case a reader of the older versions is in.
VERSION = "0.4.0"
RELEASE = DIST / VERSION
ZIP = f"{PACKAGE}-{VERSION}.zip"
# The file the page's one-file command names, and tells the reader to replace for another file.
EXAMPLE = "data/follower_counts.csv"


# ---------------------------------------------------------------- the folder listing


class Listing(HTMLParser):
    """What a folder listing shows: the page's language, title and <h1>, whether it has a <main>,
    the href of each link in <main>, and the text of the cells of each table row."""

    VOID = {"meta", "link", "br", "img", "input", "hr"}

    def __init__(self, page: str) -> None:
        super().__init__()
        self.lang, self.title, self.h1, self.has_main = None, "", "", False
        self.links: list[str] = []
        self.rows: list[list[str]] = []
        self.open: list[str] = []  # the elements we are in
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        self.has_main = self.has_main or tag == "main"
        if tag == "a" and "main" in self.open:
            self.links.append(attrs.get("href"))
        if tag == "tr":
            self.rows.append([])
        if tag == "td":
            self.rows[-1].append("")
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if "title" in self.open:
            self.title += data
        if "h1" in self.open:
            self.h1 += data
        if "td" in self.open:
            self.rows[-1][-1] += data


def shown(folder: Path) -> dict[str, int | None]:
    """What a reader can open in a folder, read from the file system: href -> size in bytes (None
    for a sub-folder, whose href ends with a slash). Hidden names are not shown, as under nginx."""
    return {
        (p.name + "/" if p.is_dir() else p.name): (None if p.is_dir() else p.stat().st_size)
        for p in folder.iterdir()
        if not p.name.startswith(".")
    }


@pytest.fixture(scope="module")
def fetch(fresh_db):
    return datasette_fetcher(fresh_db)


FOLDERS = ["/downloads/", f"/downloads/{VERSION}/", f"/downloads/{VERSION}/data/"]


@pytest.mark.parametrize("url", FOLDERS)
def test_a_folder_under_downloads_lists_every_file_with_its_size(fetch, url):
    folder = DIST / url.removeprefix("/downloads/")
    answer = fetch(url)
    assert (answer.status_code, answer.headers.get("content-type")) == (200, "text/html; charset=utf-8"), (
        answer.status_code,
        answer.headers,
        answer.text[:300],
    )
    page = Listing(answer.text)
    assert (page.lang, page.has_main) == ("en", True) and page.title.strip() and url in page.h1, (
        page.lang,
        page.has_main,
        page.title,
        page.h1,
    )
    expected = shown(folder)
    assert "../" in page.links and sorted(set(page.links) - {"../"}) == sorted(expected), show(page.links, 50)
    sizes = {cells[0]: cells[1] for cells in page.rows if len(cells) == 2}
    wrong = [
        (name, sizes.get(name)) for name, size in expected.items() if size is not None and sizes.get(name) != str(size)
    ]
    assert not wrong, "(file, size shown) where the size is not the file's:\n" + show(wrong)


@pytest.mark.parametrize("url", FOLDERS)
def test_every_link_of_a_listing_answers_with_the_file_or_folder(fetch, url):
    folder = DIST / url.removeprefix("/downloads/")
    wrong = []
    for href in Listing(fetch(url).text).links:
        answer = fetch(urljoin(url, href))
        if href.endswith("/"):  # the parent folder (for /downloads/, the site's front page), or a sub-folder
            ok = answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
        else:
            ok = answer.status_code == 200 and answer.content == (folder / unquote(href)).read_bytes()
        if not ok:
            wrong.append((href, answer.status_code))
    assert not wrong, show(wrong)


def test_a_listing_is_open_to_other_origins_like_the_files(fetch):
    answer = fetch(f"/downloads/{VERSION}/")
    assert answer.status_code == 200 and answer.headers.get("access-control-allow-origin") == "*", answer.headers


@pytest.mark.parametrize("url", ["/downloads/9.9.9/", f"/downloads/{VERSION}/no-such-folder/", f"/downloads/{ZIP}/"])
def test_a_folder_that_does_not_exist_is_not_found(fetch, url):
    assert fetch(url).status_code == 404


def raw_get(datasette, raw_path: bytes) -> tuple[int, bytes]:
    """GET exactly this path through Datasette's ASGI app, as a client that sends `..` as it is
    (httpx, under datasette.client, resolves `/downloads/../` to `/` before sending)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(raw_path.decode("ascii")),
        "raw_path": raw_path,
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 0),
        "server": ("localhost", 80),
    }
    sent = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(datasette.app()(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


ESCAPES = [
    b"/downloads/../",
    b"/downloads/../docs/",
    f"/downloads/{VERSION}/../../".encode(),
    b"/downloads/%2e%2e/",
    b"/downloads/%2E%2E/datasette_site/",
    f"/downloads/{VERSION}/%2e%2e/%2e%2e/".encode(),
    b"/downloads/..%2f/",
]


def test_no_path_escapes_the_downloads_folder(fresh_db):
    datasette = make_datasette(fresh_db)
    answers = {path: raw_get(datasette, path) for path in ESCAPES}
    wrong = [(path, status, body[:80]) for path, (status, body) in answers.items() if status != 404]
    assert not wrong, show(wrong)


@pytest.mark.parametrize(
    "url", ["/downloads/%2e%2e/", "/downloads/%2E%2E/docs/", f"/downloads/{VERSION}/%2e%2e/%2e%2e/"]
)
def test_encoded_dots_from_a_client_do_not_escape_either(fetch, url):
    assert fetch(url).status_code == 404


def test_symlinks_out_of_the_folder_are_neither_listed_nor_followed(fresh_db, tmp_path):
    mount, outside = tmp_path / "downloads", tmp_path / "outside"
    (mount / "1.0.0").mkdir(parents=True)
    (mount / "1.0.0" / "a.csv").write_text("a\n", encoding="utf-8")
    (mount / ".1.1.0.tmp").mkdir()  # a release being written
    outside.mkdir()
    (outside / "secret.txt").write_text("not published\n", encoding="utf-8")
    (mount / "out").symlink_to(outside, target_is_directory=True)
    (mount / "leak.txt").symlink_to(outside / "secret.txt")
    (mount / "inside").symlink_to(mount / "1.0.0", target_is_directory=True)  # a link that stays inside is fine
    fetch_mounted = datasette_fetcher(fresh_db, static_mounts=[("downloads", str(mount))])
    listed = Listing(fetch_mounted("/downloads/").text).links
    seen = {
        path: fetch_mounted(path).status_code
        for path in ("/downloads/out/", "/downloads/leak.txt", "/downloads/inside/")
    }
    assert sorted(listed) == ["../", "1.0.0/", "inside/"], listed
    assert seen == {"/downloads/out/": 404, "/downloads/leak.txt": 404, "/downloads/inside/": 200}, seen


# ---------------------------------------------------------------- the Downloads page's commands


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    """The Downloads page in each language, as the docs step writes it (ots_data/docs.py), with the
    UI strings it is given there (strings.yml and the glossary's)."""
    out = tmp_path_factory.mktemp("downloads-page")
    i18n = ROOT / "docs" / "i18n"
    strings = docs.with_glossary_strings(
        yaml.safe_load((i18n / "strings.yml").read_text(encoding="utf-8")), docs.load_glossary(i18n)
    )
    docs.downloads_page(out, load_descriptor(ROOT / "datapackage.yaml"), DIST, strings)
    return {lang: (out / f"downloads{docs.suffix(lang)}.md").read_text(encoding="utf-8") for lang in docs.LANGUAGES}


@pytest.fixture(scope="module")
def commands(pages) -> tuple[str, str]:
    """(one file, a whole folder): the page's two shell commands, the same in every language."""
    found = {lang: re.findall(r"^```bash\n(.*?)\n```$", page, re.M | re.S) for lang, page in pages.items()}
    assert len(found["en"]) == 2 and all(found[lang] == found["en"] for lang in found), found
    return tuple(found["en"])


def bash(command: str, folder: Path) -> subprocess.CompletedProcess:
    """The command as a reader runs it: typed into a shell, in the folder of their download."""
    return subprocess.run(["bash", "-c", command], cwd=folder, capture_output=True, text=True)


def change_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def listed_names(sums: Path) -> list[str]:
    return [line.split("  ", 1)[1] for line in sums.read_text(encoding="utf-8").splitlines()]


def test_the_page_tells_which_file_its_one_file_command_names_and_how_to_check_on_macos(pages, commands):
    one_file, _ = commands
    assert f"'  {EXAMPLE}$'" in one_file and "sha256sum -c" in one_file, one_file
    missing = [
        (lang, span)
        for lang, page in pages.items()
        for span in (f"`{EXAMPLE}`", "`sha256sum -c`", "`shasum -a 256 -c`")
        if span not in page
    ]
    assert not missing, show(missing)


def test_the_page_links_each_version_s_sha256sums_which_answers_with_it(pages, fetch):
    links = [f"{r['path']}SHA256SUMS" for r in published(DIST)]
    missing = [(lang, link) for lang, page in pages.items() for link in links if f'href="{link}"' not in page]
    assert links and not missing, show(missing)
    wrong = [link for link in links if fetch(link).content != (DIST / link.removeprefix("/downloads/")).read_bytes()]
    assert not wrong, show(wrong)


# sha256sum, and what the page tells a macOS reader to write in its place
CHECKERS = ["sha256sum -c", pytest.param("shasum -a 256 -c", marks=needs("shasum", "perl"))]


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("path", [EXAMPLE, "data/raw/article_table_rows.csv", "codebook.csv", ZIP])
def test_the_one_file_command_passes_on_the_true_file_and_fails_on_a_changed_one(commands, tmp_path, path, checker):
    # For another file the page says to write its path in place of the example's.
    command = commands[0].replace(EXAMPLE, path).replace("sha256sum -c", checker)
    name = Path(path).name
    shutil.copyfile(RELEASE / path, tmp_path / name)
    shutil.copyfile(RELEASE / "SHA256SUMS", tmp_path / "SHA256SUMS")
    passed = bash(command, tmp_path)
    assert passed.returncode == 0 and f"{name}: OK" in passed.stdout, (command, passed.stdout, passed.stderr)
    change_one_byte(tmp_path / name)
    failed = bash(command, tmp_path)
    assert failed.returncode != 0 and "FAILED" in failed.stdout, (command, failed.stdout, failed.stderr)


def test_the_one_file_command_fails_for_a_name_sha256sums_does_not_list(commands, tmp_path):
    shutil.copyfile(RELEASE / "SHA256SUMS", tmp_path / "SHA256SUMS")
    (tmp_path / "follower_count.csv").write_bytes((RELEASE / EXAMPLE).read_bytes())
    result = bash(commands[0].replace(EXAMPLE, "data/follower_count.csv"), tmp_path)
    assert result.returncode != 0, (result.stdout, result.stderr)


@pytest.mark.parametrize("checker", CHECKERS)
def test_the_folder_command_checks_every_file_of_a_release_folder(commands, tmp_path, checker):
    command = commands[1].replace("sha256sum -c", checker)
    folder = tmp_path / VERSION
    shutil.copytree(RELEASE, folder)
    passed = bash(command, folder)
    checked = {line.removesuffix(": OK") for line in passed.stdout.splitlines()}
    expected = {name for name in listed_names(RELEASE / "SHA256SUMS") if name != ZIP}
    assert passed.returncode == 0 and checked == expected, (passed.stdout, passed.stderr)
    change_one_byte(folder / "data/states.csv")
    failed = bash(command, folder)
    assert failed.returncode != 0 and "data/states.csv: FAILED" in failed.stdout, (failed.stdout, failed.stderr)


def test_the_folder_command_fails_when_a_file_is_missing(commands, tmp_path):
    folder = tmp_path / VERSION
    shutil.copytree(RELEASE, folder)
    (folder / "data/states.csv").unlink()
    result = bash(commands[1], folder)
    assert result.returncode != 0, (result.stdout, result.stderr)


def test_the_folder_command_passes_on_a_published_zip_unzipped_with_its_sha256sums(commands, tmp_path):
    """The page's case for 0.4.0 and earlier: the zip holds no SHA256SUMS, the reader downloads it."""
    with zipfile.ZipFile(RELEASE / ZIP) as archive:
        archive.extractall(tmp_path)
    unzipped = tmp_path / f"{PACKAGE}-{VERSION}"
    assert not (unzipped / "SHA256SUMS").exists()
    shutil.copyfile(RELEASE / "SHA256SUMS", unzipped / "SHA256SUMS")
    result = bash(commands[1], unzipped)
    assert result.returncode == 0 and "FAILED" not in result.stdout, (result.stdout, result.stderr)


# ---------------------------------------------------------------- SHA256SUMS in a new release's zip


@pytest.fixture(scope="module")
def new_release(tmp_path_factory, fresh_db) -> Path:
    """This version's release made by the release step into a scratch dist/ that holds the releases
    published before it, as tests/test_release.py makes it (dist/ itself is never written)."""
    version = load_descriptor(ROOT / "datapackage.yaml")["version"]
    dist = tmp_path_factory.mktemp("dist")
    older = [r["version"] for r in published(DIST) if version_key(r["version"]) < version_key(version)]
    for name in older:
        shutil.copytree(DIST / name, dist / name)
    if older:
        write_index(dist)
    return make_release(releasable_root(tmp_path_factory.mktemp("dated")), fresh_db, dist)


def test_a_new_release_zip_carries_a_sha256sums_that_verifies_after_unzipping(new_release, commands, tmp_path):
    (zip_path,) = new_release.glob("*.zip")
    with zipfile.ZipFile(zip_path) as archive:
        members = archive.namelist()
        archive.extractall(tmp_path)
    (top,) = {member.split("/", 1)[0] for member in members}
    unzipped = tmp_path / top
    in_zip = sorted(member.removeprefix(f"{top}/") for member in members)
    assert "SHA256SUMS" in in_zip and sorted(listed_names(unzipped / "SHA256SUMS")) == [
        name for name in in_zip if name != "SHA256SUMS"
    ], in_zip
    for command in ("sha256sum -c SHA256SUMS", commands[1]):
        result = bash(command, unzipped)
        assert result.returncode == 0 and "FAILED" not in result.stdout, (command, result.stdout, result.stderr)
    change_one_byte(unzipped / "data/states.csv")
    failed = bash("sha256sum -c SHA256SUMS", unzipped)
    assert failed.returncode != 0 and "data/states.csv: FAILED" in failed.stdout, failed.stdout


def test_the_zip_s_checksums_are_the_release_folder_s_but_the_zip_s_own(new_release, tmp_path):
    (zip_path,) = new_release.glob("*.zip")
    with zipfile.ZipFile(zip_path) as archive:
        (inner,) = [m for m in archive.namelist() if m.endswith("/SHA256SUMS")]
        inner_lines = archive.read(inner).decode("utf-8").splitlines()
    outer_lines = (new_release / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert inner_lines == [line for line in outer_lines if not line.endswith(f"  {zip_path.name}")]
