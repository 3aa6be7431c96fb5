"""The documentation's own search finds a person in the grammatical forms a Turkish or Russian
reader types (issue 24, item 2): MkDocs Material's search, in Debian's Chromium, on the pages that
`make serve` serves. The forms are written here by hand, as readers write them."""

from __future__ import annotations

import pytest
from support import BROWSER_MARKS

pytestmark = BROWSER_MARKS

# Known gap, each case a test that must keep failing until it is fixed (issue 24 of the tracker stays
# open for it): a form longer than the one the pages print (the Russian genitive Эрдогана, a Turkish
# suffix without apostrophe) finds nothing, while the printed form and its prefixes do. Probably
# because the theme searches as the reader types, with a wildcard on the last word, which lunr does
# not stem (not checked in the theme's code; mkdocs-material issue 1745 describes a like limit).
# The remedy left to do: put the forms readers type into the indexed text of the pages.
LONGER_FORM = pytest.mark.xfail(strict=True, reason="a form longer than the printed one is not found (issue 24)")

# (docs home, typed by a reader, text a result must hold)
SEARCHES = [
    pytest.param("/docs/ru/", "Эрдоган", "Эрдоган", id="Эрдоган"),
    pytest.param("/docs/ru/", "Эрдо", "Эрдоган", id="Эрдо"),
    pytest.param("/docs/ru/", "Эрдогана", "Эрдоган", marks=LONGER_FORM, id="Эрдогана"),
    pytest.param("/docs/ru/", "Токаева", "Токаев", marks=LONGER_FORM, id="Токаева"),
    pytest.param("/docs/tr/", "Erdoğan", "Erdoğan", id="Erdoğan"),
    pytest.param("/docs/tr/", "Erdoğan'ın", "Erdoğan", id="Erdoğan'ın"),
    pytest.param("/docs/tr/", "Erdoğanın", "Erdoğan", marks=LONGER_FORM, id="Erdoğanın"),
    pytest.param("/docs/tr/", "Tokayev'in", "Tokayev", id="Tokayev'in"),
]


@pytest.mark.parametrize("home,typed,expected", SEARCHES)
def test_the_docs_search_finds_a_name_in_its_grammatical_forms(browser, live_server, home, typed, expected):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(live_server + home, wait_until="networkidle")
    page.click(".md-search__input", timeout=10_000)
    results = ""
    # The theme builds its index in a worker after the page loads; what is typed before it is ready
    # is not searched again, so type again until results (or the "no results" line) appear.
    for _ in range(30):
        page.fill(".md-search__input", "")
        page.keyboard.type(typed, delay=20)
        # Letters beyond a US keyboard (Cyrillic, ğ, ı) are inserted as text, with no key events; the
        # theme searches on a key event, so one key that changes nothing follows, as a reader's would.
        page.keyboard.press("End")
        page.wait_for_timeout(500)
        results = page.inner_text(".md-search-result")
        if page.query_selector(".md-search-result__item") or "найден" in results or "bulunamadı" in results:
            break
    page.close()
    assert expected.lower() in results.lower(), f"{typed!r} on {home}: {results[:300]!r}"
