"""The "Cite this" block in Debian's headless Chromium (as tests/test_browser.py runs it): the copy
button puts the citation in the clipboard, or, where the browser offers no clipboard, selects it
for Ctrl+C; the page asks no other host for anything, logs no error and passes axe-core's WCAG 2
A/AA checks (less test_browser.py's allow-list). On the record pages of a figure and of a person
(templates/row.html, ots_datasette/row_record.py), on a desktop (1280 x 800) and a phone
(390 x 844): the citation starts in the first screen, nothing scrolls sideways, long notes wrap,
and the whole page passes the same axe checks."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from conftest import show
from support import ARTIFACTS, BROWSER_MARKS, axe_violations

ROW = "/ots/follower_counts/altun-2023-t1-r01-facebook"
# A browser without the Clipboard API: what a reader gets on a page served over plain http from
# a public address (not a secure context, so no navigator.clipboard).
NO_CLIPBOARD = "Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });"


pytestmark = BROWSER_MARKS


def open_row_page(context, live_server):
    """The row page, with every request and every console error recorded."""
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server + ROW, wait_until="networkidle")
    return page, requests, errors


def other_hosts(requests: list[str], live_server: str) -> list[str]:
    ours = urlsplit(live_server).netloc
    return [url for url in requests if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != ours]


def test_the_copy_button_puts_the_citation_in_the_clipboard(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    page, requests, errors = open_row_page(context, live_server)
    citation = page.text_content("#ots-cite-text")
    page.click("button.ots-cite-copy")
    page.wait_for_function("document.querySelector('.ots-cite-status').textContent !== ''")
    copied = page.evaluate("navigator.clipboard.readText()")
    status = page.text_content(".ots-cite-status")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "datasette-row-citation.png"), full_page=True)
    context.close()
    assert citation and copied == citation, f"clipboard {copied!r}, citation {citation!r} (status {status!r})"
    assert not other_hosts(requests, live_server) and not errors, show(other_hosts(requests, live_server) + errors)


def test_without_a_clipboard_the_copy_button_selects_the_citation(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(NO_CLIPBOARD)
    page, requests, errors = open_row_page(context, live_server)
    citation = page.text_content("#ots-cite-text")
    page.click("button.ots-cite-copy")
    selected = page.evaluate("window.getSelection().toString()")
    status = page.text_content(".ots-cite-status")
    context.close()
    assert citation and selected == citation, f"selected {selected!r}, citation {citation!r} (status {status!r})"
    assert "Ctrl+C" in status, status
    assert not other_hosts(requests, live_server) and not errors, show(other_hosts(requests, live_server) + errors)


def test_the_citation_block_and_the_footer_are_accessible(browser, live_server):
    """axe on what this project adds to the row page: the citation block and the footer. (The whole
    of a record page is checked by test_a_record_page_is_accessible below.)"""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page, _, _ = open_row_page(context, live_server)
    lang = page.evaluate("document.documentElement.lang")
    violations, response = axe_violations(
        page, "datasette", ["wcag2a", "wcag2aa"], context={"include": [["section.ots-cite"], ["footer"]]}
    )
    checked = len(response["passes"])  # rules that found elements in the block and passed
    context.close()
    assert checked, "axe checked nothing: no section.ots-cite or footer on the page"
    assert lang == "en" and not violations, f"lang {lang!r}; violations:\n" + show(violations)


# ---------------------------------------------------------------- the record (tracker issue 21)

# A figure with no agreed reading (its citation carries a warning) and a person listed twice, whose
# page lists accounts, absences, an office check and errata: the two longest kinds of record.
RECORD_PAGES = {
    "figure": "/ots/follower_counts/altun-2023-t2-r04-instagram",
    "actor": "/ots/actors/gurbanguly-berdimuhamedov",
}
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
# Where the citation block, the width of the page and the long texts of the record are.
MEASURE = """() => {
    const box = s => { const e = document.querySelector(s); return e ? e.getBoundingClientRect() : null; };
    const long = [...document.querySelectorAll(
        ".ots-field-note dd, .ots-field-reading_note dd, .ots-record-office dd, .ots-record-fields-list dd")];
    return {
        cite_top: box("section.ots-cite") && box("section.ots-cite").top,
        scroll_width: document.documentElement.scrollWidth,
        widest_text: Math.max(...long.map(e => e.getBoundingClientRect().right)),
        note_lines: Math.max(...long.map(e => e.getBoundingClientRect().height
            / parseFloat(getComputedStyle(e).lineHeight))),
        texts: long.length,
    };
}"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", RECORD_PAGES)
def test_a_record_page_cites_in_the_first_screen_and_wraps_its_text(browser, live_server, name, viewport):
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server + RECORD_PAGES[name], wait_until="networkidle")
    found = page.evaluate(MEASURE)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"datasette-record-{name}-{viewport}.png"), full_page=True)
    page.close()
    wrong = {
        "the citation starts below the first screen": found["cite_top"] is None or found["cite_top"] >= height,
        "the page scrolls sideways": found["scroll_width"] > width,
        "a field's text runs past the screen": found["widest_text"] > width,
        "the long note does not wrap": found["note_lines"] < 3,
        "no field texts found": not found["texts"],
    }
    assert not any(wrong.values()) and not errors, f"{[w for w, bad in wrong.items() if bad]}; {found}; {errors}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", RECORD_PAGES)
def test_a_record_page_is_accessible(browser, live_server, name, viewport):
    """axe on the whole page: the record has no wide table, so nothing of it is left out."""
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(live_server + RECORD_PAGES[name], wait_until="networkidle")
    violations, response = axe_violations(page, "datasette", ["wcag2a", "wcag2aa"])
    page.close()
    assert response["passes"] and not violations, show(violations)
