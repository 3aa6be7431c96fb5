"""Every kind of page Datasette serves for this project answers 200 with its content: every table and
view, row pages, sorting, filters, facets, labels on and off, no rows, and a database of odd cases
(compound and rowid keys, blobs, URLs, markup, long text, dangling and unlabelled foreign keys),
served immutable and mutable, each fetched twice. The project changes Datasette's pages only
through its documented hooks and template blocks (tests/test_templates.py), so the cells and tables
are Datasette's own."""

from __future__ import annotations

import asyncio
import re
import sqlite3

import pytest
from conftest import make_datasette

QUERY_TIME = re.compile(r"Queries took [0-9.]+ms")


def odd_cases_database(path):
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        create table owners (id integer primary key, name text);
        create table kinds (code text primary key, description text, extra text);
        create table pets (
            id integer primary key,
            owner_id integer references owners(id),
            kind text references kinds(code),
            "odd name" text,
            "_under-score" text,
            photo blob,
            homepage text,
            weight real,
            note text
        );
        create table pairs (a text, b integer, value text, primary key (a, b));
        create table plain (value text);
        create view pet_names as select id, "odd name" from pets;
        """
    )
    conn.executemany("insert into owners values (?, ?)", [(1, 'Alice <&> "Q"'), (2, ""), (3, "Bea & Co")])
    conn.executemany("insert into kinds values (?, ?, ?)", [("cat", "a cat", None), ("a/b", "slash", "x")])
    conn.executemany(
        "insert into pets values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (1, 1, "cat", "<b>bold</b> & 'quoted'", "x", b"\x00\x01", "https://example.com/x.png", 1.5, "n" * 3000),
            (2, 2, "a/b", "", "y", b"\x00", "https://example.com/a b", 2.0, ""),
            (3, None, None, None, None, None, "  http://example.org/  ", None, None),
            (4, 99, "dog", "Zoë", "z", None, "httpx://no", 0.0, "0"),
            (5, 3, "cat", "1", "_", b"", "http://example.org/" + "p" * 3000, -1.25, "http://example.org/"),
            (6, 1, "cat", "same owner", "again", None, None, 3.0, None),
        ],
    )
    conn.executemany("insert into pairs values (?, ?, ?)", [("a/b", 1, "x"), ("c,d", 2, "<y>"), ("e~f", 3, None)])
    conn.executemany("insert into plain values (?)", [("one",), (None,), ("three & four",)])
    conn.commit()
    conn.close()
    return path


def ots_paths(db_path) -> list[str]:
    conn = sqlite3.connect(db_path)
    names = [
        name
        for (name,) in conn.execute("select name from sqlite_master where type in ('table', 'view') order by name")
        if "_fts" not in name
    ]
    account = conn.execute("select account_id from accounts order by account_id limit 1").fetchone()[0]
    conn.close()
    return [f"/ots/{name}" for name in names] + [
        "/ots/follower_counts?_sort=count_id",
        "/ots/follower_counts?_sort_desc=metric",
        "/ots/follower_counts?metric=subscribers&_sort=count",
        "/ots/follower_counts?_labels=off",
        "/ots/follower_counts?_label=account_id",
        "/ots/follower_counts?_col=count&_col=account_id",
        "/ots/follower_counts?_nocol=note",
        "/ots/follower_counts?count__gt=999999999999",
        "/ots/follower_counts?_size=3&_next=3",
        "/ots/follower_counts?_facet=metric&_facet=account_id",
        "/ots/follower_counts/altun-2023-t1-r01-twitter",
        f"/ots/accounts/{account}",
        "/ots/actors?_search=cavusoglu",
    ]


ODD_PATHS = [
    "/scratch/pets",
    "/scratch/pets?_sort=weight",
    "/scratch/pets?_sort_desc=owner_id",
    "/scratch/pets?_labels=off",
    "/scratch/pets?_facet=owner_id&_facet=kind",
    "/scratch/pets?owner_id=99",
    "/scratch/pets/1",
    "/scratch/pets/4",
    "/scratch/pairs",
    "/scratch/pairs/a~2Fb,1",
    "/scratch/plain",
    "/scratch/plain/2",
    "/scratch/pet_names",
    "/scratch/owners",
    "/scratch/kinds/a~2Fb",
]


def fetch_twice(datasette, paths: list[str]) -> dict:
    """Each path, then each again: {(path, round): (status, page without the query time)}."""

    async def go():
        pages = {}
        for round_ in (1, 2):
            for path in paths:
                answer = await datasette.client.get(path)
                pages[(path, round_)] = (answer.status_code, QUERY_TIME.sub("Queries took Xms", answer.text))
        return pages

    return asyncio.run(go())


@pytest.mark.slow  # some 80 pages, each fetched twice
@pytest.mark.parametrize("scratch_mode", ["immutable", "mutable"])
def test_every_page_answers_with_rows_links_labels_and_no_errors(fresh_db, tmp_path, scratch_mode):
    scratch = odd_cases_database(tmp_path / "scratch.db")
    databases = (
        {"immutables": [str(fresh_db), str(scratch)]}
        if scratch_mode == "immutable"
        else {"immutables": [str(fresh_db)], "files": [str(scratch)]}
    )
    datasette = make_datasette(fresh_db, **databases)
    pages = fetch_twice(datasette, ots_paths(fresh_db) + ODD_PATHS)
    failed = [(path, status) for (path, _), (status, _) in pages.items() if status != 200]
    expected = {
        "a labelled foreign key": 'href="/scratch/owners/1">Alice &lt;&amp;&gt; &#34;Q&#34;</a>',
        "an unlabelled foreign key": 'href="/scratch/kinds/a~2Fb">a/b</a>',
        "a blob": 'class="blob-download"',
        "a URL": '<a href="https://example.com/x.png">',
        "a cell of markup": "&lt;b&gt;bold&lt;/b&gt; &amp; &#39;quoted&#39;",
        "a compound key": 'href="/scratch/pairs/c~2Cd,2"',
    }
    page = pages[("/scratch/pets", 2)][1] + pages[("/scratch/pairs", 2)][1]
    missing = [what for what, text in expected.items() if text not in page]
    assert not failed and not missing, f"pages not answered 200: {failed}; pets and pairs pages without: {missing}"
