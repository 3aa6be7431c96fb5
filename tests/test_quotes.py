"""Every verbatim field is verbatim: quotes, labels and raw cells are found, character for
character, in the article's text.

The article's text is not part of this repository (its licence keeps it outside); it sits beside
the checkout at ../shared/sources/altun-2023-bilig-106.txt, where CI and every developer machine
have it, or wherever ARTICLE_TEXT points. Without it these tests cannot run and say so."""

from __future__ import annotations

import pytest
from conftest import ROOT, show
from support import ARTICLE, from_the_article

from ots_data.schema import load_resources

pytestmark = pytest.mark.skipif(
    not ARTICLE.exists(), reason=f"the article's text is not at {ARTICLE} (set ARTICLE_TEXT)"
)

# (table, column) pairs that must be exact substrings of one line of the article: the fields the
# schema marks `verbatim: true`.
VERBATIM = [(r.name, f.name) for r in load_resources(ROOT / "datapackage.yaml") for f in r.fields if f.verbatim]


@pytest.fixture(scope="module")
def lines():
    return ARTICLE.read_text(encoding="utf-8").split("\n")


@pytest.mark.parametrize("table,column", VERBATIM)
def test_verbatim_fields_are_found_in_the_article(rows, lines, table, column):
    missing = [
        (r.get(column))
        for r in from_the_article(rows, table)
        if r[column] and not any(r[column] in line for line in lines)
    ]
    assert not missing, show(missing)


def test_every_field_named_as_printed_text_is_marked_verbatim():
    """By the naming convention (datapackage.yaml's header): *_as_printed, quote, printed."""
    unmarked = [
        (r.name, f.name)
        for r in load_resources(ROOT / "datapackage.yaml")
        for f in r.fields
        if (f.name.endswith("as_printed") or f.name in ("quote", "printed")) and not f.verbatim
    ]
    assert not unmarked, show(unmarked)


def test_raw_rows_are_the_article_lines_cell_for_cell(rows, lines):
    """Each raw row, its printed cells joined by the tab that separates them, is one line of the article."""
    missing = []
    for r in rows["raw_table_rows"]:
        cells = [r[f"cell_{k}"] for k in range(1, int(r["printed_cell_count"]) + 1)]
        if "\t".join(cells) not in lines:
            missing.append(cells)
    assert not missing, show(missing)


def test_table_rows_appear_in_the_printed_order(rows, lines):
    """The raw rows of each table follow each other in the article in row_number order."""
    out_of_order = []
    for table in ("1", "2", "3"):
        raw = sorted(
            (r for r in rows["raw_table_rows"] if r["table_number"] == table), key=lambda r: int(r["row_number"])
        )
        positions = [
            lines.index("\t".join(r[f"cell_{k}"] for k in range(1, int(r["printed_cell_count"]) + 1))) for r in raw
        ]
        if positions != sorted(positions):
            out_of_order.append((table, positions))
    assert not out_of_order, show(out_of_order)
