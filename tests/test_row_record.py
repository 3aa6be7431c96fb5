"""The row pages of the cited tables as a record, and the page of a person (tracker issue 21, items 3
and 4; datasette_site/: templates/row.html, ots_datasette/row_record.py).

A figure's page says in words whose figure it is, on which platform and date, and the figure as
printed beside the value read from it; every field is a label and its value, every foreign key a
link to a page that answers; the errata that name the row are linked; a figure with no agreed
reading carries a warning inside its citation. An actor's page lists each of their accounts with a
link to its figure's page, which has the citation. Pages are fetched from Datasette's own test
client as the one serving configuration builds it; every expected value is read from the CSVs in
data/ and from datapackage.yaml, never from the code under test."""

from __future__ import annotations

import datetime
import html
import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest
import yaml
from conftest import ROOT, datasette_fetcher, read_csv, show

from ots_data.schema import load_resources

CITED = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["plugins"]["ots"]["cited_tables"]
RESOURCES = {r.name: r for r in load_resources(ROOT / "datapackage.yaml")}
# The tables shown as a record: every cited table (the brief names these five at least).
RECORD_TABLES = ["follower_counts", "accounts", "actors", "errata", "survey_figures", "commitments", "events"]
ROWS = {name: read_csv(ROOT / RESOURCES[name].path) for name in ("follower_counts", "accounts", "actors", "errata")}
ROWS |= {name: read_csv(ROOT / RESOURCES[name].path) for name in ("absences", "office_checks", "survey_figures")}
ACCOUNTS = {r["account_id"]: r for r in ROWS["accounts"]}
ACTORS = {r["actor_id"]: r for r in ROWS["actors"]}
COUNTS = {r["count_id"]: r for r in ROWS["follower_counts"]}


def key_of(table: str) -> str:
    (column,) = RESOURCES[table].primary_key
    return column


def named_by_errata() -> dict[str, list[str]]:
    """ "table:key" -> the errata whose affects name that row (data/errata.csv)."""
    named = defaultdict(list)
    for erratum in ROWS["errata"]:
        for item in filter(None, (i.strip() for i in erratum["affects"].split(";"))):
            named[item].append(erratum["erratum_id"])
    return named


NAMED = named_by_errata()


