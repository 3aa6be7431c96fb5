"""Step 4: build the documentation site (site/) from docs/ and the database.

  docs/*.md (hand-written, with {{ placeholders }})  ─┐
  build/ots.db (every number, table and chart)        ├─> build/docs/ ──mkdocs──> site/
  datapackage.yaml (the data dictionary)              ─┘

No figure is typed by hand: hand-written pages say {{ n_accounts }} and this step fills in the
value from the database. Pages that list data (errata, Vision 2040, survey figures, data
dictionary, charts) are generated here in English, Turkish and Russian, with the UI strings and
translations in docs/i18n/. Text from the data is HTML-escaped, never interpreted. The site is
built into a temporary folder and swapped in only when MkDocs succeeded.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import yaml

from ots_data import charts
from ots_data.project import ROOT
from ots_data.release import changelog_entry
from ots_data.schema import load_descriptor, load_resources

LANGUAGES = ("en", "tr", "ru")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8001")
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

# Every placeholder a hand-written page may use, with the SQL that gives its value.
STATS = {
    "as_of": "select max(updated_on) from article_tables",
    "n_actors": "select count(*) from actors",
    "n_accounts": "select count(*) from accounts",
    "n_counts": "select count(*) from follower_counts",
    "n_counts_with_value": "select count(*) from follower_counts where count is not null",
    "n_ambiguous": "select count(*) from follower_counts where is_ambiguous",
    "n_unresolved": "select count(*) from follower_counts where parse_rule = 'unresolved'",
    "n_absences": "select count(*) from absences",
    "n_commitments": "select count(*) from commitments",
    "n_vision_commitments": "select count(*) from commitments where attribution != 'author_recommendation'",
    "n_recommendations": "select count(*) from commitments where attribution = 'author_recommendation'",
    "n_survey_figures": "select count(*) from survey_figures",
    "n_events": "select count(*) from events",
    "n_errata": "select count(*) from errata",
    "n_errata_confirmed": "select count(*) from errata where status = 'confirmed'",
    "n_states": "select count(*) from states",
    "n_members": "select count(*) from states where ots_status = 'member'",
    "n_observers": "select count(*) from states where ots_status = 'observer'",
    "largest_count_as_printed": "select count_as_printed from follower_counts order by count desc limit 1",
    "largest_count_handle": "select a.handle_as_printed from follower_counts c join accounts a using (account_id) order by c.count desc limit 1",
    "largest_count_actor": "select ac.name from follower_counts c join accounts a using (account_id) join actors ac on ac.actor_id = a.actor_id order by c.count desc limit 1",
}


class DocsError(RuntimeError):
    pass


def stats(db: sqlite3.Connection, version: str) -> dict[str, str]:
    release_date, _ = changelog_entry(version)
    values = {"version": version, "release_year": release_date[:4]}
    for name, sql in STATS.items():
        value = db.execute(sql).fetchone()[0]
        values[name] = f"{value:,}" if isinstance(value, int) else str(value)
    return values


def fill_placeholders(text: str, values: dict[str, str], where: str) -> str:
    def replace(match):
        name = match.group(1)
        if name not in values:
            raise DocsError(f"{where}: unknown placeholder {{{{ {name} }}}}; known: {', '.join(sorted(values))}")
        return values[name]

    return PLACEHOLDER.sub(replace, text)


def esc(value) -> str:
    return "" if value is None else html.escape(str(value))


def row_link(table: str, key: str, label: str) -> str:
    return f'<a href="/ots/{table}/{quote(key, safe="")}">{esc(label)}</a>'


def suffix(lang: str) -> str:
    return "" if lang == "en" else f".{lang}"


class Site:
    def __init__(self, db: sqlite3.Connection, out: Path, strings: dict, translations: dict):
        self.db, self.out, self.strings, self.translations = db, out, strings, translations

    def t(self, key: str, lang: str) -> str:
        try:
            return self.strings[key][lang]
        except KeyError as error:
            raise DocsError(f"docs/i18n/strings.yml: no {lang!r} text for {key!r}") from error

    def write(self, name: str, lang: str, text: str) -> None:
        (self.out / f"{name}{suffix(lang)}.md").write_text(text, encoding="utf-8")

    def rows(self, sql: str) -> list[sqlite3.Row]:
        return self.db.execute(sql).fetchall()

    # ------------------------------------------------------------------ generated pages

    def data_dictionary(self, lang: str) -> None:
        t = lambda key: self.t(key, lang)  # noqa: E731
        parts = [f"# {t('dictionary_title')}\n", t("dictionary_intro") + "\n"]
        for resource in load_resources(ROOT / "datapackage.yaml"):
            parts.append(f"## `{resource.name}` {{#{resource.name}}}\n")
            parts.append(f"{esc(resource.description)}\n")
            parts.append(
                f'<p><a href="/ots/{resource.name}">/ots/{resource.name}</a> · '
                f"{t('col_field')}: {len(resource.fields)} · primary key: <code>{esc(', '.join(resource.primary_key))}</code></p>\n"
            )
            head = "".join(
                f"<th>{esc(t(k))}</th>"
                for k in ("col_field", "col_type", "col_required", "col_allowed", "col_description")
            )
            body = []
            for field in resource.fields:
                allowed = []
                if field.enum:
                    allowed.append(", ".join(f"<code>{esc(v)}</code>" for v in field.enum))
                for key in ("minimum", "maximum", "pattern"):
                    if key in field.constraints:
                        allowed.append(f"{key}: <code>{esc(field.constraints[key])}</code>")
                if field.unit:
                    allowed.append(f"unit: {esc(field.unit)}")
                required = t("yes") if field.required or field.name in resource.primary_key else t("no")
                body.append(
                    f"<tr><td><code>{esc(field.name)}</code></td><td>{esc(field.type)}</td><td>{required}</td>"
                    f"<td>{'<br>'.join(allowed)}</td><td>{esc(field.description)}</td></tr>"
                )
            parts.append(
                f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>\n"
            )
        self.write("data-dictionary", lang, "\n".join(parts))

    def errata(self, lang: str) -> None:
        t = lambda key: self.t(key, lang)  # noqa: E731
        summaries = self.translations["errata"]
        parts = [f"# {t('errata_title')}\n", t("errata_intro") + "\n"]
        for row in self.rows("select * from errata order by category, erratum_id"):
            summary = summaries.get(row["erratum_id"], {}).get(lang)
            if not summary:
                raise DocsError(f"docs/i18n/errata.yml: no {lang!r} summary for {row['erratum_id']}")
            status = t("errata_confirmed") if row["status"] == "confirmed" else t("errata_unverified")
            parts.append(
                f'<div class="erratum" id="{esc(row["erratum_id"])}">\n'
                f"<h3>{esc(summary)}</h3>\n<dl>\n"
                f"<dt>{esc(t('errata_printed'))}</dt><dd>{esc(row['printed'])}</dd>\n"
                f"<dt>{esc(t('errata_where'))}</dt><dd>{esc(row['source_locator'])}</dd>\n"
                f"<dt>{esc(t('errata_record'))}</dt><dd>{esc(row['record'])}</dd>\n"
                f"<dt>{esc(t('errata_evidence'))}</dt><dd>{esc(row['evidence'])}</dd>\n"
                f"<dt>{esc(t('errata_status'))}</dt><dd>{esc(status)}</dd>\n"
                f"</dl>\n<p>{row_link('errata', row['erratum_id'], t('view_in_datasette'))}</p>\n</div>\n"
            )
        self.write("errata", lang, "\n".join(parts))

    def vision(self, lang: str) -> None:
        t = lambda key: self.t(key, lang)  # noqa: E731
        statements = self.translations["commitments"]
        parts = [f"# {t('vision_title')}\n", t("vision_intro") + "\n"]
        domains = [r[0] for r in self.rows("select distinct domain from commitments order by domain")]
        for domain in domains:
            parts.append(f"## {esc(t('vision_domain_' + domain))}\n")
            parts.append("<table>\n<tbody>")
            for row in self.rows(
                f"select * from commitments where domain = '{domain}' order by attribution = 'author_recommendation', commitment_id"
            ):
                statement = row["statement"] if lang == "en" else statements.get(row["commitment_id"], {}).get(lang)
                if not statement:
                    raise DocsError(f"docs/i18n/commitments.yml: no {lang!r} statement for {row['commitment_id']}")
                parts.append(
                    f"<tr><td><strong>{esc(statement)}</strong><br>"
                    f"{esc(t('vision_quote'))}: “{esc(row['quote'])}”<br>"
                    f"<small>{esc(t('vision_attribution_' + row['attribution']))} · {esc(row['source_locator'])} · "
                    f"{row_link('commitments', row['commitment_id'], t('view_in_datasette'))}</small></td></tr>"
                )
            parts.append("</tbody>\n</table>\n")
        self.write("vision-2040", lang, "\n".join(parts))

    def survey(self, lang: str) -> None:
        t = lambda key: self.t(key, lang)  # noqa: E731
        parts = [f"# {t('survey_title')}\n", t("survey_intro") + "\n"]
        head = "".join(
            f"<th>{esc(t(k))}</th>" for k in ("survey_value", "survey_population", "survey_source", "survey_note")
        )
        body = []
        for row in self.rows("select * from survey_figures order by country_code is null, country_code, figure_id"):
            body.append(
                f"<tr><td><strong>{esc(row['value_as_printed'])}</strong><br><small>{esc(row['indicator'])}</small></td>"
                f"<td>{esc(row['population'])}<br><small>{esc(row['geography_as_printed'] or '')} {esc(row['reference_period_as_printed'] or '')}</small></td>"
                f"<td><code>{esc(row['cited_source_id'] or '')}</code><br><small>{esc(row['source_locator'])}</small></td>"
                f"<td><small>{esc(row['note'] or '')}</small><br>{row_link('survey_figures', row['figure_id'], t('view_in_datasette'))}</td></tr>"
            )
        parts.append(f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>\n")
        self.write("survey-figures", lang, "\n".join(parts))

    def charts_page(self, lang: str, made: list[charts.Chart]) -> None:
        t = lambda key: self.t(key, lang)  # noqa: E731
        parts = [f"# {t('charts_title')}\n", t("charts_intro") + "\n"]
        for chart in made:
            parts.append(f"## {esc(t(f'chart_{chart.name}_title'))}\n")
            parts.append(
                # Raw HTML is not rewritten per language: /docs/tr/charts/ is one level deeper.
                f'<figure class="chart">\n<img src="{"../" if lang == "en" else "../../"}assets/charts/{chart.name}.svg" alt="{esc(chart.alt)}" '
                f'width="{chart.width}" height="{chart.height}">\n'
                f"<figcaption>{esc(t(f'chart_{chart.name}_caption'))} "
                f'<a href="{esc(chart.data_url)}">{esc(t("chart_data_link"))}</a></figcaption>\n</figure>\n'
            )
        self.write("charts", lang, "\n".join(parts))


def citations(release: dict, descriptor: dict) -> dict[str, str]:
    """How to cite one release, in APA, BibTeX and CFF form."""
    version, date = release["version"], release["date"]
    year = date[:4]
    url = f"{SITE_URL}{release['path']}"
    creator = descriptor["contributors"][0]["title"]
    key = "ots_digital_diplomacy_data_" + version.replace(".", "_")
    return {
        "APA": f"{creator}. ({year}). *{descriptor['title']}* (Version {version}) [Data set]. {url}",
        "BibTeX": (
            f"@misc{{{key},\n  title = {{{descriptor['title']}}},\n  author = {{{{{creator}}}}},\n  year = {{{year}}},\n"
            f"  version = {{{version}}},\n  howpublished = {{Data set}},\n  url = {{{url}}}\n}}"
        ),
        "CFF": (
            f'cff-version: 1.2.0\ntype: dataset\ntitle: "{descriptor["title"]}"\nauthors:\n  - name: "{creator}"\n'
            f'version: "{version}"\ndate-released: "{date}"\nurl: "{url}"\nlicense: CC-BY-4.0'
        ),
    }


def downloads_page(out: Path, descriptor: dict, dist: Path) -> None:
    index = dist / "releases.json"
    releases = json.loads(index.read_text(encoding="utf-8"))["releases"] if index.exists() else []
    parts = [
        "# Downloads\n",
        "Every published version of the dataset, as files that never change once published. Each folder holds "
        "every table as CSV, the `datapackage.json` that describes them, the SQLite database, one zip of "
        "everything and `SHA256SUMS`. Check a download with `sha256sum -c SHA256SUMS` in its folder; validate it "
        "with `frictionless validate datapackage.json`. Always cite the version you used, and the article.\n",
    ]
    if not releases:
        parts.append("No version has been published yet.\n")
    for release in reversed(releases):
        parts.append(f"## Version {esc(release['version'])} ({esc(release['date'])})\n")
        rows = "\n".join(
            f'<tr><td><a href="{esc(release["path"] + f["name"])}">{esc(f["name"])}</a></td>'
            f"<td>{f['bytes']:,}</td><td><code>{esc(f['sha256'])}</code></td></tr>"
            for f in release["files"]
        )
        parts.append(
            f"<table>\n<thead><tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n"
        )
        parts.append("### How to cite this version\n")
        for style, text in citations(release, descriptor).items():
            if style == "APA":
                parts.append(f"**{style}**\n\n{text}\n")
            else:
                parts.append(f"**{style}**\n\n```{'bibtex' if style == 'BibTeX' else 'yaml'}\n{text}\n```\n")
        parts.append(
            '<details markdown="1"><summary>Changes in this version</summary>\n\n'
            + release["changes"]
            + "\n\n</details>\n"
        )
    (out / "downloads.md").write_text("\n".join(parts), encoding="utf-8")


def performance_page(out: Path, reports: Path) -> None:
    """Render the measured figures (make loadtest, make bench) from their reports."""
    parts = [
        "# Performance\n",
        "Figures measured on this project's own machine type (2 cores), against 127.0.0.1 only, by "
        "`make loadtest` and `make bench`. They are written by those commands, never by hand.\n",
    ]
    load = reports / "loadtest.md"
    if load.exists():
        parts.append(load.read_text(encoding="utf-8"))
    bench = reports / "bench.md"
    if bench.exists():
        parts.append(bench.read_text(encoding="utf-8"))
    report = reports / "bench.json"
    if report.exists():
        measured = json.loads(report.read_text(encoding="utf-8"))
        targets = measured["targets"]
        reasons = []
        if measured["build"]["large"]["ratio"] > targets["build_ratio"]:
            reasons.append(
                "- **Validated build against the floor.** The build parses each file once with SQLite's own CSV "
                "importer, checks what the tables cannot enforce in one SQL scan, and loads typed tables whose "
                "constraints, keys and foreign keys check every row as it goes in. What remains above the floor is "
                "that work itself; dropping any of it would weaken a rule."
            )
        urls = measured["proxy"]["urls"]
        if not urls["hot_html"]["met"] or not urls["hot_json"]["met"]:
            reasons.append(
                "- **Hot pages against a static page.** A hit is served from nginx's cache, which costs a lookup "
                "in shared memory and a read of the stored headers from the cache file on top of what a static file "
                "costs; at these rates that per-request work shows. The table page as HTML is also "
                f"{urls['hot_html']['bytes'] / urls['static']['bytes']:.1f} times the size of the static page, so it "
                "moves more bytes per request. Both figures are far beyond what the replicas alone serve."
            )
        if not urls["cold_json"]["met"]:
            reasons.append(
                "- **Cold JSON against a static page.** A page no one has asked for yet is built by a Datasette 0.65 "
                "replica in Python (query planning, row shaping, JSON encoding), whatever the size of the table. "
                "Schema introspection and anonymous permission checks are already cached for the immutable database "
                "(`plugins/cache_schema.py`); the rest is Datasette's own code. More replicas (one per core) and "
                "the cache in front are the remedy: a burst of readers asking for the same pages costs one query per page."
            )
        if any(r["ratio"] > targets["latency_ratio"] for r in measured["latency"].values()):
            reasons.append(
                "- **A facet at a million rows.** A facet counts the values of a column over the whole table on every "
                "request, so its cost grows with the table. For that reason `follower_counts` has no default facets; "
                "`latest_counts` (one row per account, computed at build time) is the table to facet."
            )
        if reasons:
            parts.append("### Where the targets are not met, and why\n\n" + "\n".join(reasons) + "\n")
    if len(parts) == 2:
        parts.append("No measurement has been recorded yet.\n")
    (out / "performance.md").write_text("\n".join(parts), encoding="utf-8")


def json_ld(descriptor: dict, values: dict[str, str], lang: str) -> str:
    distribution = [
        {
            "@type": "DataDownload",
            "encodingFormat": "text/csv",
            "name": r["name"],
            "contentUrl": f"{SITE_URL}/ots/{r['name']}.csv?_size=max",
        }
        for r in descriptor["resources"]
    ]
    distribution.append(
        {"@type": "DataDownload", "encodingFormat": "application/vnd.sqlite3", "contentUrl": f"{SITE_URL}/ots.db"}
    )
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": descriptor["title"],
        "description": " ".join(descriptor["description"].split()),
        "version": descriptor["version"],
        "license": descriptor["licenses"][0]["path"],
        "creator": {"@type": "Organization", "name": descriptor["contributors"][0]["title"]},
        "temporalCoverage": values["as_of"],
        "inLanguage": lang,
        "url": f"{SITE_URL}/docs/" + ("" if lang == "en" else f"{lang}/"),
        "isBasedOn": {
            "@type": "ScholarlyArticle",
            "name": "The Organisation of Turkic States' Digital Communication and Digital Diplomacy Perspective",
            "author": {"@type": "Person", "name": "Fatmanur Altun"},
            "isPartOf": {
                "@type": "PublicationIssue",
                "issueNumber": "106",
                "isPartOf": {"@type": "Periodical", "name": "bilig"},
            },
            "datePublished": "2023",
        },
        "distribution": distribution,
    }
    # "</" cannot appear inside a JSON string here, but escape it anyway so no data can end the script.
    text = json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def generate(db_path: Path, out: Path, i18n: Path = ROOT / "docs" / "i18n", dist: Path = ROOT / "dist") -> None:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(ROOT / "docs", out, ignore=shutil.ignore_patterns("i18n", "reports"))
    strings = yaml.safe_load((i18n / "strings.yml").read_text(encoding="utf-8"))
    translations = {
        "commitments": yaml.safe_load((i18n / "commitments.yml").read_text(encoding="utf-8")),
        "errata": yaml.safe_load((i18n / "errata.yml").read_text(encoding="utf-8")),
    }
    descriptor = load_descriptor(ROOT / "datapackage.yaml")
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    values = stats(db, descriptor["version"])
    site = Site(db, out, strings, translations)
    made = charts.make_all(db, out / "assets" / "charts")
    downloads_page(out, descriptor, dist)
    performance_page(out, ROOT / "docs" / "reports")
    for lang in LANGUAGES:
        site.data_dictionary(lang)
        site.errata(lang)
        site.vision(lang)
        site.survey(lang)
        site.charts_page(lang, made)
    for page in sorted(out.rglob("*.md")):
        where = str(page.relative_to(out))
        text = fill_placeholders(page.read_text(encoding="utf-8"), values, where)
        lang = page.name.split(".")[-2] if page.name.count(".") == 2 else "en"
        text = text.replace("<!-- JSON-LD -->", json_ld(descriptor, values, lang))
        page.write_text(text, encoding="utf-8")
    db.close()


def build_site(source: Path, site: Path) -> None:
    """Build into a fresh folder under site.builds/, then point the `site` symlink at it with one
    atomic rename: readers (and `make serve`) see the old site or the new one, never a half one,
    even if this process is killed."""
    site = Path(os.path.abspath(site))  # absolute, but not resolved: `site` itself is the symlink
    builds = site.with_name(site.name + ".builds")
    builds.mkdir(exist_ok=True)
    current = site.resolve() if site.is_symlink() else None
    for old in builds.iterdir():  # leftovers of killed builds, and superseded sites
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    target = builds / f"site-{os.getpid()}-{len(list(builds.iterdir()))}"
    # mkdocs.yml names build/docs; a config that inherits it points MkDocs at `source` instead.
    config = Path(os.path.abspath(source.with_name(source.name + ".mkdocs.yml")))
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {source.resolve()}\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--quiet",
            "--config-file",
            str(config),
            "--site-dir",
            str(target),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    config.unlink(missing_ok=True)
    if result.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        raise DocsError("mkdocs build failed:\n" + result.stdout + result.stderr)
    # Material's language switcher fetches sitemap.xml from the folder of the page's translation
    # (e.g. /docs/tr/methodology/sitemap.xml) to find where to go; the i18n plugin writes only the
    # root sitemap, which lists every language, so put a copy in every page folder. Static files
    # only, so this works on any static host too.
    for index in target.rglob("index.html"):
        if index.parent != target:
            shutil.copyfile(target / "sitemap.xml", index.parent / "sitemap.xml")
    if site.exists() and not site.is_symlink():  # a site/ folder from before symlinks were used
        site.rename(builds / "previous-folder")
    link = site.with_name(site.name + ".link.tmp")
    link.unlink(missing_ok=True)
    link.symlink_to(target.relative_to(site.parent))
    os.replace(link, site)
    if current and current != target:
        shutil.rmtree(current, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "build" / "ots.db")
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument(
        "--i18n", type=Path, default=ROOT / "docs" / "i18n", help="folder of strings.yml and translations"
    )
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build" / "docs", help="where the generated Markdown is assembled"
    )
    args = parser.parse_args(argv)
    try:
        generate(args.db, args.work, args.i18n)
        build_site(args.work, args.site)
    except DocsError as error:
        print(f"docs failed: {error}; {args.site} was not changed", file=sys.stderr)
        return 1
    print(f"built {args.site}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
