"""Search engines and dataset search can find the data (issue 11, items 3-5).

- One public address, PUBLIC_URL (ots_data/public_url.py): unset, nothing the project builds or
  releases names a loopback address; set, it is where every absolute address points; a release
  refuses a loopback one.
- /robots.txt lets crawlers read the pages, not run SQL or read /-/; /sitemap.xml lists every row
  page of the tables readers cite; the front page and the table pages carry the schema.org Dataset.
- Copy-paste exports (datasette-copyable): TSV, Markdown and LaTeX of any table or query.

Pages are read from `make serve` (live_server) where the rule is about what is served; the builds
with and without PUBLIC_URL are made here, into temporary folders, by the real steps."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ElementTree
from importlib.metadata import version as metadata_version
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import pytest
import yaml
from conftest import ROOT, datasette_fetcher, releasable_root, show
from datasette.utils import tilde_encode

from ots_data import serving
from ots_data.public_url import PublicUrlError, is_loopback, public_url

EXAMPLE = "https://example.org/ots"
LOOPBACK_URL = re.compile(r"https?://(?:localhost|127(?:\.\d+){3}|0\.0\.0\.0|\[::1?\])[^\s\"'<>]*", re.I)
# Where a built file may name a loopback address, each with the reason.
LOOPBACK_ALLOWED = {
    # The deployment page tells a maintainer to curl the server `make serve-prod` starts on this
    # machine, and a replica on 127.0.0.1: commands, not the site's address.
    "deploying/index.html": "commands run against servers on this machine",
    "tr/deploying/index.html": "the same page in Turkish",
    "ru/deploying/index.html": "the same page in Russian",
}
# The tables a reader cites row by row, as the project's plugins are told (metadata.yml).
CITED_TABLES = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["plugins"]["ots"]["cited_tables"]
RELEASES = json.loads((ROOT / "dist" / "releases.json").read_text(encoding="utf-8"))["releases"]


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.status, answer.headers.get("content-type", ""), answer.read().decode("utf-8")


def json_ld_blocks(page: str) -> list[dict]:
    return [json.loads(b) for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)]


def loopback_in(folder: Path) -> list[tuple[str, str]]:
    """(file, address) for every loopback URL in the text files under folder."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(folder))
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # images, the database, the zip (its members are checked as files)
        if name.endswith("search_index.json"):  # MkDocs' search index: each page's text, by page
            docs = json.loads(text)["docs"]
            found += [
                (f"{name} ({doc['location']})", url)
                for doc in docs
                if f"{doc['location'].split('#')[0]}index.html" not in LOOPBACK_ALLOWED
                for url in LOOPBACK_URL.findall(doc["text"])
            ]
        elif name not in LOOPBACK_ALLOWED:
            found += [(name, url) for url in LOOPBACK_URL.findall(text)]
    return found


# ------------------------------------------------------------------ PUBLIC_URL: builds and releases


def build_everything(tmp: Path, fresh_db: Path, value: str | None) -> dict[str, Path]:
    """The docs site, the Datasette metadata and a release, made by the real steps with PUBLIC_URL
    set to `value` (or unset)."""
    from ots_data import docs
    from ots_data.metadata import build_metadata
    from ots_data.release import make_release

    with pytest.MonkeyPatch.context() as env:
        if value is None:
            env.delenv("PUBLIC_URL", raising=False)
        else:
            env.setenv("PUBLIC_URL", value)
        docs.generate(fresh_db, tmp / "work")
        docs.build_site(tmp / "work", tmp / "site")
        metadata = tmp / "metadata"
        metadata.mkdir()
        (metadata / "metadata.json").write_text(json.dumps(build_metadata(ROOT), ensure_ascii=False), encoding="utf-8")
        release = make_release(releasable_root(tmp / "project"), fresh_db, tmp / "dist")
    return {"site": (tmp / "site").resolve(), "metadata": metadata, "release": release}


@pytest.fixture(scope="module")
def unset_build(tmp_path_factory, fresh_db) -> dict[str, Path]:
    return build_everything(tmp_path_factory.mktemp("unset"), fresh_db, None)