class Page(HTMLParser):
    """What the tests read of a page: the h1's text, the text and links of each element with a
    class (by class), and the links of each field of the record (by field name)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, class) of each open element
        self.h1 = ""
        self.text: dict[str, str] = defaultdict(str)
        self.links: dict[str, list[str]] = defaultdict(list)
        self.feed(text)

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "a" and attrs.get("href"):
            for _, open_classes in self.stack:
                for name in open_classes.split():
                    self.links[name].append(attrs["href"])
            for name in classes:
                self.links[name].append(attrs["href"])
        if tag not in self.VOID:
            self.stack.append((tag, " ".join(classes)))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        for tag, classes in self.stack:
            if tag == "h1":
                self.h1 += data
            for name in classes.split():
                self.text[name] += data

    def plain(self, css_class: str) -> str:
        return " ".join(self.text.get(css_class, "").split())


@pytest.fixture(scope="module")
def get(fresh_db):
    return datasette_fetcher(fresh_db)


@pytest.fixture(scope="module")
def page(get):
    """Each page parsed once per module."""
    seen: dict[str, tuple[int, Page]] = {}

    def fetch(path: str) -> Page:
        if path not in seen:
            answer = get(path)
            seen[path] = (answer.status_code, Page(answer.text))
        status, parsed = seen[path]
        assert status == 200, f"{path}: status {status}"
        return parsed

    return fetch


@pytest.fixture(scope="module")
def status(get):
    """The status of each linked address, fetched once."""
    seen: dict[str, int] = {}

    def of(path: str) -> int:
        if path not in seen:
            seen[path] = get(path).status_code
        return seen[path]

    return of


def long_date(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day:%B} {day.day}, {day.year}"


def test_the_record_tables_are_cited_tables():
    assert set(RECORD_TABLES) <= set(CITED), f"not in metadata.yml's cited_tables: {set(RECORD_TABLES) - set(CITED)}"


# ---------------------------------------------------------------- the heading of every figure


def test_every_figure_s_heading_names_the_actor_platform_date_and_the_figure_as_printed_and_read(page):
    wrong = []
    for count in ROWS["follower_counts"]:
        account = ACCOUNTS[count["account_id"]]
        heading = " ".join(html.unescape(page(f"/ots/follower_counts/{count['count_id']}").h1).split())
        wanted = [
            ACTORS[account["actor_id"]]["name"],
            count["count_as_printed"],
            count["metric"],
            long_date(count["observed_on"]),
            # The value read beside the printed one; an empty count is said to have no reading.
            f"{int(count['count']):,}" if count["count"] else "no agreed reading",
        ]
        missing = [w for w in wanted if w not in heading]
        if account["platform"] not in heading.lower():
            missing.append(account["platform"])
        if missing:
            wrong.append((count["count_id"], heading, missing))
    assert len(ROWS["follower_counts"]) > 50 and not wrong, show(wrong)


def test_an_actor_s_heading_names_them_their_office_and_their_state(page):
    states = {r["state_code"]: r["name_en"] for r in read_csv(ROOT / "data/states.csv")}
    wrong = []
    for actor in ROWS["actors"]:
        heading = html.unescape(page(f"/ots/actors/{actor['actor_id']}").h1)
        wanted = [actor["name"], actor["role_category"].replace("_", " ")]
        wanted += [states[actor["state_code"]]] if actor["state_code"] else []
        if any(w not in heading for w in wanted):
            wrong.append((actor["actor_id"], heading, wanted))
    assert not wrong, show(wrong)


def test_an_account_s_and_a_survey_figure_s_headings_say_what_they_are(page):
    wrong = []
    for account in ROWS["accounts"]:
        heading = html.unescape(page(f"/ots/accounts/{account['account_id']}").h1)
        if account["handle"] not in heading or ACTORS[account["actor_id"]]["name"] not in heading:
            wrong.append((account["account_id"], heading))
    for figure in ROWS["survey_figures"]:
        heading = html.unescape(page(f"/ots/survey_figures/{figure['figure_id']}").h1)
        if figure["indicator"] not in heading or figure["value_as_printed"] not in heading:
            wrong.append((figure["figure_id"], heading))
    assert not wrong, show(wrong)


# ---------------------------------------------------------------- every field, every foreign key


@pytest.mark.parametrize("table", RECORD_TABLES)
def test_every_field_is_listed_with_its_value_as_in_the_csv(page, table):
    wrong = []
    rows = ROWS.get(table) or read_csv(ROOT / RESOURCES[table].path)
    for row in rows:
        shown = page(f"/ots/{table}/{row[key_of(table)]}")
        for name, value in row.items():
            text = shown.plain(f"ots-field-{name}")
            expected = " ".join(value.split()) if value else "empty"
            if ";" in value:  # a list (an erratum's rows, an event's actors): one item each, "; " between
                expected = " ".join(value.replace(";", " ; ").split())
                text = " ".join(text.replace(";", " ; ").split())
            if expected not in text:
                wrong.append((table, row[key_of(table)], name, expected[:60], text[:120]))
    assert not wrong, show(wrong)


@pytest.mark.parametrize("table", RECORD_TABLES)
def test_every_foreign_key_of_a_record_is_a_link_to_a_row_page_that_answers(page, status, table):
    """Every foreign key of the schema (datapackage.yaml), for every row of the table: the field's
    value links /ots/<table>/<key>, and that page answers 200."""
    keys = [fk for fk in RESOURCES[table].foreign_keys if len(fk["fields"]) == 1]
    rows = ROWS.get(table) or read_csv(ROOT / RESOURCES[table].path)
    wrong, checked = [], 0
    for row in rows:
        shown = page(f"/ots/{table}/{row[key_of(table)]}")
        for fk in keys:
            (column,), other = fk["fields"], fk["reference"]["resource"]
            if not row[column]:
                continue
            href = f"/ots/{other}/{row[column]}"
            checked += 1
            # The linked row's label beside its key, where the label is a name (actor) or a handle.
            label = {"actors": ACTORS, "accounts": ACCOUNTS}.get(other, {}).get(row[column], {})
            label = label.get("name") or label.get("handle") or ""
            if label not in shown.plain(f"ots-field-{column}"):
                wrong.append((table, row[key_of(table)], column, "no label", label))
            if href not in shown.links.get(f"ots-field-{column}", []):
                wrong.append((table, row[key_of(table)], column, "no link", shown.links.get(f"ots-field-{column}")))
            elif status(href) != 200:
                wrong.append((table, row[key_of(table)], column, href, status(href)))
    assert (checked or not keys) and not wrong, show(wrong)


def test_the_rows_an_erratum_names_are_links_that_answer(page, status):
    wrong = []
    for erratum in ROWS["errata"]:
        links = page(f"/ots/errata/{erratum['erratum_id']}").links.get("ots-field-affects", [])
        for item in filter(None, (i.strip() for i in erratum["affects"].split(";"))):
            table, key = item.split(":", 1)
            href = f"/ots/{table}/{key}"
            if href not in links or status(href) != 200:
                wrong.append((erratum["erratum_id"], href, href in links))
    assert not wrong, show(wrong)


def test_a_record_keeps_datasettes_json_link_for_the_row(page, status):
    for table in RECORD_TABLES:
        key = (ROWS.get(table) or read_csv(ROOT / RESOURCES[table].path))[0][key_of(table)]
        json_link = f"/ots/{table}/{key}.json"
        shown = page(f"/ots/{table}/{key}")
        assert json_link in shown.links.get("ots-record-fields", []), (table, key)
        assert status(json_link) == 200, json_link


# ---------------------------------------------------------------- errata and the warning


@pytest.mark.parametrize("table", ["follower_counts", "accounts", "survey_figures"])
def test_the_errata_naming_a_row_are_linked_on_its_page_and_no_others(page, table):
    """From data/errata.csv's affects: each erratum naming a row is linked in the row's list of
    errata, and the list holds no erratum that does not name it."""
    rows = ROWS.get(table) or read_csv(ROOT / RESOURCES[table].path)
    wrong, named = [], 0
    for row in rows:
        key = row[key_of(table)]
        expected = sorted(f"/ots/errata/{e}" for e in NAMED.get(f"{table}:{key}", []))
        named += bool(expected)
        shown = sorted(page(f"/ots/{table}/{key}").links.get("ots-erratum-link", []))
        if shown != expected:
            wrong.append((table, key, expected, shown))
    assert named and not wrong, show(wrong)


def test_an_actor_s_page_links_every_erratum_naming_them_or_their_accounts_figures_or_absences(page):
    accounts_of = defaultdict(set)
    for account in ROWS["accounts"]:
        accounts_of[account["actor_id"]].add(account["account_id"])
    wrong = []
    for actor in ROWS["actors"]:
        actor_id = actor["actor_id"]
        theirs = {f"actors:{actor_id}"} | {f"accounts:{a}" for a in accounts_of[actor_id]}
        theirs |= {
            f"follower_counts:{c['count_id']}"
            for c in ROWS["follower_counts"]
            if c["account_id"] in accounts_of[actor_id]
        }
        theirs |= {f"absences:{a['absence_id']}" for a in ROWS["absences"] if a["actor_id"] == actor_id}
        expected = sorted({f"/ots/errata/{e}" for row in theirs for e in NAMED.get(row, [])})
        shown = sorted(page(f"/ots/actors/{actor_id}").links.get("ots-erratum-link", []))
        if shown != expected:
            wrong.append((actor_id, expected, shown))
    assert not wrong, show(wrong)


def test_figures_with_no_agreed_reading_carry_a_warning_in_their_citation_naming_the_errata(page):
    """Ambiguous or unread (is_ambiguous true, or count empty in data/follower_counts.csv): the
    citation block says so and links each erratum that names the figure. Every other figure's
    citation has no warning."""
    doubtful = {c for c, r in COUNTS.items() if r["is_ambiguous"] == "true" or not r["count"]}
    wrong = []
    for count_id, row in COUNTS.items():
        shown = page(f"/ots/follower_counts/{count_id}")
        warning = shown.plain("ots-cite-warning")
        errata_linked = {h for h in shown.links.get("ots-cite-warning", []) if h.startswith("/ots/errata/")}
        expected = {f"/ots/errata/{e}" for e in NAMED.get(f"follower_counts:{count_id}", [])}
        in_citation = "ots-cite-warning" in shown.links or warning
        if count_id in doubtful:
            if not warning or row["count_as_printed"] not in warning or errata_linked != expected or not expected:
                wrong.append((count_id, "warning", warning, errata_linked, expected))
            if not shown.plain("ots-cite").startswith("Cite this figure Warning"):
                wrong.append((count_id, "the warning is not at the top of the citation block"))
        elif in_citation:
            wrong.append((count_id, "a warning on a figure with one reading", warning))
    assert doubtful and not wrong, show(wrong)


def test_a_figure_s_citation_block_gives_the_figure_and_its_date(page):
    wrong = []
    for count_id, row in COUNTS.items():
        figure = page(f"/ots/follower_counts/{count_id}").plain("ots-cite-figure")
        if row["count_as_printed"] not in figure or long_date(row["observed_on"]) not in figure:
            wrong.append((count_id, figure))
    assert not wrong, show(wrong)


def test_flags_are_explained_in_sentences(page):
    """Each flag of a figure (datapackage.yaml: follower_counts) in the record's list of flags."""
    wrong = []
    for count_id, row in COUNTS.items():
        flags = page(f"/ots/follower_counts/{count_id}").plain("ots-record-flags")
        expected = {
            "can be read more than one way": row["is_ambiguous"] == "true",
            "Column inferred": row["is_column_inferred"] == "true",
            "Account inferred": row["is_account_inferred"] == "true",
            "abbreviated display rounded": row["is_rounded"] == "true" and bool(row["count_precision"]),
            "no reading is agreed": row["is_ambiguous"] == "true" and not row["count"],
        }
        said = {words: words in flags for words in expected}
        if said != expected:
            wrong.append((count_id, {w: (expected[w], said[w]) for w in expected if expected[w] != said[w]}))
    assert not wrong, show(wrong)


