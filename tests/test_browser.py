"""What a reader sees, in Debian's headless Chromium: pages load without console errors, declare
their language, pass axe-core's WCAG 2 A/AA checks (less a short, commented allow-list), and are
saved as screenshots in test-artifacts/ for a person to look at."""

from __future__ import annotations

import pytest
from conftest import show
from support import ARTIFACTS, BROWSER_MARKS, axe_violations

pytestmark = BROWSER_MARKS

PAGES = [
    ("docs-home-en", "/docs/", "en"),
    ("docs-home-tr", "/docs/tr/", "tr"),
    ("docs-home-ru", "/docs/ru/", "ru"),
    ("docs-methodology-tr", "/docs/tr/methodology/", "tr"),
    ("docs-charts-ru", "/docs/ru/charts/", "ru"),
    ("docs-errata-en", "/docs/errata/", "en"),
    ("datasette-landing", "/", "en"),
    ("datasette-follower-counts", "/ots/follower_counts", "en"),
    ("datasette-actors", "/ots/actors", "en"),
    ("datasette-table-1", "/ots/article_table_1", "en"),
    ("datasette-copy-latex", "/ots/follower_counts.copyable?_table_format=latex", "en"),
]


@pytest.mark.parametrize("name,path,lang", PAGES, ids=[p[0] for p in PAGES])
def test_page_loads_cleanly_and_accessibly(browser, live_server, name, path, lang):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(live_server + path, wait_until="networkidle")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert response.status == 200
    assert page.evaluate("document.documentElement.lang") == lang
    assert not errors, show(errors)
    violations, _ = axe_violations(page, "docs" if path.startswith("/docs") else "datasette", ["wcag2a", "wcag2aa"])
    page.close()
    assert not violations, show(violations)


def first_screen_bottoms(page, selectors: list[str]) -> dict:
    """How far down the page (px) each selector's element ends; None when there is none."""
    return {
        s: page.evaluate(
            "s => { const e = document.querySelector(s); return e ? e.getBoundingClientRect().bottom : null; }", s
        )
        for s in selectors
    }


# What a reader finds in the first screen (1280 x 900), without scrolling.
FIRST_SCREEN = {
    "/": [
        "form.landing-search button",
        'a[href="/ots/article_table_1"]',
        'a[href="/ots/timeline"]',
        'a[href="/docs/#how-to-cite"]',
        'a[href="/docs/ru/"]',
    ],
    "/ots/follower_counts": ["details.column-descriptions-toggle", "form.filters", "table.rows-and-columns thead"],
    "/ots/actors": ["#_search", "table.rows-and-columns thead"],
}


@pytest.mark.parametrize("path", FIRST_SCREEN, ids=list(FIRST_SCREEN))
def test_the_first_screen_shows_what_a_reader_came_for(browser, live_server, path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + path, wait_until="networkidle")
    bottoms = first_screen_bottoms(page, FIRST_SCREEN[path])
    page.close()
    below = {selector: bottom for selector, bottom in bottoms.items() if bottom is None or bottom > 900}
    assert not below, f"{path}: not in the first 900 px (selector: bottom): {below}"


def test_the_column_descriptions_open_with_one_click_and_stay_accessible(browser, live_server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/ots/follower_counts", wait_until="networkidle")
    hidden = page.is_visible("dl.column-descriptions")
    page.click("details.column-descriptions-toggle > summary")
    shown = page.is_visible("dl.column-descriptions")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "datasette-follower-counts-descriptions.png"), full_page=True)
    violations, _ = axe_violations(page, "datasette", ["wcag2a", "wcag2aa"])
    page.close()
    assert (hidden, shown) == (False, True), f"descriptions visible before the click: {hidden}, after: {shown}"
    assert not violations, show(violations)
