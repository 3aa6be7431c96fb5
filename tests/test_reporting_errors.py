"""A way to report an error (issue 11, item 7): the footer of every Datasette page says how to
report a wrong figure and what happens next (datasette_site/templates/_footer.html), the documentation has a page
on it in every language (docs/reporting-errors*.md, in mkdocs.yml's nav), and CONTRIBUTING.md, linked
from the README, is the maintainers' correction workflow."""

from __future__ import annotations

import re
import urllib.request

import pytest
import yaml
from conftest import ROOT, datasette_fetcher, show

REPORT_PAGE = "/docs/reporting-errors/"
# What the footer must tell a reader: where to go, and what happens to a report.
FOOTER_SAYS = ("Found a wrong figure?", "erratum", "next version", "changelog", "Published versions never change")
SERVED_PAGES = [
    "/",
    "/ots",
    "/ots/follower_counts",
    "/ots/follower_counts/altun-2023-t1-r01-facebook",
    "/ots/article_table_1",
    "/ots/sources/altun-2023",
    "/ots/no_such_table",  # error pages too
]


def footer(page: str) -> str:
    match = re.search(r'<footer class="ft">(.*?)</footer>', page, re.S)
    return match.group(1) if match else ""


@pytest.fixture(scope="module")
def get(fresh_db):
    return datasette_fetcher(fresh_db)


@pytest.mark.parametrize("path", SERVED_PAGES)
def test_the_footer_says_how_to_report_a_wrong_figure_and_what_happens_next(get, path):
    text = footer(get(path).text)
    missing = [words for words in FOOTER_SAYS if words not in text]
    linked = f'href="{REPORT_PAGE}"' in text
    assert linked and not missing, f"{path}: footer links the page: {linked}; lacks {missing}:\n{text[-600:]}"


def test_the_footer_keeps_datasettes_own_footer(get):
    text = footer(get("/ots/follower_counts").text)
    assert "Powered by" in text and "Data license" in text, text[:400]


def relative_links(path) -> list[str]:
    """The Markdown links of a file that point into the project (no scheme, no bare anchor)."""
    text = path.read_text(encoding="utf-8")
    return [t.split("#")[0] for t in re.findall(r"\]\(([^)\s]+)\)", text) if not re.match(r"[a-z]+:|#", t)]


def test_every_link_of_the_readme_into_the_project_leads_to_a_file():
    links = relative_links(ROOT / "README.md")
    broken = [link for link in links if not (ROOT / link).exists()]
    assert links and not broken, f"README.md links {links}; broken {broken}"


def test_the_readme_links_contributing():
    assert "CONTRIBUTING.md" in relative_links(ROOT / "README.md")


def test_contributing_names_only_make_targets_and_files_that_exist():
    """The correction workflow is a list of commands and files; a renamed target or a moved file
    makes it wrong, so each one it names must exist (placeholders such as <version> aside)."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-zA-Z_-]+):", makefile, re.M))
    named = set(re.findall(r"`make ([a-z-]+)", text))
    paths = {p for p in re.findall(r"`((?:data|docs|tests|dist|scripts|ots_data|datasette_site)/[^`\s]*)`", text)}
    checked = {p for p in paths if "<" not in p}
    missing = sorted([f"make {t}" for t in named - targets] + [p for p in checked if not (ROOT / p).exists()])
    assert {"test", "release"} <= named and "data/errata.csv" in checked and not missing, show(missing)


def test_the_reporting_page_is_in_the_docs_navigation_and_in_every_language():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    in_nav = any("reporting-errors.md" in entry.values() for entry in config["nav"])
    pages = [ROOT / "docs" / f"reporting-errors{suffix}.md" for suffix in ("", ".tr", ".ru")]
    missing = [str(p.relative_to(ROOT)) for p in pages if not p.exists()]
    assert in_nav and not missing, f"in mkdocs.yml's nav: {in_nav}; missing pages: {missing}"


# What the page must tell a reader, in English.
PAGE_SAYS = ("issue tracker", "table", "row", "what is wrong", "evidence", "errata", "next version", "never change")


def test_the_reporting_page_says_where_to_report_what_to_include_and_what_happens_next():
    text = " ".join((ROOT / "docs" / "reporting-errors.md").read_text(encoding="utf-8").split()).lower()
    missing = [words for words in PAGE_SAYS if words not in text]
    assert not missing, f"docs/reporting-errors.md does not say {missing}"


@pytest.mark.slow  # builds the documentation site (docs_site)
@pytest.mark.parametrize("lang", ["", "tr/", "ru/"])
def test_mkdocs_builds_the_reporting_page_and_the_home_page_links_it(docs_site, lang):
    page = docs_site / lang / "reporting-errors" / "index.html"
    home = (docs_site / lang / "index.html").read_text(encoding="utf-8")
    linked = re.search(r'href="(\./|\.\./)?reporting-errors/"', home) is not None
    assert page.exists() and linked, f"{page.relative_to(docs_site)} built: {page.exists()}; linked from home: {linked}"


@pytest.mark.server
def test_the_footer_link_leads_to_the_served_reporting_page(live_server):
    with urllib.request.urlopen(live_server + "/ots/follower_counts") as answer:
        link = re.search(r'<p class="ots-report">.*?href="([^"]+)"', answer.read().decode("utf-8"), re.S)
    assert link, "no link in the footer's report line"
    with urllib.request.urlopen(live_server + link.group(1)) as answer:
        status, page = answer.status, answer.read().decode("utf-8")
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert status == 200 and any("Reporting an error" in h for h in headings), show([status, *headings])
