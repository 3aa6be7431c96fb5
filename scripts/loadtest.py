"""A bounded load test of `make serve-prod` (nginx in front of two Datasette replicas) on 127.0.0.1
with wrk, for a fixed time. Fails on any error or on replica memory that keeps growing.

Two parts, through the same nginx:
1. two equal rounds rotating through tables, JSON, CSV, search, canned queries and docs, every
   Datasette URL with a query string never asked before, so that a replica answers each one (the
   worst case for the replicas: no reader asks what another asked);
2. the proxy comparison of `make bench`: a static file, hot HTML and JSON pages, cold JSON.

Writes docs/reports/loadtest.json and loadtest.md, which the Performance page shows (never typed
by hand). Only loopback is ever targeted; the servers are started and stopped here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from ots_data import servers
from ots_data.project import ROOT

PATHS = [
    "/ots/follower_counts",
    "/ots/follower_counts.json?_shape=array",
    "/ots/follower_counts.csv?_size=max",
    "/ots/accounts.json",
    "/ots/actors?_search=cavusoglu",
    "/ots/article_table_1",
    "/ots/accounts_by_audience.json",
    "/ots/search_everything.json?q=erdogan",
    "/ots/timeline",
    "/docs/",
    "/docs/tr/methodology/",
    "/docs/assets/charts/audience.svg",
]
# wrk rotates through the paths; Datasette paths get a new `_cold` value each time (docs are files).
LUA = """
paths = {%s}
i, n, id, started = 0, 0, 0, 0
function setup(thread) started = started + 1; thread:set("id", started) end
function init(args) id = wrk.thread:get("id") end
request = function()
  i = (i %% #paths) + 1
  n = n + 1
  local path = paths[i]
  if string.sub(path, 1, 5) == "/ots/" then
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "_cold=" .. id .. "-" .. n .. "-%s"
  end
  return wrk.format("GET", path)
end
"""


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


def render(report: dict) -> str:
    lines = [
        "## Load test (`make loadtest`)\n",
        f"`make serve-prod` ({report['replicas']} replicas behind nginx), wrk with {report['connections']} connections "
        f"for {report['seconds_per_round']} s per round, rotating through "
        + ", ".join(f"`{p}`" for p in report["paths"])
        + "; every Datasette URL carries a query string never asked before, so a replica answers each one.\n",
        f"A request counts as an error if its answer is not 2xx or 3xx, or if it fails or takes more than "
        f"{report['wrk_timeout_s']} s.\n",
        "| round | requests | requests/s | latency p50 | latency p99 | slowest | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for number, r in enumerate(report["rounds"], 1):
        lines.append(
            f"| {number} | {r['requests']:,} | {r['requests_per_second']:,.0f} | {r['latency_p50']} | "
            f"{r['latency_p99']} | "
            f"{r['latency_max']} | {r['errors']} |"
        )
    lines.append(
        f"\nReplica memory (sum of {report['replicas']}): {report['rss_kib_after_round_1']:,} KiB after round 1, "
        f"{report['rss_kib_after_round_2']:,} KiB after round 2 ({report['rss_growth_percent']}% growth).\n"
    )
    lines.append(f"Then, through the same nginx, {report['proxy_seconds']} s each:\n")
    lines.append(servers.proxy_table(report["proxy"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="length of each of the two rounds")
    parser.add_argument("--proxy-seconds", type=int, default=10, help="length of each run of the proxy comparison")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reports")
    args = parser.parse_args(argv)
    with servers.serve_prod() as (base, _, log):
        replicas = list(servers.pids(log)["replicas"].values())

        def script():  # a new token each round, so that no URL of round 2 was asked in round 1
            return LUA % (", ".join(f'"{p}"' for p in PATHS), os.urandom(4).hex())

        # Two equal rounds: replica memory after the second must not have kept growing from the first.
        first = servers.run_wrk(base + "/", args.seconds, args.connections, script())
        rss_first = sum(rss_kib(pid) for pid in replicas)
        second = servers.run_wrk(base + "/", args.seconds, args.connections, script())
        rss_second = sum(rss_kib(pid) for pid in replicas)
        proxy = servers.compare_through_proxy(base, args.proxy_seconds)
    growth = (rss_second - rss_first) / rss_first
    report = {
        "machine": f"{os.cpu_count()} cores, loopback only",
        "replicas": len(replicas),
        "connections": args.connections,
        "seconds_per_round": args.seconds,
        "wrk_timeout_s": servers.WRK_TIMEOUT_S,
        "paths": PATHS,
        "rounds": [first, second],
        "rss_kib_after_round_1": rss_first,
        "rss_kib_after_round_2": rss_second,
        "rss_growth_percent": round(growth * 100, 1),
        "proxy_seconds": args.proxy_seconds,
        "proxy": proxy,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "loadtest.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "loadtest.md").write_text(render(report), encoding="utf-8")
    print(render(report))
    errors = first["errors"] + second["errors"] + sum(r["errors"] for r in proxy.values())
    if errors or growth > 0.10:
        print(f"load test FAILED: {errors} errors, memory growth {growth:.1%} between equal rounds", file=sys.stderr)
        return 1
    print(f"load test passed: 0 errors, memory growth {growth:.1%}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
