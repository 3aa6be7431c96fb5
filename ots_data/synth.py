"""Write a synthetic project at scale for benchmarks: the real data plus invented accounts observed
every day (default 1,000 accounts x 1,000 days = 1,000,000 follower counts), conforming to the
schema. Written outside data/ (build/synthetic/ by default) and never published.

The rounds are written the way the round template (data-templates/) and the platforms show counts,
not the way that is fastest to check: audiences spread over five orders of magnitude, so most
figures are rounded displays (60.2K, 395K, 21.3M, with a decimal point or, for accounts read in a
Turkish or Russian locale, a decimal comma: 4,6K), the small accounts exact (919, 8,855), and a
few accounts are not found on some days (absences). generate() returns the mix it wrote.

Rows are streamed to disk, never held in memory, and generated deterministically (fixed seed), so
every benchmark run measures the same files.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path

from ots_data.counts import parse_count
from ots_data.project import PLATFORMS, PROFILE_URL, ROOT
from ots_data.schema import load_resources

SOURCE = "synthetic-rounds"
# Share of accounts read in a locale with a decimal comma (4,6K rather than 4.6K).
DECIMAL_COMMA_SHARE = 0.2
# The last actors get no synthetic accounts: their platforms are the ones "not found" (an absence
# cannot share an actor, platform and day with a figure).
ACTORS_FOR_ABSENCES = 2
ABSENCE_CHANCE = 0.6  # per day, for each of those actors' platforms


def display(count: int, decimal_comma: bool, two_decimals: bool) -> str:
    """A count as a platform displays it: exact below 10,000, then K or M with up to one decimal
    below 100K or 100M (two, as in the article's 32.05K, for some accounts), trailing zeros dropped."""
    if count < 10_000:
        return f"{count:,}" if count >= 1000 and not decimal_comma else str(count)
    suffix, unit = ("M", 1_000_000) if count >= 1_000_000 else ("K", 1_000)
    decimals = 0 if count >= 100 * unit else (2 if two_decimals else 1)
    text = f"{count / unit:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return (text.replace(".", ",") if decimal_comma else text) + suffix


def append(path: Path, fields: list[str], rows: Iterable[dict]) -> int:
    n = 0
    with open(path, "a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        for row in rows:
            writer.writerow({f: row.get(f, "") for f in fields})
            n += 1
    return n


def generate(out: Path, accounts: int, days: int, seed: int = 2022) -> dict[str, int]:
    """Write the project; return how many rows of each kind it holds (parse rules, absences)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copyfile(ROOT / "datapackage.yaml", out / "datapackage.yaml")
    shutil.copytree(ROOT / "data", out / "data")
    fields = {r.name: r.field_names for r in load_resources(ROOT / "datapackage.yaml")}
    actors = [row["actor_id"] for row in csv.DictReader(open(ROOT / "data/actors.csv", encoding="utf-8"))]
    append(
        out / "data/sources.csv",
        fields["sources"],
        [
            {
                "source_id": SOURCE,
                "source_type": "observation_round",
                "title": "Synthetic rounds for benchmarks (invented figures)",
                "citation": "Synthetic benchmark data (not real).",
                "collected_by": "scripts/synth.py",
                "collection_method": "generated",
            }
        ],
    )
    handles = [f"synthetic_{i:05d}" for i in range(accounts)]
    account_rows = []
    for i, handle in enumerate(handles):
        platform = PLATFORMS[i % 4]
        account_rows.append(
            {
                "account_id": f"{platform}-synthetic-{i:05d}",
                "actor_id": actors[i % (len(actors) - ACTORS_FOR_ABSENCES)],
                "platform": platform,
                "handle": handle,
                "handle_as_printed": handle,
                "name_kind": "display_name" if platform == "youtube" else "handle",
                "url": "" if platform == "youtube" else PROFILE_URL[platform].format(handle),
                "account_kind": "institutional",
                "is_handle_repaired": "false",
                "source_id": SOURCE,
                "source_locator": "synthetic",
            }
        )
    # accounts.csv must stay sorted by account_id: rewrite it merged.
    existing = list(csv.DictReader(open(out / "data/accounts.csv", encoding="utf-8", newline="")))
    merged = sorted(existing + account_rows, key=lambda r: r["account_id"])
    with open(out / "data/accounts.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields["accounts"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({f: r.get(f, "") for f in fields["accounts"]} for r in merged)

    rng = random.Random(seed)
    # Audiences log-uniform from about 300 to 50 million: a third exact, most rounded.
    level = [round(10 ** rng.uniform(2.5, 7.7)) for _ in range(accounts)]
    comma = [rng.random() < DECIMAL_COMMA_SHARE for _ in range(accounts)]
    two_decimals = [rng.random() < 0.1 for _ in range(accounts)]
    missing = [(actor, platform) for actor in actors[-ACTORS_FOR_ABSENCES:] for platform in PLATFORMS]
    start = date(2023, 1, 1)
    mix: Counter = Counter()

    def counts() -> Iterator[dict]:
        for day in range(days):
            observed = (start + timedelta(days=day)).isoformat()
            for i, row in enumerate(account_rows):
                level[i] = max(0, level[i] + rng.randint(-level[i] // 200 - 5, level[i] // 150 + 10))
                printed = display(level[i], comma[i], two_decimals[i])
                parsed = parse_count(printed)  # the stored reading is the printed figure's, not the true level
                mix[parsed.rule] += 1
                yield {
                    "count_id": f"syn-{observed}-{i:05d}",
                    "account_id": row["account_id"],
                    "observed_on": observed,
                    "metric": "subscribers" if row["platform"] == "youtube" else "followers",
                    "count": str(parsed.count),
                    "count_as_printed": printed,
                    "count_precision": str(parsed.precision),
                    "is_rounded": "true" if parsed.is_rounded else "false",
                    "parse_rule": parsed.rule,
                    "is_ambiguous": "false",
                    "is_column_inferred": "false",
                    "is_account_inferred": "false",
                    "source_id": SOURCE,
                    "source_locator": f"profile page, read {observed}",
                }

    def absences() -> Iterator[dict]:
        for day in range(days):
            observed = (start + timedelta(days=day)).isoformat()
            for actor, platform in missing:
                if rng.random() < ABSENCE_CHANCE:
                    mix["absence"] += 1
                    yield {
                        "absence_id": f"syn-{observed}-{actor}-{platform}",
                        "actor_id": actor,
                        "platform": platform,
                        "observed_on": observed,
                        "absence_kind": "not_found",
                        "is_column_inferred": "false",
                        "source_id": SOURCE,
                        "source_locator": f"searched the platform, {observed}",
                    }

    append(out / "data/follower_counts.csv", fields["follower_counts"], counts())
    append(out / "data/absences.csv", fields["absences"], absences())
    return dict(mix)


def describe(mix: dict[str, int]) -> str:
    """The mix in words: 1,000,000 follower counts (61% suffix_decimal_point, ...) and 4,800 absences."""
    counts = sum(n for kind, n in mix.items() if kind != "absence")
    shares = ", ".join(
        f"{n / counts:.0%} {kind}" for kind, n in sorted(mix.items(), key=lambda kv: -kv[1]) if kind != "absence"
    )
    return f"{counts:,} follower counts ({shares}) and {mix.get('absence', 0):,} absences"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "synthetic")
    args = parser.parse_args(argv)
    mix = generate(args.out, args.accounts, args.days)
    print(f"wrote {args.out}: {describe(mix)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
