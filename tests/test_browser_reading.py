"""The pages a reader lands on, on a desktop (1280 x 800) and a phone (390 x 844), in Debian's
Chromium (issue 21, items 2, 6 and 7): results within reach, no page scrolls sideways, a wide table
scrolls inside a named region the keyboard reaches, and axe-core finds no violation of WCAG 2 A/AA
or of its best practices (landmarks, regions, empty table headers), outside the commented list."""

from __future__ import annotations

import pytest
from conftest import show
from support import ARTIFACTS, BROWSER_MARKS, axe_violations

pytestmark = BROWSER_MARKS

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
PAGES = {
    "landing": "/",
    "printed-table": "/ots/article_table_2",
    "search-results": "/ots/search_everything?q=erdogan",
    "search-nothing": "/ots/search_everything?q=zzqqxx",
    "audience": "/ots/accounts_by_audience",
    "docs-home-en": "/docs/",
    "docs-home-tr": "/docs/tr/",
    "docs-home-ru": "/docs/ru/",
}
TAGS = ["wcag2a", "wcag2aa", "best-practice"]
CASES = [(page, size) for page in PAGES for size in SIZES]


def open_page(browser, live_server, path: str, size: str):
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    response = page.goto(live_server + path, wait_until="networkidle")
    assert response.status == 200, f"{path}: {response.status}"
    return page


@pytest.mark.parametrize("name,size", CASES, ids=[f"{p}-{s}" for p, s in CASES])
def test_no_page_scrolls_sideways_and_axe_finds_no_violation(browser, live_server, name, size):
    page = open_page(browser, live_server, PAGES[name], size)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"reading-{name}-{size}.png"), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    violations, _ = axe_violations(page, "docs" if PAGES[name].startswith("/docs") else "datasette", TAGS)
    page.close()
    assert scroll_width <= SIZES[size][0], f"{name} scrolls sideways at {size}: {scroll_width} px wide"
    assert not violations, show(violations)


@pytest.mark.parametrize("size", SIZES)
def test_a_printed_table_shows_its_rows_and_first_figure_link_early(browser, live_server, size):
    """On a phone the first rows start within about a screen and a half, not after the SQL."""
    page = open_page(browser, live_server, "/ots/article_table_2", size)
    top = page.evaluate("document.querySelector('table.rows-and-columns').getBoundingClientRect().top")
    link = page.evaluate("document.querySelector('td a[href^=\"/ots/follower_counts/\"]') !== null")
    page.close()
    assert top < SIZES[size][1] * 1.5 and link, (top, link)


def test_a_wide_table_scrolls_in_a_named_region_the_keyboard_reaches(browser, live_server):
    # Datasette's CSS lays rows out as cards on a phone; on a desktop the table of every count is wider
    # than the screen and scrolls inside its wrapper.
    page = open_page(browser, live_server, "/ots/follower_counts", "desktop")
    wrapper = page.evaluate(
        """() => { const w = document.querySelector('.table-wrapper');
        return {tabindex: w.getAttribute('tabindex'), role: w.getAttribute('role'),
                label: w.getAttribute('aria-label'), scrolls: w.scrollWidth > w.clientWidth}; }"""
    )
    page.keyboard.press("Tab")
    reached = False
    for _ in range(60):  # tab through the page until the region has the focus
        if page.evaluate("document.activeElement.classList.contains('table-wrapper')"):
            reached = True
            break
        page.keyboard.press("Tab")
    page.close()
    assert wrapper["tabindex"] == "0" and wrapper["role"] == "region" and wrapper["label"], wrapper
    assert wrapper["scrolls"] and reached, wrapper