# ---------------------------------------------------------------- the page of a person


def latest_figures(account_id: str) -> list[dict]:
    """The account's figures of its latest date, from data/follower_counts.csv."""
    figures = [c for c in ROWS["follower_counts"] if c["account_id"] == account_id]
    if not figures:
        return []
    latest = max(f["observed_on"] for f in figures)
    return [f for f in figures if f["observed_on"] == latest]


def test_every_actor_page_lists_each_account_with_its_latest_figure_linked_to_a_citable_page(page):
    wrong, linked = [], 0
    for actor in ROWS["actors"]:
        shown = page(f"/ots/actors/{actor['actor_id']}")
        account_links = shown.links.get("ots-account-link", [])
        figure_links = shown.links.get("ots-figure-link", [])
        text = shown.plain("ots-record-accounts")
        for account in (a for a in ROWS["accounts"] if a["actor_id"] == actor["actor_id"]):
            if f"/ots/accounts/{account['account_id']}" not in account_links or account["handle"] not in text:
                wrong.append((actor["actor_id"], account["account_id"], "account not listed"))
            for count in latest_figures(account["account_id"]):
                href = f"/ots/follower_counts/{count['count_id']}"
                if href not in figure_links or count["count_as_printed"] not in text:
                    wrong.append((actor["actor_id"], count["count_id"], "figure not linked"))
                    continue
                linked += 1
                target = page(href)  # answers 200, or fails
                if not target.plain("ots-cite").startswith("Cite this figure"):
                    wrong.append((actor["actor_id"], href, "no citation block"))
    assert linked and not wrong, show(wrong)