@pytest.fixture(scope="module")
def example_build(tmp_path_factory, fresh_db) -> dict[str, Path]:
    return build_everything(tmp_path_factory.mktemp("example"), fresh_db, EXAMPLE)


@pytest.mark.slow  # two docs builds and releases
@pytest.mark.parametrize("output", ["site", "metadata", "release"])
def test_without_public_url_nothing_built_or_released_names_a_loopback_address(unset_build, output):
    found = loopback_in(unset_build[output])
    assert not found, f"loopback addresses in the {output} built without PUBLIC_URL:\n" + show(found)


@pytest.mark.slow
@pytest.mark.parametrize("build", ["unset_build", "example_build"])
def test_every_docs_sitemap_is_xml_of_absolute_addresses_only(request, build):
    """MkDocs writes "None./" addresses without a site_url; the docs' sitemaps list none then."""
    site = request.getfixturevalue(build)["site"]
    sitemaps = sorted(site.rglob("sitemap.xml"))
    bad = [
        (str(path.relative_to(site)), loc.text)
        for path in sitemaps
        for loc in ElementTree.parse(path).getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
        if not urlsplit(loc.text or "").scheme.startswith("http")
    ]
    assert sitemaps and not bad, show(bad)


@pytest.mark.slow
@pytest.mark.parametrize("build,mounted_at", [("unset_build", "/docs/"), ("example_build", "/ots/docs/")])
def test_the_language_switcher_of_every_home_page_leads_to_a_page_of_the_site(request, build, mounted_at):
    """The i18n plugin takes the switcher's path from site_url; without one it must still be /docs/."""
    site = request.getfixturevalue(build)["site"]
    broken = []
    for home in ("", "tr/", "ru/"):
        page = (site / home / "index.html").read_text(encoding="utf-8")
        for link in re.findall(r'<(?:a|link rel="alternate") href="([^"]+)" hreflang=', page):
            target = urljoin(mounted_at + home, link)
            if not target.startswith(mounted_at) or not (site / target[len(mounted_at) :] / "index.html").exists():
                broken.append((home or "(en)", link, target))
    assert not broken, show(broken)


@pytest.mark.slow
def test_without_public_url_a_release_names_no_homepage_and_no_url(unset_build):
    package = json.loads((unset_build["release"] / "datapackage.json").read_text(encoding="utf-8"))
    citation = yaml.safe_load((unset_build["release"] / "CITATION.cff").read_text(encoding="utf-8"))
    present = [f for f, there in (("homepage", "homepage" in package), ("url", "url" in citation)) if there]
    assert not present, present


@pytest.mark.slow
def test_with_public_url_the_docs_sitemap_and_canonical_links_use_it(example_build):
    site = example_build["site"]
    locs = re.findall(r"<loc>(.*?)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)"', (site / "methodology/index.html").read_text())
    elsewhere = [u for u in locs + canonical if not u.startswith(f"{EXAMPLE}/docs/")]
    assert locs and canonical and not elsewhere, show(elsewhere)


@pytest.mark.slow
def test_with_public_url_the_docs_json_ld_addresses_are_under_it(example_build):
    (data,) = json_ld_blocks((example_build["site"] / "index.html").read_text(encoding="utf-8"))
    urls = [data["url"]] + [d["contentUrl"] for d in data["distribution"]]
    elsewhere = [u for u in urls if not u.startswith(f"{EXAMPLE}/")]
    assert data["url"] == f"{EXAMPLE}/docs/" and not elsewhere, show(elsewhere)


@pytest.mark.slow
def test_with_public_url_the_downloads_page_cites_each_release_at_it(example_build):
    page = (example_build["site"] / "downloads" / "index.html").read_text(encoding="utf-8")
    missing = [r["version"] for r in RELEASES if f"{EXAMPLE}/downloads/{r['version']}/" not in page]
    assert not missing, f"releases cited without {EXAMPLE}: {missing}"


@pytest.mark.slow
def test_with_public_url_robots_txt_names_both_sitemaps(example_build):
    metadata = json.loads((example_build["metadata"] / "metadata.json").read_text(encoding="utf-8"))
    robots = metadata["plugins"]["datasette-block-robots"]["literal"]
    sitemaps = re.findall(r"^Sitemap: (.*)$", robots, re.M)
    assert sitemaps == [f"{EXAMPLE}/sitemap.xml", f"{EXAMPLE}/docs/sitemap.xml"], robots


@pytest.mark.slow
def test_with_public_url_a_release_carries_it_as_homepage_and_citation_url(example_build):
    package = json.loads((example_build["release"] / "datapackage.json").read_text(encoding="utf-8"))
    citation = yaml.safe_load((example_build["release"] / "CITATION.cff").read_text(encoding="utf-8"))
    assert (package.get("homepage"), citation.get("url")) == (f"{EXAMPLE}/", f"{EXAMPLE}/")


@pytest.mark.parametrize(
    "address", ["http://127.0.0.1:8001", "http://localhost:8001/", "http://0.0.0.0", "http://[::1]:8080"]
)
def test_make_release_refuses_a_loopback_public_url(tmp_path, fresh_db, address):
    project = releasable_root(tmp_path / "project")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/release.py"), "--root", str(project), "--dist", str(tmp_path / "dist")]
        + ["--db", str(fresh_db)],
        capture_output=True,
        text=True,
        env=dict(os.environ, PUBLIC_URL=address),
    )
    written = list((tmp_path / "dist").glob("*")) if (tmp_path / "dist").exists() else []
    assert result.returncode == 1 and "loopback" in result.stderr and not written, (result.stderr, written)


