"""Write a synthetic project at scale for benchmarks: the real data plus invented accounts observed
every day (default 1,000 accounts x 1,000 days = 1,000,000 follower counts), conforming to the
schema. Written outside data/ (build/synthetic/ by default) and never published.

Rows are streamed to disk, never held in memory, and generated deterministically (fixed seed), so
every benchmark run measures the same files.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from ots_data.project import PLATFORMS, PROFILE_URL, ROOT
from ots_data.schema import load_resources

SOURCE = "synthetic-rounds"


def append(path: Path, fields: list[str], rows: Iterable[dict]) -> int:
    n = 0
    with open(path, "a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        for row in rows:
            writer.writerow({f: row.get(f, "") for f in fields})
            n += 1
    return n


def generate(out: Path, accounts: int, days: int, seed: int = 2022) -> int:
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
                "actor_id": actors[i % len(actors)],
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
    level = [rng.randint(100, 5_000_000) for _ in range(accounts)]
    start = date(2023, 1, 1)

    def counts():
        for day in range(days):
            observed = (start + timedelta(days=day)).isoformat()
            for i, row in enumerate(account_rows):
                level[i] = max(0, level[i] + rng.randint(-level[i] // 200 - 5, level[i] // 150 + 10))
                yield {
                    "count_id": f"syn-{observed}-{i:05d}",
                    "account_id": row["account_id"],
                    "observed_on": observed,
                    "metric": "subscribers" if row["platform"] == "youtube" else "followers",
                    "count": str(level[i]),
                    "count_as_printed": f"{level[i]:,}",
                    "count_precision": "1",
                    "is_rounded": "false",
                    "parse_rule": "thousands_comma" if level[i] >= 1000 else "plain_integer",
                    "is_ambiguous": "false",
                    "is_column_inferred": "false",
                    "is_account_inferred": "false",
                    "source_id": SOURCE,
                    "source_locator": "synthetic",
                }

    return append(out / "data/follower_counts.csv", fields["follower_counts"], counts())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "synthetic")
    args = parser.parse_args(argv)
    n = generate(args.out, args.accounts, args.days)
    print(f"wrote {args.out}: {n:,} synthetic follower counts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
