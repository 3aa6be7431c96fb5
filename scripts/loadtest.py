"""A bounded load test of `make serve` on 127.0.0.1 with wrk: tables, JSON, CSV, canned queries and
docs, for a fixed time. Fails on any error or on memory that keeps growing. Writes its figures to
docs/reports/loadtest.json, which the documentation renders (never typed by hand).

Only loopback is ever targeted; the server is started and stopped here, by its process group.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import local_server
from schema import ROOT

PATHS = [
    "/ots/follower_counts", "/ots/follower_counts.json?_shape=array", "/ots/follower_counts.csv?_size=max",
    "/ots/accounts.json", "/ots/actors?_search=cavusoglu", "/ots/article_table_1", "/ots/accounts_by_audience.json",
    "/ots/search_everything.json?q=erdogan", "/ots/timeline", "/docs/", "/docs/tr/methodology/", "/docs/assets/charts/audience.svg",
]
# wrk rotates through the paths; every response that is not 2xx counts as an error.
LUA = """
paths = {%s}
i = 0
request = function()
  i = (i %% #paths) + 1
  return wrk.format("GET", paths[i])
end
"""


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


def datasette_pid(group: int) -> int:
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if os.getpgid(int(proc.name)) == group and b"datasette" in (proc / "cmdline").read_bytes() and b"serve" in (proc / "cmdline").read_bytes():
                    return int(proc.name)
            except (ProcessLookupError, PermissionError, FileNotFoundError):
                continue
    raise RuntimeError("datasette process not found")


def run_wrk(base: str, seconds: int, connections: int, script: Path) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), base],
        capture_output=True, text=True, check=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    socket_errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", m.group(0))) if (m := re.search(r"Socket errors:.*", out)) else 0
    return {
        "requests": requests,
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "latency_p50": re.search(r"50%\s+(\S+)", out).group(1),
        "latency_p99": re.search(r"99%\s+(\S+)", out).group(1),
        "errors": non_2xx + socket_errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="length of each of the two rounds")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reports" / "loadtest.json")
    args = parser.parse_args(argv)
    with local_server.make_serve(quiet=True) as (base, server):
        pid = datasette_pid(server.pid)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(LUA % ", ".join(f'"{p}"' for p in PATHS))
        # Two equal rounds: memory after the second must not have kept growing from the first.
        first = run_wrk(base, args.seconds, args.connections, Path(lua.name))
        rss_first = rss_kib(pid)
        second = run_wrk(base, args.seconds, args.connections, Path(lua.name))
        rss_second = rss_kib(pid)
        os.unlink(lua.name)
    growth = (rss_second - rss_first) / rss_first
    report = {
        "machine": f"{os.cpu_count()} cores, loopback only",
        "connections": args.connections, "seconds_per_round": args.seconds, "paths": PATHS,
        "rounds": [first, second], "rss_kib_after_round_1": rss_first, "rss_kib_after_round_2": rss_second,
        "rss_growth_percent": round(growth * 100, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    errors = first["errors"] + second["errors"]
    print(json.dumps(report, indent=2))
    if errors or growth > 0.10:
        print(f"load test FAILED: {errors} errors, memory growth {growth:.1%} between equal rounds", file=sys.stderr)
        return 1
    print(f"load test passed: 0 errors, memory growth {growth:.1%}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