@pytest.mark.parametrize(
    "value,expected",
    [("", None), ("https://example.org/ots/", EXAMPLE), ("http://data.example.org", "http://data.example.org")],
)
def test_public_url_is_read_without_its_trailing_slash(value, expected):
    assert public_url({"PUBLIC_URL": value}) == expected


@pytest.mark.parametrize("value", ["example.org", "ftp://example.org", "https://example.org/?a=1", "https://"])
def test_a_public_url_that_is_not_an_address_is_refused(value):
    with pytest.raises(PublicUrlError):
        public_url({"PUBLIC_URL": value})


@pytest.mark.parametrize(
    "url,loopback",
    [
        ("http://127.0.0.1:8001/", True),
        ("http://127.1.2.3", True),
        ("http://localhost/", True),
        ("http://0.0.0.0:8080", True),
        ("http://[::1]/", True),
        ("https://example.org/ots", False),
        ("https://127.example.org/", False),
    ],
)
def test_loopback_addresses_are_recognised(url, loopback):
    assert is_loopback(url) == loopback


def test_only_0_1_0_and_0_2_0_carry_the_loopback_homepage():
    """0.1.0 and 0.2.0 were published with "homepage": "http://127.0.0.1:8001/" and never change
    (CHANGELOG.md records it); no later release may carry a loopback address."""
    carrying = [
        folder.name
        for folder in sorted((ROOT / "dist").glob("*.*.*"))
        if is_loopback(json.loads((folder / "datapackage.json").read_text(encoding="utf-8")).get("homepage") or "x:")
    ]
    assert carrying == [v for v in ("0.1.0", "0.2.0") if (ROOT / "dist" / v).exists()], carrying


# ------------------------------------------------------------------ robots.txt


@pytest.fixture(scope="module")
def robots(live_server) -> str:
    status, content_type, text = get(f"{live_server}/robots.txt")
    assert status == 200 and content_type.startswith("text/plain"), (status, content_type)
    return text


@pytest.mark.server
def test_robots_txt_disallows_arbitrary_sql_and_the_dash_pages(robots):
    required = ["Disallow: /*?sql=", "Disallow: /ots?sql=", "Disallow: /-/"]
    missing = [line for line in required if line not in robots.splitlines()]
    assert not missing, f"missing from /robots.txt: {missing}\n{robots}"


