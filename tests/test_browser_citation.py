"""The "Cite this" block in Debian's headless Chromium (as tests/test_browser.py runs it): the copy
button puts the citation in the clipboard, or, where the browser offers no clipboard, selects it
for Ctrl+C; the page asks no other host for anything, logs no error and passes axe-core's WCAG 2
A/AA checks (less test_browser.py's allow-list)."""

from __future__ import annotations

from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from conftest import show
from support import ALLOWED, ARTIFACTS, BROWSER_MARKS

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
    """axe on what this project adds to the row page. The rest of the page is Datasette's own row
    page, whose wide one-row table (.table-wrapper, scrolled sideways) axe reports as a scrollable
    region without keyboard focus (scrollable-region-focusable): upstream, not checked here."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page, _, _ = open_row_page(context, live_server)
    lang = page.evaluate("document.documentElement.lang")
    results = Axe().run(
        page,
        context={"include": [["section.ots-cite"], ["footer"]]},
        options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}},
    )
    violations = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if ("datasette", v["id"]) not in ALLOWED
    ]
    checked = len(results.response["passes"])  # rules that found elements in the block and passed
    context.close()
    assert checked, "axe checked nothing: no section.ots-cite or footer on the page"
    assert lang == "en" and not violations, f"lang {lang!r}; violations:\n" + show(violations)
