"""Every locator of the form `Section "...", paragraph N, sentence M` points at the sentence that
holds the row's own words (its `quote` or `printed` field).

The article's text (beside the checkout, as in test_quotes.py) is read as its layout gives it:
a section starts at a line that is exactly its heading; a paragraph is a line of text, and a line
that starts in lower case continues the paragraph before it (the page breaks of the PDF split
paragraphs there); a table (its "Table N" line, its title and its rows, whose cells are split by tabs)
is not running text. Sentences
end at ".", "!" or "?" followed by a space and a capital, a digit or a quotation mark. A written-out parser,
not a library: the locators count what a reader counts on the page, and no sentence splitter
counts "(Nye 8; Varoğlu 1; Yılmaz 222)." or a line broken mid-sentence the same way.
"""

from __future__ import annotations

import re

import pytest
from conftest import show
from support import ARTICLE, from_the_article

pytestmark = pytest.mark.skipif(
    not ARTICLE.exists(), reason=f"the article's text is not at {ARTICLE} (set ARTICLE_TEXT)"
)

LOCATOR = re.compile(r'Section "(?P<section>[^"]+)", paragraph (?P<paragraph>\d+), sentence (?P<sentence>\d+)$')
SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”]))\s+(?=[A-ZÇĞİÖŞÜ0-9\"“'*])")
# Full stops that end no sentence: a title before a name, and the ordinal of a Turkish title the
# article cites ("Türk Keneşi 5. Zirvesi").
NOT_AN_END = ("Prof.", "Dr.", "Keneşi 5.")
# The fields that hold the row's own words (the schema's verbatim quotes), by table.
OWN_WORDS = ("quote", "printed")


def sentences_by_place(lines: list[str], headings: set[str]) -> dict[tuple[str, int, int], str]:
    """(section, paragraph, sentence) -> the sentence's text, for the sections named in `headings`."""
    places: dict[tuple[str, int, int], str] = {}
    section, paragraphs = None, []

    def close() -> None:
        for p, text in enumerate(paragraphs, start=1):
            pieces: list[str] = []
            for piece in SENTENCE_END.split(text):
                if pieces and pieces[-1].endswith(NOT_AN_END):
                    pieces[-1] += " " + piece
                else:
                    pieces.append(piece)
            for s, sentence in enumerate(pieces, start=1):
                places[(section, p, s)] = sentence

    table_title_next = False
    for line in lines:
        text = line.strip()
        if text in headings:
            if section:
                close()
            section, paragraphs = text, []
        elif section is None or not text:
            continue
        elif text in ("References", "Notes"):
            close()
            section, paragraphs = None, []
        elif re.fullmatch(r"Table \d+", text):
            table_title_next = True
        elif table_title_next or "\t" in line:  # a table's title, or one of its rows (cells split by tabs)
            table_title_next = False
        elif paragraphs and text[0].islower():
            paragraphs[-1] += " " + text
        else:
            paragraphs.append(text)
    if section:
        close()
    return places


@pytest.fixture(scope="module")
def located(rows) -> list[tuple[str, str, dict, re.Match]]:
    found = []
    for table in rows:
        for row in from_the_article(rows, table):
            match = LOCATOR.match(row.get("source_locator") or "")
            if match:
                found.append((table, next(iter(row.values())), row, match))
            # An erratum the article shows against itself names a second place and what it prints there.
            match = LOCATOR.match(row.get("other_locator") or "")
            if match:
                other = {"printed": row["other_printed"]}
                found.append((table, next(iter(row.values())) + " (other place)", other, match))
    return found


@pytest.fixture(scope="module")
def places(located) -> dict[tuple[str, int, int], str]:
    headings = {m["section"] for _, _, _, m in located}
    return sentences_by_place(ARTICLE.read_text(encoding="utf-8").split("\n"), headings)


def test_the_resolver_finds_every_section_named(located, places):
    named = {m["section"] for _, _, _, m in located}
    missing = sorted(named - {section for section, _, _ in places})
    assert not missing, show(missing)


def test_every_sentence_locator_exists(located, places):
    missing = [
        (table, key, m.group(0))
        for table, key, _, m in located
        if (m["section"], int(m["paragraph"]), int(m["sentence"])) not in places
    ]
    assert not missing, show(missing)


def test_the_located_sentence_holds_the_rows_own_words(located, places):
    """The quote is in the sentence, or (a quote running into the next sentence) starts in it."""
    wrong = []
    for table, key, row, m in located:
        sentence = places.get((m["section"], int(m["paragraph"]), int(m["sentence"])))
        if sentence is None:
            continue  # reported by the test above
        for field in OWN_WORDS:
            words = row.get(field)
            if (
                words
                and words not in sentence
                and not any(sentence.endswith(words[:n]) for n in range(len(words), 15, -1))
            ):
                wrong.append((table, key, field, words[:60], m.group(0), sentence[:80]))
    assert not wrong, show(wrong)
