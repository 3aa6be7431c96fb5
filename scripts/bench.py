"""Benchmarks (`make bench`): the validated build against SQLite's own bulk import of the same CSVs,
hot (cached) and cold pages through `make serve-prod`'s nginx against a static file from the same
nginx, and Datasette's page latency at the real size and at a million rows. Targets are checked here and
reported, never asserted in tests.

Writes docs/reports/bench.json and docs/reports/bench.md (rendered on the docs' Performance
page). Servers listen on 127.0.0.1 only and are stopped by their process group.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import synth

from ots_data import servers, serving
from ots_data.project import ROOT
from ots_data.schema import load_resources

PY = sys.executable
TARGETS = {"build_ratio": 5.0, "latency_ratio": 2.0, **{f"{k}_vs_static": v for k, v in servers.PROXY_TARGETS.items()}}
LATENCY_PATHS = {
    "first page": "/ots/follower_counts",
    "a facet": "/ots/follower_counts?_facet=metric",
    "a filter": "/ots/follower_counts?account_id=twitter-rterdogan",
    "a sort": "/ots/follower_counts?_sort=observed_on",
    "latest counts": "/ots/latest_counts",
}


def timed(command: list[str], cwd: Path = ROOT) -> tuple[float, int]:
    """Wall time and peak memory (KiB) of one command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss


def floor(project: Path, target: Path) -> float:
    """SQLite's own .import of the same CSVs with no checks at all: the practical floor."""
    target.unlink(missing_ok=True)
    commands = [f".import --csv '{project / r.path}' {r.name}" for r in load_resources(project / "datapackage.yaml")]
    start = time.perf_counter()
    subprocess.run(
        ["sqlite3", str(target)], input="\n".join(commands) + "\n", text=True, check=True, capture_output=True
    )
    return time.perf_counter() - start


def measure_build(project: Path, work: Path, runs: int) -> dict:
    db = work / "bench.db"
    builds = [timed([PY, str(ROOT / "scripts/build.py"), "--root", str(project), "--db", str(db)]) for _ in range(runs)]
    floors = [floor(project, work / "floor.db") for _ in range(runs)]
    rows = sum(1 for _ in open(project / "data/follower_counts.csv", encoding="utf-8")) - 1
    best = min(b[0] for b in builds)
    return {
        "follower_count_rows": rows,
        "validated_build_s": round(best, 2),
        "peak_memory_mib": round(max(b[1] for b in builds) / 1024),
        "sqlite_import_floor_s": round(min(floors), 2),
        "ratio": round(best / min(floors), 2),
        "db": str(db),
    }


def inspected(db: Path) -> Path:
    inspect = db.with_suffix(".inspect.json")
    subprocess.run([str(serving.DATASETTE), "inspect", str(db), "--inspect-file", str(inspect)], check=True)
    return inspect


@contextmanager
def datasette(db: Path) -> Iterator[str]:
    """One Datasette, configured as every replica is, on a given database: page latency is
    measured without nginx's cache in front. The file must be named ots.db for /ots/ to apply."""
    port = servers.free_port()
    argv = serving.serve_argv("127.0.0.1", port, db=db, inspect=inspected(db))
    with servers.started(argv, f"http://127.0.0.1:{port}"):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def production(db: Path, work: Path) -> Iterator[str]:
    """`make serve-prod`'s topology (nginx in front of two replicas) on a given database."""
    port = servers.free_port()
    command = [
        PY,
        str(ROOT / "scripts/serve_prod.py"),
        "run",
        "--port",
        str(port),
        "--db",
        str(db),
        "--inspect",
        str(inspected(db)),
        "--workdir",
        str(work / "serve-prod"),
    ]
    with servers.serve_prod(command, port) as (base, _, _):
        yield base