@pytest.mark.server
@pytest.mark.parametrize(
    "path,allowed",
    [
        ("/", True),
        ("/ots/follower_counts", True),
        ("/ots/follower_counts/altun-2023-t3-r06-instagram", True),
        ("/ots/article_table_1", True),
        ("/docs/methodology/", True),
        ("/downloads/0.2.0/", True),
        ("/sitemap.xml", True),
        ("/-/static/app.css", True),
        ("/ots?sql=select+1", False),
        ("/-/versions", False),
        ("/-/metadata.json", False),
    ],
)
def test_robots_txt_lets_crawlers_read_the_pages_and_nothing_else(robots, path, allowed):
    parser = RobotFileParser()
    parser.parse(robots.splitlines())
    assert parser.can_fetch("AnyBot", path) == allowed, robots


@pytest.mark.server
def test_robots_txt_names_sitemaps_only_at_an_absolute_address(robots):
    sitemaps = re.findall(r"^Sitemap: (.*)$", robots, re.M)
    relative = [s for s in sitemaps if not urlsplit(s).scheme]
    assert not relative and (bool(sitemaps) == bool(os.environ.get("PUBLIC_URL"))), robots


# ------------------------------------------------------------------ sitemap.xml


def expected_sitemap_paths(db: Path) -> list[str]:
    """The front page in English, Turkish and Russian, and the page of each cited table and of each of
    its rows, from the database."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    paths = ["/", "/tr/", "/ru/"]
    for table in CITED_TABLES:
        (key,) = [row[1] for row in conn.execute(f"pragma table_info([{table}])") if row[5] == 1]
        paths.append(f"/ots/{table}")
        paths += [f"/ots/{table}/{tilde_encode(str(k))}" for (k,) in conn.execute(f"select [{key}] from [{table}]")]
    conn.close()
    return paths


@pytest.fixture(scope="module")
def sitemap(live_server) -> tuple[str, str]:
    status, content_type, text = get(f"{live_server}/sitemap.xml")
    assert status == 200 and "xml" in content_type, (status, content_type)
    return live_server, text


@pytest.mark.server
def test_sitemap_is_valid_xml_of_absolute_urls(sitemap):
    _, text = sitemap
    root = ElementTree.fromstring(text.encode("utf-8"))
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [loc.text for loc in root.iter(f"{namespace}loc")]
    not_absolute = [loc for loc in locs if not urlsplit(loc or "").scheme]
    assert root.tag == f"{namespace}urlset" and locs and not not_absolute, show(not_absolute)


@pytest.mark.server
def test_sitemap_lists_every_row_page_of_the_cited_tables(sitemap):
    base, text = sitemap
    prefix = os.environ.get("PUBLIC_URL", "").rstrip("/") or base
    listed = [loc[len(prefix) :] for loc in re.findall(r"<loc>(.*?)</loc>", text)]
    expected = expected_sitemap_paths(serving.DB)
    missing, extra = sorted(set(expected) - set(listed)), sorted(set(listed) - set(expected))
    assert not missing and not extra and len(listed) == len(set(listed)), (
        f"missing:\n{show(missing)}\nnot expected:\n{show(extra)}"
    )


@pytest.mark.server
def test_every_row_page_in_the_sitemap_answers(sitemap):
    base, text = sitemap
    prefix = os.environ.get("PUBLIC_URL", "").rstrip("/") or base
    sample = re.findall(r"<loc>(.*?)</loc>", text)[::25]  # a spread of them: each table's first rows
    failed = []
    for loc in sample:
        try:
            get(base + loc[len(prefix) :])
        except OSError as error:
            failed.append((loc, str(error)))
    assert not failed, show(failed)


def test_with_public_url_the_sitemap_lists_addresses_under_it(fresh_db, metadata):
    metadata["plugins"]["ots"]["public_url"] = EXAMPLE
    text = datasette_fetcher(fresh_db, metadata=metadata)("/sitemap.xml").text
    elsewhere = [loc for loc in re.findall(r"<loc>(.*?)</loc>", text) if not loc.startswith(f"{EXAMPLE}/")]
    assert not elsewhere, show(elsewhere)


# ------------------------------------------------------------------ the Dataset (JSON-LD)


def dataset_problems(data: dict, db: Path) -> list[str]:
    """What the Dataset lacks or gets wrong, against the newest release and the database."""
    newest = RELEASES[-1]
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    states = {code for (code,) in conn.execute("select state_code from states")}
    title, orcid, url, citation = conn.execute(
        "select title, orcid, url, citation from sources where source_id = 'altun-2023'"
    ).fetchone()
    conn.close()
    files = {f["name"] for f in newest["files"] if f["name"].endswith((".csv", ".json", ".db", ".zip"))}
    article = data.get("isBasedOn", {})
    downloads = data.get("distribution", [])
    checks = {
        "@type is Dataset": data.get("@type") == "Dataset",
        "name and description": bool(data.get("name")) and bool(data.get("description")),
        f"version {newest['version']}": data.get("version") == newest["version"],
        f"datePublished {newest['date']}": data.get("datePublished") == newest["date"],
        "license is CC BY 4.0": data.get("license") == "https://creativecommons.org/licenses/by/4.0/",
        "keywords": bool(data.get("keywords")),
        "spatialCoverage: the states": {p.get("identifier") for p in data.get("spatialCoverage", [])} == states,
        "isBasedOn: the article": article.get("@type") == "ScholarlyArticle" and article.get("name") == title,
        "isBasedOn: its ORCID, issue and pages": (
            article.get("author", {}).get("identifier") == f"https://orcid.org/{orcid}"
            and article.get("isPartOf", {}).get("issueNumber") == "106"
            and article.get("pagination") == "1-33"
        ),
        "isBasedOn: the article's address": article.get("url") == url,
        "citation: the article's": data.get("citation") == citation,
        "publisher and creator": bool(data.get("publisher", {}).get("name")) and bool(data.get("creator")),
        f"dateModified {newest['date']}": data.get("dateModified") == newest["date"],
        "variableMeasured: follower counts in people": any(
            v.get("name") == "follower_counts.count" and v.get("unitText", "").startswith("people")
            for v in data.get("variableMeasured", [])
        ),
        "temporalCoverage from 2022-06-22": str(data.get("temporalCoverage", "")).startswith("2022-06-22"),
        "distribution: every file of the newest release": {d.get("name") for d in downloads} == files,
        "distribution: immutable release files": all(
            urlsplit(d.get("contentUrl", "")).path == f"{newest['path']}{d.get('name')}" for d in downloads
        ),
    }
    return [check for check, ok in checks.items() if not ok]


@pytest.mark.server
@pytest.mark.parametrize("path", ["/", "/ots/follower_counts", "/ots/accounts", "/ots/errata?status=confirmed"])
def test_the_front_page_and_table_pages_carry_the_dataset(live_server, path):
    _, _, page = get(f"{live_server}{path}")
    blocks = json_ld_blocks(page)
    assert len(blocks) == 1, f"{path}: {len(blocks)} JSON-LD blocks"
    problems = dataset_problems(blocks[0], serving.DB)
    assert not problems, f"{path}: " + show(problems)


@pytest.mark.slow
def test_the_docs_home_page_carries_the_same_dataset(docs_site, fresh_db):
    (data,) = json_ld_blocks((docs_site / "index.html").read_text(encoding="utf-8"))
    problems = dataset_problems(data, fresh_db)
    assert not problems, show(problems)


def test_the_datasette_and_docs_datasets_differ_only_in_page_and_language(fresh_db):
    """One function builds both (ots_data/json_ld.py)."""
    from ots_data.docs import json_ld as docs_json_ld
    from ots_data.json_ld import facts
    from ots_data.schema import load_descriptor

    conn = sqlite3.connect(f"file:{fresh_db}?mode=ro", uri=True)
    (docs,) = json_ld_blocks(docs_json_ld(load_descriptor(ROOT / "datapackage.yaml"), facts(conn), RELEASES[-1], "tr"))
    conn.close()
    (served,) = json_ld_blocks(datasette_fetcher(fresh_db)("/").text)
    different = sorted(k for k in docs.keys() | served.keys() if docs.get(k) != served.get(k))
    assert different == ["inLanguage", "url"], different


def test_with_public_url_the_served_dataset_addresses_are_under_it(fresh_db, metadata):
    metadata["plugins"]["ots"]["public_url"] = EXAMPLE
    (data,) = json_ld_blocks(datasette_fetcher(fresh_db, metadata=metadata)("/ots/follower_counts").text)
    urls = [data["url"]] + [d["contentUrl"] for d in data["distribution"]]
    elsewhere = [u for u in urls if not u.startswith(f"{EXAMPLE}/")]
    assert data["url"] == f"{EXAMPLE}/" and not elsewhere, show(elsewhere)


def test_with_public_url_a_row_is_cited_at_its_public_address(fresh_db, metadata):
    """The "Cite this" block (datasette_site/ots_datasette/cite_row.py) names the row where others find it."""
    metadata["plugins"]["ots"]["public_url"] = EXAMPLE
    page = datasette_fetcher(fresh_db, metadata=metadata)("/ots/errata/fco-name").text
    expected = f"{EXAMPLE}/ots/errata/fco-name"
    assert expected in page, [line for line in page.splitlines() if "/ots/errata/fco-name" in line]


def test_pages_of_other_databases_carry_no_dataset(fresh_db, tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).executescript("create table t (id integer primary key); insert into t values (1);")
    page = datasette_fetcher(fresh_db, immutables=[str(fresh_db), str(other)])("/other/t").text
    assert not json_ld_blocks(page)


# ------------------------------------------------------------------ copy-paste exports


@pytest.mark.server
@pytest.mark.parametrize(
    "table_format,first_line",
    [("tsv", "count_id\taccount_id"), ("pipe", "| count_id"), ("latex", "\\begin{tabular}")],
)
def test_a_table_copies_as_tsv_markdown_and_latex_with_every_row(live_server, table_format, first_line):
    path = f"/ots/follower_counts.copyable?_table_format={table_format}&_size=max&_raw=1"
    status, _, text = get(live_server + path)
    conn = sqlite3.connect(f"file:{serving.DB}?mode=ro", uri=True)
    ids = [count_id for (count_id,) in conn.execute("select count_id from follower_counts")]
    conn.close()
    missing = [count_id for count_id in ids if count_id not in text]
    assert status == 200 and text.startswith(first_line) and not missing, (text[:200], show(missing))


@pytest.mark.server
def test_a_canned_query_copies_as_latex(live_server):
    status, _, text = get(f"{live_server}/ots/article_table_1.copyable?_table_format=latex&_raw=1")
    assert status == 200 and text.startswith("\\begin{tabular}") and "Recep Tayyip Erdo" in text, text[:300]


@pytest.mark.server
def test_the_copy_page_loads_nothing_from_another_host(live_server):
    _, _, page = get(f"{live_server}/ots/follower_counts.copyable?_table_format=latex")
    remote = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(?:https?:)?//[^"]+"', page)
    assert "\\begin{tabular}" in page and not remote, show(remote)


def test_the_copyable_and_robots_plugins_are_the_pinned_versions():
    pinned = dict(
        line.split("==")
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.startswith(("datasette-copyable==", "datasette-block-robots=="))
    )
    different = {
        name: (version, metadata_version(name)) for name, version in pinned.items() if metadata_version(name) != version
    }
    assert len(pinned) == 2 and not different, different


def test_past_the_limit_the_sitemap_is_an_index_whose_files_list_every_address_once(fresh_db, monkeypatch):
    """Past SITEMAP_LIMIT addresses (50,000, the protocol's limit; 40 here) /sitemap.xml is a sitemap
    index, and its files, each within the limit, list the same addresses in the same order."""
    from datasette.plugins import pm

    get = datasette_fetcher(fresh_db)
    every = re.findall(r"<loc>([^<]+)</loc>", get("/sitemap.xml").text)
    monkeypatch.setattr(pm.get_plugin("ots_discovery"), "SITEMAP_LIMIT", 40)
    index = get("/sitemap.xml").text
    parts = re.findall(r"<loc>([^<]+)</loc>", index)
    listed = [re.findall(r"<loc>([^<]+)</loc>", get(urlsplit(part).path).text) for part in parts]
    assert "<sitemapindex" in index and len(parts) == -(-len(every) // 40), index[:300]
    assert all(len(found) <= 40 for found in listed) and sum(listed, []) == every
    assert get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404