def test_an_actor_page_lists_no_account_of_anyone_else(page):
    wrong = []
    for actor in ROWS["actors"]:
        theirs = {f"/ots/accounts/{a['account_id']}" for a in ROWS["accounts"] if a["actor_id"] == actor["actor_id"]}
        shown = set(page(f"/ots/actors/{actor['actor_id']}").links.get("ots-account-link", []))
        if shown != theirs:
            wrong.append((actor["actor_id"], sorted(shown ^ theirs)))
    assert not wrong, show(wrong)


def test_an_actor_page_shows_the_office_check_and_its_erratum(page):
    checks = {r["actor_id"]: r for r in ROWS["office_checks"]}
    wrong = []
    for actor in ROWS["actors"]:
        shown = page(f"/ots/actors/{actor['actor_id']}")
        office = shown.plain("ots-record-office")
        check = checks.get(actor["actor_id"])
        if check is None:
            if "No office check" not in office:
                wrong.append((actor["actor_id"], "no check, not said"))
            continue
        wanted = [check["holds_printed_office"], check["check_status"], " ".join(check["note"].split())]
        missing = [w for w in wanted if w not in office]
        links = shown.links.get("ots-record-office", [])
        if f"/ots/office_checks/{actor['actor_id']}" not in links:
            missing.append("link to the office check")
        if check["erratum_id"] and f"/ots/errata/{check['erratum_id']}" not in links:
            missing.append(check["erratum_id"])
        if missing:
            wrong.append((actor["actor_id"], missing))
    assert checks and not wrong, show(wrong)