def latency(base: str, path: str, repeat: int) -> float:
    for _ in range(2):  # warm up
        urllib.request.urlopen(base + path, timeout=30).read()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with urllib.request.urlopen(base + path, timeout=30) as response:
            response.read()
            assert response.status == 200
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def render(report: dict) -> str:
    b, t = report["build"], TARGETS
    ok = lambda good: "met" if good else "**not met**"  # noqa: E731
    lines = [
        "## Benchmarks (`make bench`)\n",
        f"Synthetic data: {b['large']['follower_count_rows']:,} follower counts ({report['synthetic']}), generated by "
        "`scripts/synth.py` outside `data/`; the real data for the small size. Each build is the full "
        "validated build (every rule, every message); the floor is SQLite's own `.import` of the same CSVs "
        "with no checks.\n",
        "| size | rows | validated build | floor (.import) | ratio | target | peak memory |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ("small", "large"):
        r = b[name]
        lines.append(
            f"| {name} | {r['follower_count_rows']:,} | {r['validated_build_s']} s | {r['sqlite_import_floor_s']} s | "
            f"{r['ratio']}x | within {t['build_ratio']}x: "
            f"{ok(r['ratio'] <= t['build_ratio']) if name == 'large' else 'n/a'} | {r['peak_memory_mib']} MiB |"
        )
    p = report["proxy"]
    lines += [
        "",
        f"Throughput at {b['large']['follower_count_rows']:,} rows through `make serve-prod`'s nginx "
        f"({p['replicas']} replicas), wrk, {p['connections']} connections, {p['seconds']} s each, 127.0.0.1:\n",
        servers.proxy_table(p["urls"]),
    ]
    lines += [
        "",
        "Median page latency (ms) over repeated requests, real size against a million rows:\n",
        "| page | small | large | ratio | within 2x |",
        "|---|---|---|---|---|",
    ]
    for name, r in report["latency"].items():
        lines.append(
            f"| {name} (`{r['path']}`) | {r['small_ms']:.1f} | {r['large_ms']:.1f} | {r['ratio']}x | "
            f"{ok(r['ratio'] <= t['latency_ratio'])} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per URL")
    parser.add_argument("--runs", type=int, default=2, help="builds per size (the best is reported)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reports")
    args = parser.parse_args(argv)
    work = ROOT / "build" / "bench"
    shutil.rmtree(work, ignore_errors=True)
    (work / "small").mkdir(parents=True)
    (work / "large").mkdir()
    big = work / "synthetic"
    print(f"generating {args.accounts} x {args.days} synthetic counts ...", file=sys.stderr)
    synth.generate(big, args.accounts, args.days)
    small_project = work / "real"
    small_project.mkdir()
    shutil.copyfile(ROOT / "datapackage.yaml", small_project / "datapackage.yaml")
    shutil.copytree(ROOT / "data", small_project / "data")
    print("timing builds ...", file=sys.stderr)
    build = {
        "small": measure_build(small_project, work / "small", args.runs),
        "large": measure_build(big, work / "large", args.runs),
    }
    lat = {}
    small_db, large_db = work / "small" / "ots.db", work / "large" / "ots.db"
    Path(build["small"].pop("db")).rename(small_db)
    Path(build["large"].pop("db")).rename(large_db)
    print("measuring the server ...", file=sys.stderr)
    with production(large_db, work) as base:
        proxy = servers.compare_through_proxy(base, args.seconds)
    with datasette(large_db) as base:
        large = {name: latency(base, path, 15) for name, path in LATENCY_PATHS.items()}
    with datasette(small_db) as base:
        small = {name: latency(base, path, 15) for name, path in LATENCY_PATHS.items()}
    for name, path in LATENCY_PATHS.items():
        lat[name] = {
            "path": path,
            "small_ms": round(small[name], 1),
            "large_ms": round(large[name], 1),
            "ratio": round(large[name] / small[name], 2),
        }
    report = {
        "synthetic": f"{args.accounts} accounts x {args.days} daily rounds",
        "targets": TARGETS,
        "build": build,
        "proxy": {"seconds": args.seconds, "connections": 20, "replicas": 2, "urls": proxy},
        "latency": lat,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "bench.md").write_text(render(report), encoding="utf-8")
    print(render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
