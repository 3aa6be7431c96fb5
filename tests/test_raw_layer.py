"""The curated tables account for every cell of the verbatim raw layer exactly once."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import show


@pytest.fixture(scope="module")
def db(fresh_db):
    conn = sqlite3.connect(fresh_db)
    yield conn
    conn.close()


def raw_data_cells(db):
    """(table, row, printed cell number, text) for every printed cell right of the label."""
    cells = []
    for table, row, n, *values in db.execute(
        "select table_number, row_number, printed_cell_count, cell_2, cell_3, cell_4, cell_5"
        " from raw_table_rows where row_number > 0"
    ):
        cells += [(table, row, k, values[k - 2]) for k in range(2, n + 1)]
    return cells


def test_raw_layer_has_every_printed_row_of_tables_1_to_3(db):
    per_table = dict(db.execute("select table_number, count(*) from raw_table_rows where row_number > 0 group by 1"))
    assert per_table == {1: 8, 2: 7, 3: 7}


def test_every_raw_cell_is_read_exactly_once(db):
    readers = {}
    for table, row, cell, kind in db.execute("""
        select l.table_number, l.row_number, c.cell_number, 'count'
        from follower_counts c join actor_listings l using (listing_id) where c.entry_number = 1
        union all
        select l.table_number, l.row_number, a.cell_number, 'absence'
        from absences a join actor_listings l using (listing_id) where a.cell_number is not null
    """):
        readers.setdefault((table, row, cell), []).append(kind)
    raw_keys = {(t, r, k) for t, r, k, _ in raw_data_cells(db)}
    not_once = [(k, readers.get(k)) for k in raw_keys if len(readers.get(k, [])) != 1]
    extra = [k for k in readers if k not in raw_keys]
    assert not not_once and not extra, show(not_once + extra)


def test_curated_cells_give_back_the_raw_text(db):
    rebuilt = {
        (t, r, k): text
        for t, r, k, text in db.execute("""
            select l.table_number, l.row_number, c.cell_number, group_concat(c.cell_text_as_printed, ' ')
            from (select * from follower_counts order by listing_id, cell_number, entry_number) c
            join actor_listings l using (listing_id) group by 1, 2, 3
            union all
            select l.table_number, l.row_number, a.cell_number, a.as_printed
            from absences a join actor_listings l using (listing_id) where a.cell_number is not null
        """)
    }
    different = [
        (t, r, k, text, rebuilt.get((t, r, k)))
        for t, r, k, text in raw_data_cells(db)
        if rebuilt.get((t, r, k)) != text
    ]
    assert not different, show(different)


def test_listing_labels_are_the_raw_first_cells(db):
    different = list(
        db.execute("""
        select l.listing_id, l.label_as_printed, r.cell_1 from actor_listings l
        join raw_table_rows r on r.table_number = l.table_number and r.row_number = l.row_number
        where l.label_as_printed != r.cell_1
    """)
    )
    assert not different, show(different)


def test_every_row_says_something_for_every_platform(db):
    """Per printed row and platform: one or more counts and no absence, or exactly one absence."""
    wrong = list(
        db.execute("""
        with platforms(platform) as (values ('twitter'), ('instagram'), ('facebook'), ('youtube'))
        select l.listing_id, p.platform,
          (select count(*) from follower_counts c join accounts a using (account_id)
           where c.listing_id = l.listing_id and a.platform = p.platform) as counts,
          (select count(*) from absences b where b.listing_id = l.listing_id and b.platform = p.platform) as absences
        from actor_listings l cross join platforms p
        where not ((counts > 0 and absences = 0) or (counts = 0 and absences = 1))
    """)
    )
    assert not wrong, show(wrong)
