"""Benchmarks (`make bench`), on synthetic rounds written the way the round template and the
platforms write counts (scripts/synth.py: mostly 60.2K, 21.3M, 4,6K; some exact; a few absences):

- the validated build against SQLite's own bulk import of the same CSVs, at the real size and at
  10,000, 100,000 and 1,000,000 rows (the curve), with peak memory;
- every step of `make serve`'s preparation (build, metadata, inspect, docs) at the real size and
  at a million rows, time and peak memory;
- hot (cached) and cold pages through `make serve-prod`'s nginx against a static file from the
  same nginx, and a cold table page from one Datasette against a static file from that Datasette;
- page latency, facets included, at the real size and at a million rows.

Targets are checked here and reported, never asserted in tests.

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

from ots_data import servers, serving, synth
from ots_data.project import ROOT
from ots_data.schema import load_resources

PY = sys.executable
TARGETS = {
    "build_ratio": 4.0,  # at a million rows, against SQLite's .import
    "build_ratio_growth": 1.1,  # "flat or falling" from 100k to 1M: at most 10% above
    "build_memory_mib": 300,
    "docs_ratio": 2.0,  # the docs step at a million rows against the real size
    "step_memory_mib": 1024,
    "latency_ratio": 2.0,
    "cold_html_vs_datasette_static": 0.15,
    **{f"{k}_vs_static": v for k, v in servers.PROXY_TARGETS.items()},
}
# Rounds of 1,000 accounts: 10, 100 and 1,000 days give the three sizes of the curve.
CURVE_DAYS = {"10k": 10, "100k": 100, "1M": 1000}
LATENCY_PATHS = {
    "first page": "/ots/follower_counts",
    "a facet: metric": "/ots/follower_counts?_facet=metric",
    "a facet: source": "/ots/follower_counts?_facet=source_id",
    "a facet: account": "/ots/follower_counts?_facet=account_id",
    "a facet: date": "/ots/follower_counts?_facet=observed_on",
    "a facet: platform (latest counts)": "/ots/latest_counts?_facet=platform",
    "a filter": "/ots/follower_counts?account_id=twitter-rterdogan",
    "a sort": "/ots/follower_counts?_sort=observed_on",
    "latest counts": "/ots/latest_counts",
}
# A cold page from one Datasette (no cache in front) against a static file from the same server.
DATASETTE_STATIC = "/assets/datasette.css"
COLD_HTML = "/ots/follower_counts"


def timed(command: list[str], cwd: Path = ROOT) -> tuple[float, int, float]:
    """Wall time, peak memory (KiB) and CPU time (user + system, every thread) of one command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


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
    best = min(builds)
    return {
        "follower_count_rows": rows,
        "validated_build_s": round(best[0], 2),
        "cpu_s": round(best[2], 2),
        "peak_memory_mib": round(max(b[1] for b in builds) / 1024),
        "sqlite_import_floor_s": round(min(floors), 2),
        "ratio": round(best[0] / min(floors), 2),
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


def prepare_steps(db: Path, work: Path) -> dict:
    """Time and peak memory of the steps of `make serve` after the build, on a given database
    (written to a scratch folder, never to build/ or site/)."""
    work.mkdir(parents=True, exist_ok=True)
    commands = {
        "metadata": [PY, str(ROOT / "scripts/metadata.py"), "--out", str(work / "metadata.json")],
        "inspect": [str(serving.DATASETTE), "inspect", str(db), "--inspect-file", str(work / "inspect.json")],
        "docs": [PY, str(ROOT / "scripts/docs.py"), "--db", str(db)]
        + ["--site", str(work / "site"), "--work", str(work / "docs")],
    }
    steps = {}
    for name, command in commands.items():
        seconds, peak_kib, _ = timed(command)
        steps[name] = {"seconds": round(seconds, 2), "peak_memory_mib": round(peak_kib / 1024)}
    return steps


def cold_on_one_datasette(base: str, seconds: int) -> dict:
    """A cold table page as HTML and JSON (a new query string each time) against a static file,
    all from one Datasette: what the project's own code costs per page, without nginx."""
    results = {"static": dict(servers.run_wrk(base + DATASETTE_STATIC, seconds), path=DATASETTE_STATIC)}
    for name, path in (("cold_html", COLD_HTML), ("cold_json", COLD_HTML + ".json")):
        results[name] = dict(servers.run_wrk(base + path, seconds, script=servers.cold_script(path)), path=path)
    static = results["static"]["requests_per_second"]
    for result in results.values():
        result["ratio_to_static"] = round(result["requests_per_second"] / static, 3)
    return results


def render(report: dict) -> str:
    b, t = report["build"], TARGETS
    ok = lambda good: "met" if good else "**not met**"  # noqa: E731
    large = b["1M"]
    lines = [
        "## Benchmarks (`make bench`)\n",
        f"Synthetic rounds written as the round template and the platforms show counts "
        f"({report['synthetic']}), generated by `scripts/synth.py` outside `data/` and never published; "
        "the real data for the real size. Each build is the full validated build (every rule, every "
        "message); the floor is SQLite's own `.import` of the same CSVs with no checks. The build uses "
        "both cores (validation beside the load); the floor one.\n",
        "| size | follower counts | validated build | CPU time | floor (.import) | ratio | peak memory |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in b.items():
        lines.append(
            f"| {name} | {r['follower_count_rows']:,} | {r['validated_build_s']} s | {r['cpu_s']} s | "
            f"{r['sqlite_import_floor_s']} s | {r['ratio']}x | {r['peak_memory_mib']} MiB |"
        )
    growth = round(large["ratio"] / b["100k"]["ratio"], 2)
    lines += [
        "",
        "| target at a million rows | measured | |",
        "|---|---|---|",
        f"| build within {t['build_ratio']}x of the floor | {large['ratio']}x | "
        f"{ok(large['ratio'] <= t['build_ratio'])} |",
        f"| ratio flat or falling from 100k to 1M (at most {t['build_ratio_growth']}x) | {growth}x | "
        f"{ok(growth <= t['build_ratio_growth'])} |",
        f"| build peak memory under {t['build_memory_mib']} MiB | {large['peak_memory_mib']} MiB | "
        f"{ok(large['peak_memory_mib'] < t['build_memory_mib'])} |",
        "",
        "Every step of `make serve`'s preparation, real size against a million rows:\n",
        "| step | real size | peak | 1M rows | peak | ratio |",
        "|---|---|---|---|---|---|",
    ]
    steps = report["steps"]
    small_build, real = b["real"], steps["real"]
    lines.append(
        f"| build | {small_build['validated_build_s']} s | {small_build['peak_memory_mib']} MiB | "
        f"{large['validated_build_s']} s | {large['peak_memory_mib']} MiB | "
        f"{round(large['validated_build_s'] / small_build['validated_build_s'], 1)}x |"
    )
    for name, r in steps["1M"].items():
        lines.append(
            f"| {name} | {real[name]['seconds']} s | {real[name]['peak_memory_mib']} MiB | {r['seconds']} s | "
            f"{r['peak_memory_mib']} MiB | {round(r['seconds'] / real[name]['seconds'], 1)}x |"
        )
    docs_ratio = round(steps["1M"]["docs"]["seconds"] / real["docs"]["seconds"], 2)
    heaviest = max([large["peak_memory_mib"], *(r["peak_memory_mib"] for r in steps["1M"].values())])
    lines += [
        "",
        f"Docs step at a million rows within {t['docs_ratio']}x of the real size: {docs_ratio}x, "
        f"{ok(docs_ratio <= t['docs_ratio'])}. No step above {t['step_memory_mib']} MiB: the largest peak is "
        f"{heaviest} MiB, {ok(heaviest <= t['step_memory_mib'])}.",
    ]
    p = report["proxy"]
    lines += [
        "",
        f"Throughput at {large['follower_count_rows']:,} rows through `make serve-prod`'s nginx "
        f"({p['replicas']} replicas), wrk, {p['connections']} connections, {p['seconds']} s each, 127.0.0.1:\n",
        servers.proxy_table(p["urls"]),
    ]
    c = report["cold"]
    cold_html = c["cold_html"]["ratio_to_static"]
    lines += [
        "",
        f"A cold page from one Datasette (no cache in front; a new query string every request) against a "
        f"static file from the same Datasette, at {large['follower_count_rows']:,} rows:\n",
        "| URL | requests/s | share of the static file's rate |",
        "|---|---|---|",
        *(
            f"| `{r['path']}`{' (cold)' if name != 'static' else ' (static)'} | {r['requests_per_second']:,.0f} | "
            f"{r['ratio_to_static']} |"
            for name, r in c.items()
        ),
        "",
        f"Cold HTML table page at least {t['cold_html_vs_datasette_static']}x the static file: {cold_html}x, "
        f"{ok(cold_html >= t['cold_html_vs_datasette_static'])}.",
    ]
    lines += [
        "",
        "Median page latency (ms) over repeated requests, real size against a million rows:\n",
        "| page | real size | 1M rows | ratio | within 2x |",
        "|---|---|---|---|---|",
    ]
    for name, r in report["latency"].items():
        lines.append(
            f"| {name} (`{r['path']}`) | {r['small_ms']:.1f} | {r['large_ms']:.1f} | {r['ratio']}x | "
            f"{ok(r['ratio'] <= t['latency_ratio'])} |"
        )
    return "\n".join(lines) + "\n"


def real_project(work: Path) -> Path:
    project = work / "real"
    project.mkdir()
    shutil.copyfile(ROOT / "datapackage.yaml", project / "datapackage.yaml")
    shutil.copytree(ROOT / "data", project / "data")
    return project


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per URL")
    parser.add_argument("--runs", type=int, default=2, help="builds per size (the best is reported)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reports")
    args = parser.parse_args(argv)
    work = ROOT / "build" / "bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    projects, mix = {"real": real_project(work)}, {}
    for name, days in CURVE_DAYS.items():
        print(f"generating {args.accounts} accounts x {days} days of synthetic rounds ...", file=sys.stderr)
        mix[name] = synth.generate(work / f"synthetic-{name}", args.accounts, days)
        projects[name] = work / f"synthetic-{name}"
    print("timing builds ...", file=sys.stderr)
    build, dbs = {}, {}
    for name, project in projects.items():
        (work / name).mkdir(exist_ok=True)
        build[name] = measure_build(project, work / name, args.runs)
        dbs[name] = work / name / "ots.db"
        Path(build[name].pop("db")).rename(dbs[name])
    print("timing the other steps of make serve ...", file=sys.stderr)
    steps = {name: prepare_steps(dbs[name], work / name / "steps") for name in ("real", "1M")}
    print("measuring the servers ...", file=sys.stderr)
    with production(dbs["1M"], work) as base:
        proxy = servers.compare_through_proxy(base, args.seconds)
    with datasette(dbs["1M"]) as base:
        cold = cold_on_one_datasette(base, args.seconds)
        large = {name: latency(base, path, 15) for name, path in LATENCY_PATHS.items()}
    with datasette(dbs["real"]) as base:
        small = {name: latency(base, path, 15) for name, path in LATENCY_PATHS.items()}
    lat = {
        name: {
            "path": path,
            "small_ms": round(small[name], 1),
            "large_ms": round(large[name], 1),
            "ratio": round(large[name] / small[name], 2),
        }
        for name, path in LATENCY_PATHS.items()
    }
    report = {
        "synthetic": f"{args.accounts:,} accounts x 1,000 daily rounds at 1M: {synth.describe(mix['1M'])}",
        "mix": mix,
        "targets": TARGETS,
        "build": build,
        "steps": steps,
        "proxy": {"seconds": args.seconds, "connections": 20, "replicas": 2, "urls": proxy},
        "cold": cold,
        "latency": lat,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "bench.md").write_text(render(report), encoding="utf-8")
    print(render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
