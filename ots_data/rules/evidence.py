"""Project rules on evidence: what a claim of the dataset rests on, and what it may say.

The errata and the office checks are the dataset's own judgements, the part a critic reads first.
These rules make an overstatement hard to publish: a `confirmed` row needs a passage that supports
it (or, for an error the article shows against itself, two printed texts that disagree); a row with
a contradicting passage cannot be `confirmed`; every address has a path, so a reader can follow it;
and a note in another table never restates an erratum's judgement (it links the erratum by id, and
the erratum's status is read from the erratum).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ots_data.staging import Problem

# What the `evidence` column of a claim without a linked passage says.
NO_PASSAGE = "No passage of an outside source."
# "(evidence: id-one, id-two)": how prose in a note points to rows of the evidence table.
EVIDENCE_POINTER = re.compile(r"\(evidence: ([a-z0-9-]+(?:, [a-z0-9-]+)*)\)")

# An address with a path; what is left of a text once these are taken out may hold no address.
FULL_URL = re.compile(r"https?://[^/\s]+/[^\s]*[^\s.,;:)\]]")
# A host name under a top-level domain (ends with one of these, as a word): a page named by its
# domain only ("interfax.ru", "mfa.gov.tr"), which no reader can follow. The list holds the
# domains of the states and sources this dataset is about, and the generic ones.
TLDS = (
    "com|org|net|info|io|eu|gov|edu|int|news|media|online|site|tv|uk|de|fr|it|es|pl|ee|am|ge|ua|"
    "by|kz|kg|uz|az|tm|tj|tr|ru|hu|cy|pk|in|cn|jp|us|ca|au|br|mn"
)
BARE_DOMAIN = re.compile(rf"(?<![\w@.-])(?:https?://)?(?:[a-z0-9-]+\.)+(?:{TLDS})(?![\w.-]*[\w/])", re.IGNORECASE)

# Words that judge the article. They belong in the errata; a note elsewhere links the erratum by id.
# Ids are taken out first: "see erratum summit-count-inconsistency" is a link, not a judgement.
HYPHENATED_ID = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b")
JUDGEMENT = re.compile(
    r"\b(wrong(ly)?|contradict\w*|erroneous(ly)?|incorrect(ly)?|mistaken(ly)?|mistakes?|misstat\w*|"
    r"errors?|inconsistent|inconsistency)\b",
    re.IGNORECASE,
)

# Columns that hold someone else's characters, or an address checked by its own pattern: the
# article's words (the schema's verbatim fields), a source's passage, handles as the platforms write
# them, and the formatted citations of sources (which carry their full address).
NOT_PROSE = {
    ("evidence", "passage"),
    ("evidence", "passage_en"),
    ("evidence", "url"),
    ("evidence", "archived_url"),
    ("evidence", "publisher"),  # a site's name is its domain ("wiki.studentb.eu (a copy of ...)"); the url has the path
    ("evidence", "title"),
    ("accounts", "handle"),
    ("accounts", "url"),
    ("actor_aliases", "alias"),
    ("sources", "url"),
    ("sources", "citation"),
    ("sources", "title"),
    ("raw_table_rows", None),  # every cell is the article's
}


def bare_domains(text: str | None) -> list[str]:
    """The host names in text that are not part of an address with a path."""
    if not text:
        return []
    return [m.group(0) for m in BARE_DOMAIN.finditer(FULL_URL.sub(" ", text))]


class EvidenceRules:
    """Rules on the evidence table, its links, and the claims that rest on them."""

    def _links(self, table: str, key: str) -> dict[str, list[dict]]:
        links: dict[str, list[dict]] = {}
        for link in self.rows[table]:
            links.setdefault(link[key], []).append(link)
        return links

    def rule_confirmed_rests_on_a_supporting_passage(self) -> Iterable[Problem]:
        erratum_links = self._links("erratum_evidence", "erratum_id")
        for row in self.rows["errata"]:
            if row["status"] != "confirmed":
                continue
            supported = any(link["stance"] == "supports" for link in erratum_links.get(row["erratum_id"], []))
            shown_by_the_article = bool(row["other_locator"] and row["other_printed"]) and (
                row["other_printed"] != row["printed"]
            )
            if not (supported or shown_by_the_article):
                yield self.problem(
                    "errata",
                    row,
                    "status",
                    "confirmed-needs-support",
                    "a confirmed erratum needs a passage linked in erratum_evidence with stance supports, "
                    "or two places of the article (other_locator, other_printed) whose printed texts disagree; "
                    "otherwise it is unverified",
                )
        check_links = self._links("office_check_evidence", "actor_id")
        for row in self.rows["office_checks"]:
            if row["check_status"] == "confirmed" and not any(
                link["stance"] == "supports" for link in check_links.get(row["actor_id"], [])
            ):
                yield self.problem(
                    "office_checks",
                    row,
                    "check_status",
                    "confirmed-needs-support",
                    "a confirmed office check needs a passage linked in office_check_evidence with stance "
                    "supports; otherwise it is unverified",
                )

    def rule_contradicted_is_not_confirmed(self) -> Iterable[Problem]:
        for table, links_table, key, status in (
            ("errata", "erratum_evidence", "erratum_id", "status"),
            ("office_checks", "office_check_evidence", "actor_id", "check_status"),
        ):
            links = self._links(links_table, key)
            for row in self.rows[table]:
                against = [x["evidence_id"] for x in links.get(row[key], []) if x["stance"] == "contradicts"]
                if against and row[status] == "confirmed":
                    yield self.problem(
                        table,
                        row,
                        status,
                        "contradicted-not-confirmed",
                        f"linked evidence contradicts it ({', '.join(against)}), so it cannot be confirmed",
                    )

    def rule_other_place_is_complete(self) -> Iterable[Problem]:
        """other_locator and other_printed go together: a place of the article and what it prints."""
        for row in self.rows["errata"]:
            if bool(row["other_locator"]) != bool(row["other_printed"]):
                yield self.problem(
                    "errata",
                    row,
                    "other_printed" if row["other_locator"] else "other_locator",
                    "other-place",
                    "other_locator and other_printed are both given (the place and its printed text) or both empty",
                )

    def rule_passage_in_english_when_not_english(self) -> Iterable[Problem]:
        for row in self.rows["evidence"]:
            if row["language"] != "en" and not row["passage_en"]:
                yield self.problem(
                    "evidence", row, "passage_en", "translation", f"a passage in {row['language']!r} needs its English"
                )
            if row["language"] == "en" and row["passage_en"]:
                yield self.problem(
                    "evidence", row, "passage_en", "translation", "an English passage has no translation to give"
                )

    def rule_no_bare_domain(self) -> Iterable[Problem]:
        """Every address in the dataset has a path: a domain alone cannot be followed."""
        for name, resource in self.res.items():
            if (name, None) in NOT_PROSE:
                continue
            columns = [
                f.name
                for f in resource.fields
                if f.type in ("string", "list") and not f.verbatim and (name, f.name) not in NOT_PROSE
            ]
            if name in self.rows:
                for row in self.rows[name]:
                    for column in columns:
                        found = bare_domains(row[column])
                        if found:
                            yield self.problem(name, row, column, "bare-domain", self._bare_message(found))
            else:  # a growing table: only its rows that hold a dot in a prose column are read
                self.conn.create_function("bare_domains", 1, lambda t: "; ".join(bare_domains(t)), deterministic=True)
                for column in columns:
                    yield from self.sql_problems(
                        name,
                        column,
                        "bare-domain",
                        f"SELECT _line, bare_domains([{column}]) FROM stage_{name} "
                        f"WHERE instr([{column}], '.') AND bare_domains([{column}]) != ''",
                        lambda found: self._bare_message(found.split("; ")),
                    )

    @staticmethod
    def _bare_message(found: list[str]) -> str:
        return (
            f"names {', '.join(repr(d) for d in found)} without a path: give the page's full address, or "
            "point to a row of the evidence table as (evidence: id)"
        )

    def rule_evidence_pointers_exist(self) -> Iterable[Problem]:
        known = {r["evidence_id"] for r in self.rows["evidence"]}
        for name, rows in self.rows.items():
            for row in rows:
                for column, value in row.items():
                    if not isinstance(value, str) or "(evidence:" not in value:
                        continue
                    ids = [i for m in EVIDENCE_POINTER.finditer(value) for i in m.group(1).split(", ")]
                    if value.count("(evidence:") != len(EVIDENCE_POINTER.findall(value)):
                        yield self.problem(
                            name, row, column, "evidence-pointer", 'write pointers as "(evidence: id-one, id-two)"'
                        )
                    for missing in (i for i in ids if i not in known):
                        yield self.problem(
                            name, row, column, "evidence-pointer", f"{missing!r} is not a row of the evidence table"
                        )

    def rule_notes_do_not_judge_the_article(self) -> Iterable[Problem]:
        """Judgements of the article live in the errata; a note elsewhere links the erratum by id
        (its erratum_id column, or the erratum's affects), so the status a reader sees is the erratum's."""
        for name, rows in self.rows.items():
            if name in ("errata", "evidence") or name.endswith("_evidence"):
                continue
            for row in rows:
                for column in (c for c in row if c == "note" or c.endswith("_note")):
                    text = HYPHENATED_ID.sub(" ", row[column] or "")
                    words = sorted({m.group(0).lower() for m in JUDGEMENT.finditer(text)})
                    if words:
                        yield self.problem(
                            name,
                            row,
                            column,
                            "note-judges",
                            f"says {', '.join(repr(w) for w in words)}: a judgement of the article belongs in an "
                            "erratum; link it by id (see erratum <id>) and leave the judgement to it",
                        )

    def rule_every_passage_is_used(self) -> Iterable[Problem]:
        """A passage nothing links to or points to is either noise or the evidence of a claim that
        was removed: it goes with the claim."""
        used = {
            link["evidence_id"]
            for table in ("erratum_evidence", "office_check_evidence", "alias_evidence")
            for link in self.rows[table]
        }
        for rows in self.rows.values():
            for row in rows:
                for value in row.values():
                    if isinstance(value, str) and "(evidence:" in value:
                        used.update(i for m in EVIDENCE_POINTER.finditer(value) for i in m.group(1).split(", "))
        for row in self.rows["evidence"]:
            if row["evidence_id"] not in used:
                yield self.problem(
                    "evidence",
                    row,
                    "evidence_id",
                    "evidence-used",
                    "no erratum, office check or alias links this passage and no note points to it: "
                    "link it, point to it as (evidence: id), or remove it",
                )

    def rule_evidence_column_lists_the_links(self) -> Iterable[Problem]:
        """errata.evidence and office_checks.evidence (kept for readers of versions before 0.4.0) say
        exactly which passages the link table ties to the row: supports first, then contradicts,
        then context, each by id; or that there is none."""
        order = {"supports": 0, "contradicts": 1, "context": 2}
        for table, links_table, key in (
            ("errata", "erratum_evidence", "erratum_id"),
            ("office_checks", "office_check_evidence", "actor_id"),
        ):
            links = self._links(links_table, key)
            for row in self.rows[table]:
                linked = sorted(links.get(row[key], []), key=lambda x: (order[x["stance"]], x["evidence_id"]))
                ids = ", ".join(x["evidence_id"] for x in linked)
                expected = f"(evidence: {ids})" if ids else NO_PASSAGE
                if row["evidence"] != expected:
                    yield self.problem(
                        table,
                        row,
                        "evidence",
                        "evidence-column",
                        f"should be {expected!r}: the passages {links_table} links to this row",
                    )
