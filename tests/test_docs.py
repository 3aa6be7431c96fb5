"""The documentation site: built strictly, in three languages, offline-safe, with every figure,
row and field coming from the data (not typed by hand).

The site read here is built by the real docs step from a fresh database into a temporary folder
(conftest.docs_site), never the site/ an earlier `make docs` left: those tests are marked slow."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, read_csv, show

LANGS = {"en": "", "tr": "tr", "ru": "ru"}  # language -> folder of its pages in the site
HAND_WRITTEN = sorted(p for p in (ROOT / "docs").glob("*.md"))
DESCRIPTOR = yaml.safe_load((ROOT / "datapackage.yaml").read_text(encoding="utf-8"))


def page(site: Path, lang: str, name: str = "") -> str:
    path = site / LANGS[lang] / name / "index.html"
    assert path.exists(), f"{path.relative_to(site)} is missing from the built site"
    return path.read_text(encoding="utf-8")


def text_of(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", html_text))


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_every_language_home_declares_its_language(docs_site, lang):
    assert f'<html lang="{lang}"' in page(docs_site, lang)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_home_page_carries_schema_org_dataset_json_ld(docs_site, lang):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page(docs_site, lang), re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    # It describes the newest published release, the one a reader can download (the fields every
    # Dataset must carry are checked in tests/test_discovery.py).
    newest = json.loads((ROOT / "dist" / "releases.json").read_text(encoding="utf-8"))["releases"][-1]
    assert data["@type"] == "Dataset" and data["version"] == newest["version"]
    assert data["license"] == DESCRIPTOR["licenses"][0]["path"] and data["inLanguage"] == lang
    assert data["temporalCoverage"] == "2022-06-22" and data["creator"]["name"]
    # Every file of that release (its own datapackage.json, not the one being prepared, which may
    # have tables the release does not).
    released = json.loads((ROOT / "dist" / newest["version"] / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in released["resources"]} <= {d["name"] for d in data["distribution"]}


@pytest.mark.slow
def test_no_asset_is_loaded_from_another_host(docs_site):
    remote = []
    for file in docs_site.rglob("*.html"):
        for match in re.finditer(
            r'<(script|link|img|iframe)[^>]+(?:src|href)="(https?:)?//[^"]+"', file.read_text(encoding="utf-8")
        ):
            if match.group(1) != "link" or "stylesheet" in match.group(0) or "preconnect" in match.group(0):
                remote.append((str(file.relative_to(docs_site)), match.group(0)[:120]))
    css = [
        str(f.relative_to(docs_site))
        for f in docs_site.rglob("*.css")
        if re.search(r"@import\s+url\(https?:|fonts\.googleapis", f.read_text(encoding="utf-8"))
    ]
    assert not remote and not css, show(remote + css)


@pytest.mark.slow
def test_every_placeholder_was_filled(docs_site):
    left = [
        str(f.relative_to(docs_site))
        for f in docs_site.rglob("*.html")
        if re.search(r"\{\{\s*[a-z_]+\s*\}\}", text_of(f.read_text(encoding="utf-8")))
    ]
    assert not left, show(left)


# A number typed in a hand-written page must be one of: a year, part of a date, the article's
# bibliographic numbers, a value that exists in the data (a printed figure, a count, a reading, a
# precision), or one of the few literals below. Anything else is a figure typed by hand: use a
# {{ placeholder }}. Code spans and URLs are left out (column names, commands, paths).
LITERALS = {"106", "1-33", "01-33", "1-3", "4.0", "1", "2", "3", "4", "5", "6", "7", "8", "0"}
# The reading policy for garbled figures names the tables' printing thresholds (methodology): rules,
# not figures from the data.
LITERALS |= {f"{n:,}".replace(",", sep) for n in (1000, 10000) for sep in (",", ".", " ")}
MONTHS = (
    "(January|February|March|April|May|June|July|August|September|October|November|December"
    "|Ocak|Şubat|Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos|Eylül|Ekim|Kasım|Aralık"
    "|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
)


def data_numbers() -> set[str]:
    numbers = set()
    for row in read_csv(ROOT / "data/follower_counts.csv"):
        printed = re.findall(r"\d[\d.,]*\d|\d", row["count_as_printed"])
        numbers.update(printed + [p.replace(".", ",") for p in printed])  # 1.2M is written 1,2 in Turkish and Russian
        for value in [row["count"], row["count_precision"], *row["readings"].split(" | ")]:
            if value:
                number = int(value)
                thousands = f"{number / 1000:.3f}".rstrip("0").rstrip(".")  # a reading in K: 14200 -> 14.2
                numbers.update(
                    {value, f"{number:,}", f"{number:,}".replace(",", " "), f"{number:,}".replace(",", "."), thousands}
                )
    for row in read_csv(ROOT / "data/survey_figures.csv"):
        numbers.update(re.findall(r"\d[\d.,]*\d|\d", row["value_as_printed"]))
    return numbers


@pytest.mark.parametrize("source", HAND_WRITTEN, ids=[p.name for p in HAND_WRITTEN])
def test_hand_written_pages_type_no_figures(source):
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # code blocks
    text = re.sub(r"`[^`]*`", "", text)  # inline code: printed forms, columns
    text = re.sub(r"\{\{[^}]*\}\}", "", text)  # placeholders
    text = re.sub(r"\(?(https?://|/)[^\s)]*\)?", "", text)  # links and paths
    text = re.sub(r"<[^>]+>", "", text)  # raw HTML tags
    text = re.sub(rf"\d{{1,2}} {MONTHS} \d{{4}}|{MONTHS} \d{{1,2}}(-\d{{1,2}})?, \d{{4}}", "", text)  # dates
    text = re.sub(r"\b\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", "", text)  # ISO dates and times
    text = re.sub(r"\b(1[89]\d{2}|20\d{2})\b", "", text)  # years
    text = re.sub(r"\b\d+\.\d+\.\d+\b", "", text)  # release versions (0.2.0)
    known = data_numbers() | LITERALS
    typed = [
        n
        for n in (m.rstrip(".,") for m in re.findall(r"\d[\d,.\-]*(?:[ \u00a0]\d{3}\b)*%?", text))
        if n and n not in known
    ]
    assert not typed, f"{source.name}: numbers typed by hand (use a {{{{ placeholder }}}}): {typed}"


@pytest.mark.slow
def test_home_page_figures_match_the_csv_files(docs_site):
    home = text_of(page(docs_site, "en"))
    expected = {
        "accounts": len(read_csv(ROOT / "data/accounts.csv")),
        "errata": len(read_csv(ROOT / "data/errata.csv")),
        "commitments": len(read_csv(ROOT / "data/commitments.csv")),
    }
    missing = [(k, v) for k, v in expected.items() if f"{v:,}" not in home]
    assert not missing, show(missing)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_data_dictionary_lists_every_table_and_field_of_the_schema(docs_site, lang):
    """Every field with its description: the schema's in English, docs/i18n/schema.yml's in Turkish and Russian."""
    text = text_of(page(docs_site, lang, "data-dictionary"))
    translated = yaml.safe_load((ROOT / "docs/i18n/schema.yml").read_text(encoding="utf-8"))

    def description(resource: dict, field: dict) -> str:
        return field["description"] if lang == "en" else translated[f"{resource['name']}.{field['name']}"][lang]

    missing = [
        (r["name"], f["name"])
        for r in DESCRIPTOR["resources"]
        for f in r["schema"]["fields"]
        if f["name"] not in text or " ".join(description(r, f).split())[:80] not in " ".join(text.split())
    ]
    assert not missing, show(missing)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "name,table,key",
    [
        ("errata", "errata", "erratum_id"),
        ("vision-2040", "commitments", "commitment_id"),
        ("survey-figures", "survey_figures", "figure_id"),
    ],
)
def test_generated_pages_list_every_row_with_a_link_to_datasette(docs_site, lang, name, table, key):
    text = page(docs_site, lang, name)
    missing = [r[key] for r in read_csv(ROOT / f"data/{table}.csv") if f'href="/ots/{table}/{r[key]}"' not in text]
    assert not missing, show(missing)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_charts_have_text_alternatives_and_data_links(docs_site, lang):
    text = page(docs_site, lang, "charts")
    figures = re.findall(r'<figure class="chart">(.*?)</figure>', text, re.S)
    assert len(figures) == 4
    for figure in figures:
        assert re.search(r'alt="[^"]{40,}"', figure) and re.search(r'href="/ots\.csv\?sql=', figure)


@pytest.mark.slow
def test_audience_chart_alt_text_counts_the_readable_figures(docs_site):
    readable = sum(1 for r in read_csv(ROOT / "data/follower_counts.csv") if r["count"])
    assert f"of the {readable} printed figures that could be read" in page(docs_site, "en", "charts")


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_chart_svgs_carry_title_and_description(docs_site, lang):
    """In every language (a language's drawings are served under its folder, tr/assets/charts/)."""
    charts = sorted((docs_site / LANGS[lang] / "assets" / "charts").glob("*.svg"))
    bad = [
        c.name for c in charts if not re.search(r"<svg[^>]*role=\"img\"[^>]*>\s*<title", c.read_text(encoding="utf-8"))
    ]
    assert len(charts) == 4 and not bad, show(bad)


def test_translations_cover_every_commitment_and_erratum():
    commitments = yaml.safe_load((ROOT / "docs/i18n/commitments.yml").read_text(encoding="utf-8"))
    errata = yaml.safe_load((ROOT / "docs/i18n/errata.yml").read_text(encoding="utf-8"))
    missing = [
        ("commitments", r["commitment_id"], lang)
        for r in read_csv(ROOT / "data/commitments.csv")
        for lang in ("tr", "ru")
        if not (commitments.get(r["commitment_id"]) or {}).get(lang)
    ]
    missing += [
        ("errata", r["erratum_id"], lang)
        for r in read_csv(ROOT / "data/errata.csv")
        for lang in ("en", "tr", "ru")
        if not (errata.get(r["erratum_id"]) or {}).get(lang)
    ]
    missing += [
        ("errata", r["erratum_id"], "title", lang)
        for r in read_csv(ROOT / "data/errata.csv")
        for lang in ("en", "tr", "ru")
        if not isinstance(((errata.get(r["erratum_id"]) or {}).get("title") or {}).get(lang), str)
    ]
    assert not missing, show(missing)


# What a title may be: a heading of the contents sidebar, so short; it quotes no one (the summary
# under it does, with the translation in brackets).
TITLE_MAX = 70
QUOTATION_MARKS = re.compile(r'["“”„«»]')


def test_every_erratum_has_a_short_distinct_title_in_the_glossary_s_terms():
    """docs/i18n/errata.yml gives each erratum of data/errata.csv a title in English, Turkish and
    Russian (its heading on the errata page): at most 70 characters, without quotation marks, no
    two errata with the same title in a language, and no rendering of a term the glossary forbids
    (the Latin "errata" in Turkish or Russian, for one)."""
    errata = yaml.safe_load((ROOT / "docs/i18n/errata.yml").read_text(encoding="utf-8"))
    terms = yaml.safe_load((ROOT / "docs/i18n/glossary.yml").read_text(encoding="utf-8"))["terms"]
    wrong, seen = [], {}
    for row in read_csv(ROOT / "data/errata.csv"):
        for lang, title in ((errata.get(row["erratum_id"]) or {}).get("title") or {}).items():
            if len(title) > TITLE_MAX:
                wrong.append((row["erratum_id"], lang, f"{len(title)} characters", title))
            if QUOTATION_MARKS.search(title):
                wrong.append((row["erratum_id"], lang, "quotation marks", title))
            if (lang, title) in seen:
                wrong.append((row["erratum_id"], lang, f"the title of {seen[lang, title]} too", title))
            seen[lang, title] = row["erratum_id"]
            wrong += [
                (row["erratum_id"], lang, f"glossary: not {match.group(0)!r} ({name})", title)
                for name, term in terms.items()
                for pattern in (term.get("forbidden") or {}).get(lang, [])
                for match in re.finditer(pattern, title, re.I)
            ]
    assert not wrong, show(wrong)


def test_the_docs_step_stops_on_an_erratum_without_a_title(fresh_db, tmp_path):
    """An erratum of data/errata.csv with no title in a language (or none at all) stops the docs
    step with a DocsError naming docs/i18n/errata.yml, the language and the erratum, as a missing
    summary does."""
    import sqlite3

    from ots_data import docs

    erratum = read_csv(ROOT / "data/errata.csv")[-1]["erratum_id"]
    db = sqlite3.connect(f"file:{fresh_db}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        for lang in LANGS:
            for remove in ("language", "title"):
                texts = yaml.safe_load((ROOT / "docs/i18n/errata.yml").read_text(encoding="utf-8"))
                if remove == "language":
                    del texts[erratum]["title"][lang]
                else:
                    del texts[erratum]["title"]
                site = docs.Site(db, tmp_path, {}, {"errata": texts})
                with pytest.raises(docs.DocsError) as error:
                    site.errata(lang)
                message = str(error.value)
                assert "docs/i18n/errata.yml" in message and repr(lang) in message, message
                assert erratum in message and "title" in message, message
    finally:
        db.close()


@pytest.mark.slow  # the docs step draws every chart: about 3 seconds
def test_data_text_is_escaped_not_interpreted(fresh_db, tmp_path):
    """A name or note holding markup appears as text on the generated pages."""
    import sqlite3

    from ots_data import docs

    db_path = tmp_path / "ots.db"
    db_path.write_bytes(fresh_db.read_bytes())
    conn = sqlite3.connect(db_path)
    conn.execute("update errata set record = '<script>alert(1)</script><img src=x onerror=alert(2)>' where rowid = 1")
    conn.commit()
    conn.close()
    out = tmp_path / "docs"
    docs.generate(db_path, out)
    errata = (out / "errata.md").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in errata and "&lt;script&gt;alert(1)&lt;/script&gt;" in errata
    assert "<img src=x" not in errata


@pytest.mark.server
@pytest.mark.slow
def test_link_checker_finds_no_broken_link(live_server):
    """LinkChecker crawls the served docs in every language, and every link into Datasette."""
    result = subprocess.run(
        [
            str(ROOT / ".venv/bin/linkchecker"),
            "--no-status",
            "--no-warnings",
            "--recursion-level=3",
            "--threads=4",
            "--ignore-url=^https?://(?!127\\.0\\.0\\.1)",
            "--ignore-url=/ots\\.db$",
            "--ignore-url=/-/",
            "--no-follow-url=/ots",  # check links into Datasette, do not crawl Datasette itself
            f"{live_server}/docs/",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_the_readme_types_no_version_and_no_row_count():
    """The README is not generated: a version or a count typed into it goes stale with the next
    release (0.2.0 still said "Version 0.1.0 holds ... 32 errata")."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    tables = "actors|accounts|follower|counts|errata|events|commitments|survey figures|absences|states|rows"
    stale = re.findall(rf"\bVersion \d+\.\d+\.\d+|\b\d[\d,]* (?:{tables})\b", text)
    assert not stale, stale


# ----------------------------------------------------------------------------- the errata page
# Expected values come from the CSV files and docs/i18n, never from ots_data.docs.

HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
PASSAGE = re.compile(r'<li class="stance-[^"]*" data-evidence-id="([^"]+)">(.*?)</li>', re.S)


def i18n(name: str) -> dict:
    return yaml.safe_load((ROOT / "docs/i18n" / name).read_text(encoding="utf-8"))


def heading_text(inner_html: str) -> str:
    """A heading's words, without its permalink."""
    return " ".join(text_of(re.sub(r'<a class="headerlink".*?</a>', "", inner_html)).split())


def errata_sections(page_html: str) -> list[tuple[int, str, str, str]]:
    """(level, id, heading text, the HTML up to the next heading) for every h2 and h3 of a page."""
    found = list(HEADING.finditer(page_html))
    return [
        (int(m.group(1)), m.group(2), heading_text(m.group(3)), page_html[m.end() : nxt.start() if nxt else None])
        for m, nxt in zip(found, [*found[1:], None], strict=True)
    ]


def erratum_section(page_html: str, erratum_id: str) -> str:
    (section,) = [s for level, i, _, s in errata_sections(page_html) if level == 3 and i == erratum_id]
    return section


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_errata_page_has_a_heading_per_topic_and_an_anchored_heading_per_erratum(docs_site, lang):
    """One h2 per topic the errata have, headed in the page's language (strings.yml) and anchored
    at the topic; under it one h3 per erratum of that topic, its short title (errata.yml, at most
    70 characters), anchored at its erratum_id with a permalink: the table of contents and the
    search land on it. The first paragraph under the heading is the erratum's summary."""
    text = page(docs_site, lang, "errata")
    sections = errata_sections(text)
    strings, summaries = i18n("strings.yml"), i18n("errata.yml")
    errata = read_csv(ROOT / "data/errata.csv")
    topics = [(i, heading) for level, i, heading, _ in sections if level == 2]
    expected_topics = {r["topic"]: strings[f"errata_topic_{r['topic']}"][lang] for r in errata}
    assert sorted(topics) == sorted(expected_topics.items()), show(topics)
    wrong = []
    for row in errata:
        places = [n for n, (level, i, _, _) in enumerate(sections) if level == 3 and i == row["erratum_id"]]
        if len(places) != 1:
            wrong.append((row["erratum_id"], f"{len(places)} headings with its anchor"))
            continue
        _, _, heading, section = sections[places[0]]
        under = [i for level, i, _, _ in sections[: places[0]] if level == 2]
        if not under or under[-1] != row["topic"]:
            wrong.append((row["erratum_id"], f"under {under[-1:]!r}, its topic is {row['topic']!r}"))
        if heading != " ".join(summaries[row["erratum_id"]]["title"][lang].split()):
            wrong.append((row["erratum_id"], f"heading {heading[:80]!r} is not its title"))
        if len(heading) > TITLE_MAX:
            wrong.append((row["erratum_id"], f"heading of {len(heading)} characters: {heading!r}"))
        first = re.search(r"<p\b[^>]*>(.*?)</p>", section, re.S)
        summary = " ".join(summaries[row["erratum_id"]][lang].split())
        if not first or " ".join(text_of(first.group(1)).split()) != summary:
            wrong.append((row["erratum_id"], f"first paragraph {first and first.group(1)[:80]!r} is not its summary"))
        if f'<a class="headerlink" href="#{row["erratum_id"]}"' not in text:
            wrong.append((row["erratum_id"], "no permalink"))
    assert not wrong, show(wrong)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_errata_page_links_the_address_of_every_passage_under_its_erratum(docs_site, lang):
    """Every url and archived_url of a passage linked to an erratum is an href in that erratum's
    section, and the passage is quoted there."""
    text = page(docs_site, lang, "errata")
    evidence = {r["evidence_id"]: r for r in read_csv(ROOT / "data/evidence.csv")}
    missing = []
    for link in read_csv(ROOT / "data/erratum_evidence.csv"):
        section = erratum_section(text, link["erratum_id"])
        hrefs = {html.unescape(h) for h in re.findall(r'href="([^"]*)"', section)}
        passage = evidence[link["evidence_id"]]
        for column in ("url", "archived_url"):
            if passage[column] and passage[column] not in hrefs:
                missing.append((link["erratum_id"], link["evidence_id"], column, passage[column]))
        if " ".join(passage["passage"].split()) not in " ".join(text_of(section).split()):
            missing.append((link["erratum_id"], link["evidence_id"], "passage"))
    assert not missing, show(missing)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_errata_page_labels_every_passage_with_its_stance(docs_site, lang):
    """Each passage under an erratum starts with its stance in the page's language (the glossary's
    rendering): a contradicting passage says Contradicts (Çelişiyor, Противоречит)."""
    text = page(docs_site, lang, "errata")
    terms = i18n("glossary.yml")["terms"]
    wrong = []
    for link in read_csv(ROOT / "data/erratum_evidence.csv"):
        passages = dict(PASSAGE.findall(erratum_section(text, link["erratum_id"])))
        label = terms[f"stance_{link['stance']}"][lang]
        if not text_of(passages.get(link["evidence_id"], "")).strip().startswith(f"{label}:"):
            wrong.append((link["erratum_id"], link["evidence_id"], link["stance"], label))
    assert not wrong, show(wrong)


@pytest.mark.slow  # the docs step draws every chart: about 3 seconds
def test_errata_page_shows_a_contradicting_passage_as_such_and_escapes_sources(fresh_db, tmp_path):
    """With passages linked to an erratum (a contradicting one among them), each language's page
    labels each with its stance, quotes it with its English, links its addresses, and shows a
    source's markup and any address that is not http(s) as text."""
    import sqlite3

    from ots_data import docs

    erratum = read_csv(ROOT / "data/errata.csv")[0]["erratum_id"]
    passages = [
        # evidence_id, url, title, language, passage, passage_en, archived_url, stance
        (
            "sample-against",
            "https://example.org/news/1?a=1&b=2",
            "A <b>title</b>",
            "ru",
            "Фрагмент <script>alert(1)</script> *не* {{ n_errata }}",
            "A passage",
            "https://web.archive.org/web/2022/https://example.org/news/1",
            "contradicts",
        ),
        ("sample-for", "https://example.org/news/2", "Title", "en", "It says so.", None, None, "supports"),
        ("sample-bad-url", "javascript:alert(1)//x", "Title", "en", "Context.", None, None, "context"),
    ]
    db_path = tmp_path / "ots.db"
    db_path.write_bytes(fresh_db.read_bytes())
    conn = sqlite3.connect(db_path)
    for evidence_id, url, title, language, passage, passage_en, archived_url, stance in passages:
        conn.execute(
            "insert into evidence (evidence_id, url, title, publisher, published_on, language, passage, passage_en,"
            " archived_url, read_on) values (?, ?, ?, 'Publisher', '2022-04-22', ?, ?, ?, ?, '2025-11-03')",
            (evidence_id, url, title, language, passage, passage_en, archived_url),
        )
        conn.execute(
            "insert into erratum_evidence (erratum_id, evidence_id, stance, note) values (?, ?, ?, 'Sample.')",
            (erratum, evidence_id, stance),
        )
    conn.commit()
    conn.close()
    out = tmp_path / "docs"
    docs.generate(db_path, out)
    terms = i18n("glossary.yml")["terms"]
    for lang in LANGS:
        markdown = (out / f"errata{'' if lang == 'en' else '.' + lang}.md").read_text(encoding="utf-8")
        section = re.split(r"\n#{2,3} ", markdown.split(f"{{#{erratum}}}", 1)[1], maxsplit=1)[0]
        shown = dict(PASSAGE.findall(section))
        assert set(shown) == {p[0] for p in passages}, (lang, sorted(shown))
        for evidence_id, *_, stance in passages:
            assert shown[evidence_id].startswith(f"<strong>{terms[f'stance_{stance}'][lang]}:</strong>"), (lang, stance)
        against = shown["sample-against"]
        assert 'href="https://example.org/news/1?a=1&amp;b=2"' in against
        assert 'href="https://web.archive.org/web/2022/https://example.org/news/1"' in against
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in against and "<script>" not in section
        assert "&lt;b&gt;title&lt;/b&gt;" in against and "A passage" in against
        assert "{{ n_errata }}" in html.unescape(against)  # a source's words are never taken for a placeholder
        assert 'href="javascript' not in section and "javascript:alert(1)//x" in shown["sample-bad-url"]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "tr", "ru"])
def test_the_changes_page_shows_every_change_of_every_release_that_lists_them(docs_site, lang):
    """One section per release with a changes.csv, anchored by its version, with one table row per
    row of that file (read from dist/, not from the docs code) and a link to the file."""
    releases = json.loads((ROOT / "dist" / "releases.json").read_text(encoding="utf-8"))["releases"]
    folder = docs_site / ("" if lang == "en" else lang) / "changes"
    html_page = (folder / "index.html").read_text(encoding="utf-8")
    listed = [r for r in releases if (ROOT / "dist" / r["version"] / "changes.csv").exists()]
    assert listed
    for release in listed:
        anchor = "changes-" + release["version"].replace(".", "-")
        start = html_page.index(f'id="{anchor}"')
        following = [html_page.find(f'id="changes-{r["version"].replace(".", "-")}"') for r in listed]
        end = min([i for i in following if i > start] or [len(html_page)])
        section = html_page[start:end]
        rows = read_csv(ROOT / "dist" / release["version"] / "changes.csv")
        assert f'href="{release["path"]}changes.csv"' in section
        details = section[section.index("<details") :]
        assert details.count("<tr><td>") == len(rows), (release["version"], details.count("<tr><td>"), len(rows))
