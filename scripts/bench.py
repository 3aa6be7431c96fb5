"""Benchmarks (`make bench`), on synthetic rounds written the way the round template and the
platforms write counts (scripts/synth.py: mostly 60.2K, 21.3M, 4,6K; some exact; a few absences):

- the validated build against SQLite's own bulk import of the same CSVs, at the real size and at
  10,000, 100,000 and 1,000,000 rows (the curve), with peak memory;
- every step of `make serve`'s preparation (build, metadata, inspect, docs) at the real size and
  at a million rows, time and peak memory;
- hot (cached) and cold pages through `make serve-prod`'s nginx against the same bytes served as a
  static file by the same nginx, and the seconds `make serve-prod` takes to warm its cache;
- other readers' latency while one client floods the replicas with slow SQL (p99 within 2x);
- `make mirror` at the real size, 10,000 and 100,000 rows: seconds, disk, pages per second;
- each kind of page, cold, from one Datasette with the project's plugin and templates against stock
  Datasette serving the same database (ots_data/stock_datasette.py), and against a static file;
- page latency, facets included, at the real size and at a million rows.

Targets are checked here and reported, never asserted in tests. `--only SECTION ...` measures some
sections again and keeps the other figures of the last docs/reports/bench.json.

Writes docs/reports/bench.json and docs/reports/bench.md (rendered on the docs' Performance
page). Servers listen on 127.0.0.1 only and are stopped by their process group.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ots_data import mirror, servers, serving, synth
from ots_data.project import ROOT
from ots_data.schema import load_resources
from ots_data.stock_datasette import stock_argv

PY = sys.executable
TARGETS = {
    "build_ratio": 4.0,  # at a million rows, against SQLite's .import
    "build_ratio_growth": 1.1,  # "flat or falling" from 100k to 1M: at most 10% above
    "build_memory_mib": 300,
    "docs_ratio": 2.0,  # the docs step at a million rows against the real size
    "step_memory_mib": 1024,
    "latency_ratio": 2.0,
    "cold_html_vs_datasette_static": 0.15,
    "cold_json_vs_datasette_static": 0.5,
    "pages_vs_stock": 1.0,  # no page slower than stock Datasette serving the same database
    **{f"{k}_vs_static": v for k, v in servers.PROXY_TARGETS.items()},
    "flood_p99_ratio": servers.FLOOD_TARGET,  # a page's p99 under a flood of SQL against unloaded
    "mirror_rate_flat": 0.8,  # pages per second at 10k and 100k rows at least this share of the real size's
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
# Each kind of page a reader opens, cold (a new query string each time), from one Datasette with
# the project's plugin and from stock Datasette; and a static file from the same server.
DATASETTE_STATIC = "/assets/datasette.css"
PAGES = {
    "landing page": "/",
    "table, HTML": "/ots/follower_counts",
    "table, JSON": "/ots/follower_counts.json",
    "table, CSV": "/ots/follower_counts.csv",
    "cited row page": "/ots/follower_counts/altun-2023-t2-r04-instagram",
    "canned query (Table 2)": "/ots/article_table_2",
}
QUERY_PAGES = {"/ots/article_table_2"}
RUNS_PER_PAGE = 3
# The mirror (make mirror) at the real size and on 10,000 and 100,000 synthetic counts: every count is
# a sitemap address, so a page each. MIRROR_BASE is the address its pages name. At 100,000 a run takes
# about half an hour, so only the sizes in MIRROR_RERENDER are rendered a second time (every page again,
# to count the files whose bytes changed); every size is then run once more on its unchanged build.
MIRROR_SIZES = ("real", "10k", "100k")
MIRROR_RERENDER = ("real", "10k")
# The sections of a run, in order; --only measures some of them again.
SECTIONS = ("build", "servers", "mirror", "pages", "latency")
MIRROR_BASE = "http://data.example.org"  # alternating project and stock runs; the median of each is reported


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
def production(db: Path, work: Path, site_root: Path | None = None) -> Iterator[tuple[str, Path]]:
    """`make serve-prod`'s topology (nginx in front of two replicas) on a given database, once it
    has warmed its cache; yields its address and its log. site_root: the folder served at /docs/."""
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
        *(["--site", str(site_root)] if site_root else []),
    ]
    with servers.serve_prod(command, port) as (base, _, log):
        yield base, log


def measure_mirror(db: Path, out: Path, rerender: bool) -> dict:
    """make mirror on a database: pages, seconds and disk for a first run; with rerender, what a
    second run rendering every page again writes (nothing, if only changed bytes are written); and
    the seconds of a run on the unchanged build (no page rendered: the fingerprint is the same)."""
    metadata = out.with_name(out.name + "-metadata.json")
    subprocess.run([PY, str(ROOT / "scripts/metadata.py"), "--out", str(metadata)], check=True, capture_output=True)

    def run(reuse: bool) -> tuple[float, mirror.Written]:
        began = time.perf_counter()
        done = asyncio.run(mirror.render(MIRROR_BASE, out, db=db, metadata=metadata, with_folders=False, reuse=reuse))
        return time.perf_counter() - began, done

    first_s, first = run(reuse=False)
    second_s, second = run(reuse=False) if rerender else (None, None)
    kept_s, kept = run(reuse=True)
    assert kept.reused and kept.pages == 0, "an unchanged build rendered pages again"
    return {
        "pages": first.pages,
        "seconds": round(first_s, 1),
        "pages_per_second": round(first.pages / first_s),
        "mib": round(sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20, 1),
        "second_run_seconds": round(second_s, 1) if second else None,
        "second_run_written": len(second.written) if second else None,
        "unchanged_build_seconds": round(kept_s, 1),
    }


def flood_readers(base: str) -> dict:
    """The readers measured under a flood: the cited row pages in turn and the front page (files of
    the mirror), and a page only a replica answers (a query string never asked before)."""
    sitemap = urllib.request.urlopen(base + "/sitemap.xml", timeout=30).read().decode("utf-8")
    paths = [re.sub(r"^https?://[^/]+", "", html.unescape(u)) for u in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    cited = [p for p in paths if p.count("/") >= 3][:40]
    made_on_request = "/ots/follower_counts"
    return {
        "cited row pages, in turn (the mirror)": (cited[0], lambda: servers.rotating_script(cited)),
        "the front page (the mirror)": ("/", lambda: None),
        "a page made on request (a replica)": (made_on_request, lambda: servers.cold_script(made_on_request)),
    }


def warm_seconds(log: Path) -> dict:
    """What serve_prod.py says of warming its cache from the sitemap."""
    found = servers.WARMED.search(log.read_text())
    if not found or found.group(2) is None:
        return {"skipped": True}
    return {"warmed": int(found.group(2)), "addresses": int(found.group(3)), "seconds": float(found.group(4))}


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


@contextmanager
def one_datasette(argv: list[str], port: int) -> Iterator[str]:
    with servers.started(argv, f"http://127.0.0.1:{port}"):
        yield f"http://127.0.0.1:{port}"


def pages_against_stock(db: Path, inspect: Path, work: Path, seconds: int) -> dict:
    """Each page, cold, from one Datasette configured as every replica is, from stock Datasette
    (no project plugin or templates, the same metadata), and from stock Datasette with no metadata
    at all (what the metadata itself costs); runs alternate, and the median of each is kept."""
    empty = work / "empty-metadata.json"
    empty.write_text("{}", encoding="utf-8")
    ports = [servers.free_port() for _ in range(3)]
    servers_argv = {
        "project": serving.serve_argv("127.0.0.1", ports[0], db=db, inspect=inspect),
        "stock": stock_argv("127.0.0.1", ports[1], db=db, inspect=inspect),
        "stock_no_metadata": stock_argv("127.0.0.1", ports[2], db=db, inspect=inspect, metadata=empty),
    }
    run_seconds = max(3, seconds // RUNS_PER_PAGE)
    with (
        one_datasette(servers_argv["project"], ports[0]) as project,
        one_datasette(servers_argv["stock"], ports[1]) as stock,
        one_datasette(servers_argv["stock_no_metadata"], ports[2]) as bare,
    ):
        bases = {"project": project, "stock": stock, "stock_no_metadata": bare}
        results = {}
        for name, path in {"static file": DATASETTE_STATIC, **PAGES}.items():
            script = None if path == DATASETTE_STATIC else servers.cold_script(path)
            rates: dict[str, list[float]] = {kind: [] for kind in bases}
            for _ in range(RUNS_PER_PAGE):
                for kind, base in bases.items():
                    if kind == "stock_no_metadata" and path in QUERY_PAGES:
                        continue  # a canned query is defined in the metadata
                    run = servers.run_wrk(base + path, run_seconds, script=script)
                    assert run["errors"] == 0, f"{kind} {path}: {run}"
                    rates[kind].append(run["requests_per_second"])
            results[name] = {
                "path": path,
                **{kind: round(statistics.median(r), 1) if r else None for kind, r in rates.items()},
            }
    static = results["static file"]["project"]
    for result in results.values():
        result["share_of_static"] = round(result["project"] / static, 3)
        result["project_vs_stock"] = round(result["project"] / result["stock"], 2)
    return results


def rate(requests_per_second: float | None) -> str:
    return "(a query of the metadata)" if requests_per_second is None else f"{requests_per_second:,.0f}"


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
    w = report["warm"]
    warm = (
        f"`make serve-prod` asked nginx for every sitemap address in {w['seconds']} s ({w['warmed']} of "
        f"{w['addresses']} answered, at the real size; files of the mirror) before the first measurement."
        if not w.get("skipped")
        else "`make serve-prod` could not warm its cache: /sitemap.xml did not answer."
    )
    m = report["mirror"]
    flat = {name: round(r["pages_per_second"] / m["real"]["pages_per_second"], 2) for name, r in m.items()}
    not_again = "(not run: half an hour)"
    lines += [
        "",
        warm,
        "",
        "`make mirror` (the static copy `make serve-prod` serves first), on the real data and on "
        f"{' and '.join(n for n in m if n != 'real')} synthetic counts (each a sitemap address), without the "
        "docs and releases it copies. A second run renders every page again and rewrites only the files whose "
        "bytes changed; a run on an unchanged build renders nothing (its fingerprint is that of the last run):\n",
        "| size | pages | seconds | pages/s | rate against the real size | disk | second run: seconds | "
        "files it rewrote | unchanged build: seconds |",
        "|---|---|---|---|---|---|---|---|---|",
        *(
            f"| {name} | {r['pages']:,} | {r['seconds']} | {r['pages_per_second']} | {flat[name]}x | {r['mib']} MiB | "
            f"{not_again if r['second_run_seconds'] is None else r['second_run_seconds']} | "
            f"{'' if r['second_run_written'] is None else r['second_run_written']} | "
            f"{r.get('unchanged_build_seconds', '')} |"
            for name, r in m.items()
        ),
        "",
        f"Rate flat as rows grow (every size at least {t['mirror_rate_flat']}x the real size's pages per second): "
        f"{ok(all(v >= t['mirror_rate_flat'] for v in flat.values()))}.",
        "",
        f"Throughput through `make serve-prod`'s nginx ({p['replicas']} replicas) at the real size, wrk, "
        f"{p['connections']} connections, {p['seconds']} s each, 127.0.0.1; each page the mirror answers is also "
        "compared with the same bytes served as a static file by the same nginx:\n",
        servers.proxy_table(p["urls"]),
    ]
    f = report.get("flood", {"readers": {}})  # none in a report written before the flood was measured
    lines += (
        []
        if not f["readers"]
        else [
            "",
            f"Other readers while one client (127.0.0.2) floods the replicas with slow SQL ({servers.FLOOD_THREADS} "
            f"threads, {servers.FLOOD_THREADS * servers.FLOOD_RATE_PER_THREAD} requests a second, each query about "
            f"a second of a replica's time): wrk, {f['connections']} connections, {f['seconds']} s unloaded and "
            "then the same under the flood, through `make serve-prod` at the real size:\n",
            "| reader's page | p99 unloaded | p99 under the flood | ratio | target | errors (unloaded, flood) | "
            "what the flood got |",
            "|---|---|---|---|---|---|---|",
            *(
                f"| {name} `{r['path']}` | {r['unloaded_p99_ms']} ms | {r['flooded_p99_ms']} ms | {r['ratio']}x | "
                f"at most {r['target']}x: {ok(r['met'])} | {r['unloaded_errors']}, {r['flooded_errors']} | "
                f"{', '.join(f'{n} x {s}' for s, n in r['flood_answers'].items())} |"
                for name, r in f["readers"].items()
            ),
        ]
    )
    pages = report["pages"]
    static = pages["static file"]
    lines += [
        "",
        "Each page cold (a new query string every request), from one Datasette configured as every replica "
        "is, against stock Datasette 0.65 serving the same database (no project plugin or templates, the same "
        "metadata) and stock Datasette with no metadata, at the real size; medians of "
        f"{RUNS_PER_PAGE} alternating runs. The static file is `{static['path']}` from the same server.\n",
        "| page | with the project: requests/s | share of the static file | stock: requests/s | "
        "project / stock | stock, no metadata: requests/s |",
        "|---|---|---|---|---|---|",
        *(
            f"| {name} `{r['path']}` | {r['project']:,.0f} | {r['share_of_static']} | {r['stock']:,.0f} | "
            f"{r['project_vs_stock']}x | "
            f"{rate(r['stock_no_metadata'])} |"
            for name, r in pages.items()
        ),
        "",
    ]
    html, json_page = pages["table, HTML"]["share_of_static"], pages["table, JSON"]["share_of_static"]
    slower = [
        name for name, r in pages.items() if name != "static file" and r["project_vs_stock"] < t["pages_vs_stock"]
    ]
    lines += [
        f"- Cold HTML table page at least {t['cold_html_vs_datasette_static']}x the static file: {html}x, "
        f"{ok(html >= t['cold_html_vs_datasette_static'])}.",
        f"- Cold JSON table page at least {t['cold_json_vs_datasette_static']}x the static file: {json_page}x, "
        f"{ok(json_page >= t['cold_json_vs_datasette_static'])}.",
        f"- No page slower than stock Datasette: {ok(not slower)}"
        + (f" (slower: {', '.join(slower)})." if slower else "."),
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
    parser.add_argument(
        "--only",
        nargs="+",
        choices=SECTIONS,
        help="measure these sections only; the others keep their figures from the last bench.json",
    )
    args = parser.parse_args(argv)
    sections = set(args.only or SECTIONS)
    # Read first: a run of an hour must not fail at its end for want of the figures it keeps.
    last = json.loads((args.out / "bench.json").read_text(encoding="utf-8")) if args.only else {}
    work = ROOT / "build" / "bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # The sizes each section measures; the build section times every size.
    needed = {"build": {"real", *CURVE_DAYS}, "servers": {"real"}, "pages": {"real"}, "latency": {"real", "1M"}}
    needed["mirror"] = set(MIRROR_SIZES)
    sizes = set().union(*(needed[s] for s in sections))
    projects, mix = {"real": real_project(work)}, {}
    for name, days in CURVE_DAYS.items():
        if name in sizes:
            print(f"generating {args.accounts} accounts x {days} days of synthetic rounds ...", file=sys.stderr)
            mix[name] = synth.generate(work / f"synthetic-{name}", args.accounts, days)
            projects[name] = work / f"synthetic-{name}"
    report = {"targets": TARGETS}
    if "build" in sections:
        report["synthetic"] = f"{args.accounts:,} accounts x 1,000 daily rounds at 1M: {synth.describe(mix['1M'])}"
        report["mix"] = mix
    print("building (and timing, if asked) ...", file=sys.stderr)
    build, dbs = {}, {}
    for name in sorted(sizes):
        (work / name).mkdir(exist_ok=True)
        dbs[name] = work / name / "ots.db"
        if "build" in sections:
            build[name] = measure_build(projects[name], work / name, args.runs)
            Path(build[name].pop("db")).rename(dbs[name])
        else:
            timed([PY, str(ROOT / "scripts/build.py"), "--root", str(projects[name]), "--db", str(dbs[name])])
    if "build" in sections:
        report["build"] = {name: build[name] for name in ("real", *CURVE_DAYS)}
        print("timing the other steps of make serve ...", file=sys.stderr)
        report["steps"] = {name: prepare_steps(dbs[name], work / name / "steps") for name in ("real", "1M")}
    if "servers" in sections:
        print("measuring the servers ...", file=sys.stderr)
        docs_root = work / "docs-root"  # /docs/ of the measured nginx: the docs home and the hot pages' twins
        docs_root.mkdir()
        shutil.copyfile(serving.STATIC_MOUNTS["docs"] / "index.html", docs_root / "index.html")
        # At the real size: make serve-prod writes the mirror of every sitemap address before nginx
        # starts (at a million rows, a million pages: hours at the rate the mirror's own figures give).
        with production(dbs["real"], work, site_root=docs_root) as (base, log):
            report["warm"] = warm_seconds(log)
            proxy = servers.compare_through_proxy(base, args.seconds, docs_root=docs_root)
            report["proxy"] = {"seconds": args.seconds, "connections": 20, "replicas": 2, "urls": proxy}
            print("measuring other readers under a flood of SQL ...", file=sys.stderr)
            readers = servers.readers_under_flood(base, flood_readers(base), args.seconds, connections=2)
            report["flood"] = {"seconds": args.seconds, "connections": 2, "readers": readers}
    if "mirror" in sections:
        print("writing the mirror ...", file=sys.stderr)
        report["mirror"] = {
            name: measure_mirror(dbs[name], work / f"mirror-{name}", rerender=name in MIRROR_RERENDER)
            for name in MIRROR_SIZES
        }
    if "pages" in sections:
        print("comparing each page with stock Datasette ...", file=sys.stderr)
        report["pages"] = pages_against_stock(dbs["real"], inspected(dbs["real"]), work, args.seconds)
    if "latency" in sections:
        with datasette(dbs["1M"]) as base:
            large = {name: latency(base, path, 15) for name, path in LATENCY_PATHS.items()}
        with datasette(dbs["real"]) as base:
            small = {name: latency(base, path, 15) for name, path in LATENCY_PATHS.items()}
        report["latency"] = {
            name: {
                "path": path,
                "small_ms": round(small[name], 1),
                "large_ms": round(large[name], 1),
                "ratio": round(large[name] / small[name], 2),
            }
            for name, path in LATENCY_PATHS.items()
        }
    if args.only:  # the sections not measured again keep their last figures
        report = {**last, **report}
    order = ("synthetic", "mix", "targets", "build", "steps", "warm", "mirror", "proxy", "flood", "pages", "latency")
    report = {key: report[key] for key in order if key in report}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "bench.md").write_text(render(report), encoding="utf-8")
    print(render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