def test_an_actor_page_lists_where_the_article_prints_no_account(page):
    wrong = []
    for actor in ROWS["actors"]:
        links = page(f"/ots/actors/{actor['actor_id']}").links.get("ots-record-absences", [])
        expected = {f"/ots/absences/{a['absence_id']}" for a in ROWS["absences"] if a["actor_id"] == actor["actor_id"]}
        if set(links) != expected:
            wrong.append((actor["actor_id"], sorted(expected ^ set(links))))
    assert not wrong, show(wrong)


# ---------------------------------------------------------------- other tables stay Datasette's own


def other_table_pages() -> list[str]:
    """A row page of every table not cited that has a single-column key (the first row of its CSV)."""
    pages = []
    for name, resource in RESOURCES.items():
        if name in CITED or len(resource.primary_key) != 1:
            continue
        rows = read_csv(ROOT / resource.path)
        if rows:
            pages.append(f"/ots/{name}/{rows[0][resource.primary_key[0]]}")
    return pages


@pytest.mark.parametrize("path", other_table_pages())
def test_row_pages_of_tables_not_cited_have_no_record(get, path):
    answer = get(path)
    assert answer.status_code == 200
    found = re.findall(r'class="(ots-record[^"]*|ots-cite[^"]*)"', answer.text)
    assert not found and 'class="rows-and-columns"' in answer.text, f"{path}: {found}"


def test_an_actor_who_had_left_the_printed_office_is_flagged_at_the_top(page):
    """office_checks.holds_printed_office "no" (had left it, datapackage.yaml): said among the flags,
    above the citation, with the erratum that records it; never said of anyone else."""
    checks = {r["actor_id"]: r for r in ROWS["office_checks"]}
    wrong = []
    for actor in ROWS["actors"]:
        shown = page(f"/ots/actors/{actor['actor_id']}")
        check = checks.get(actor["actor_id"], {})
        left = check.get("holds_printed_office") == "no"
        said = "Not in the printed office" in shown.plain("ots-record-flags")
        linked = f"/ots/errata/{check.get('erratum_id')}" in shown.links.get("ots-record-flags", [])
        if said != left or (left and check["erratum_id"] and not linked):
            wrong.append((actor["actor_id"], left, said, linked))
    assert any(c["holds_printed_office"] == "no" for c in checks.values()) and not wrong, show(wrong)
