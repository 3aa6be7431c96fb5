"""What the CHANGELOG says about the whole dataset is checked by a rule or a test.

The 0.3.0 entry said "every source an erratum cites has its full address", which was not true. From
the section after 0.3.0 on, a bullet that claims something of every row (a sentence with "every",
"all", "no ... any" or "none") names what checks it, written "(checked: rule NAME)" for a project
rule of ots_data/rules/ or "(checked: test NAME)" for a test function in tests/. This test fails on
a claim without such a mark and on a mark whose rule or test does not exist.
"""

from __future__ import annotations

import re

from conftest import ROOT, show

CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
# Sections older than this are history: they are not rewritten (a later section corrects them).
FIRST_CHECKED_AFTER = "0.3.0"
CLAIM = re.compile(r"\b(every|all|none)\b|\bno\b[^.;]*\bany\b", re.IGNORECASE)
MARK = re.compile(r"\(checked: (rule|test) ([a-z0-9_-]+)\)")
# Words of "every/all" that describe the change itself, not the dataset: the rows a change
# touched are listed by name, so they need no rule.
NOT_A_CLAIM = re.compile(r"\b(all three languages|in all\b|every language)", re.IGNORECASE)


def checked_sections() -> str:
    """The text of the CHANGELOG from its top down to the heading of FIRST_CHECKED_AFTER."""
    end = CHANGELOG.index(f"## [{FIRST_CHECKED_AFTER}]")
    return CHANGELOG[:end]


def bullets(text: str) -> list[str]:
    """Each bullet of the text as one line (its wrapped lines joined)."""
    found, current = [], None
    for line in text.splitlines():
        if line.startswith("- "):
            if current:
                found.append(current)
            current = line[2:]
        elif current is not None and line.startswith("  "):
            current += " " + line.strip()
        else:
            if current:
                found.append(current)
            current = None
    if current:
        found.append(current)
    return found


def rule_names() -> set[str]:
    """The names project rules report ("[bare-domain]"): the string given as a Problem's rule."""
    names = set()
    for path in (ROOT / "ots_data/rules").glob("*.py"):
        names |= set(re.findall(r'"([a-z]+(?:-[a-z]+)+)"', path.read_text(encoding="utf-8")))
    return names


def defined_tests() -> set[str]:
    defined = re.compile(r"^def (test_\w+)", re.M)
    return {m for path in (ROOT / "tests").glob("test_*.py") for m in defined.findall(path.read_text(encoding="utf-8"))}


def test_every_claim_about_the_whole_dataset_names_its_check():
    unchecked = [b for b in bullets(checked_sections()) if CLAIM.search(NOT_A_CLAIM.sub("", b)) and not MARK.search(b)]
    assert not unchecked, "claims with no (checked: rule|test NAME):\n" + show(unchecked)


def test_every_check_a_claim_names_exists():
    rules, tests = rule_names(), defined_tests()
    missing = [
        (kind, name)
        for kind, name in MARK.findall(checked_sections())
        if name not in (rules if kind == "rule" else tests)
    ]
    assert not missing, show(missing)


def test_the_check_of_claims_finds_an_unmarked_claim_and_a_mark_that_names_nothing():
    """The two tests above on a made-up section: they cannot pass by finding nothing."""
    sample = "- Every erratum cites a page.\n- Every note has a path (checked: rule no-such-rule).\n"
    claims = [b for b in bullets(sample) if CLAIM.search(b)]
    assert len(claims) == 2 and not MARK.search(claims[0])
    assert MARK.findall(claims[1]) == [("rule", "no-such-rule")] and "no-such-rule" not in rule_names()
