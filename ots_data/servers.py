"""Start servers on 127.0.0.1 for the load test, the benchmarks and the tests: a free port,
waiting until a server answers, `make serve` and `make serve-prod` as a reader starts them, and
wrk against them. A server is stopped by the process group this module started (and only that one).
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from ots_data.project import ROOT
from ots_data.serving import free_port  # noqa: F401 (the tests' and tools' free port)

# Targets of the proxy comparison (make bench): the rate of a hot page through nginx's cache as a
# share of the rate of the same bytes served as a static file by the same nginx (its "twin").
# A cited row page is a file of the mirror (make serve-prod writes it before nginx starts), so its
# first reader and every later one get the same answer: its target is that of a static file.
PROXY_TARGETS = {"hot_html": 0.8, "hot_json": 0.8, "cited_row": 0.9}
PROXY_PATHS = {
    "static": "/docs/",  # the documentation's home page: a static HTML page of this site
    "hot_html": "/ots/follower_counts",
    "hot_json": "/ots/follower_counts.json",
    "cited_row": "/ots/follower_counts/altun-2023-t2-r04-instagram",
    "cold_json": "/ots/follower_counts.json",  # with a query string never asked before, see COLD_LUA
}
TWIN_FOLDER = "twins"  # under the docs root nginx serves: /docs/twins/hot_html.html, ...
# The line serve_prod.py prints when warming the cache from the sitemap has ended, either way.
WARMED = re.compile(
    r"^(warmed the cache: (\d+) of (\d+) sitemap addresses in ([\d.]+) s|warming the cache skipped)", re.M
)
# Every request of a cold run carries a query string no earlier request had (a counter per wrk
# thread), so nginx's cache never has it and a replica answers. Datasette ignores unknown `_` keys.
COLD_LUA = """
local counter, id, started = 0, 0, 0
function setup(thread) started = started + 1; thread:set("id", started) end
function init(args) id = wrk.thread:get("id") end
request = function()
  counter = counter + 1
  return wrk.format("GET", "%s?_cold=" .. id .. "-" .. counter .. "-%s")
end
"""


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped before answering:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)  # the group started with start_new_session=True
    except ProcessLookupError:
        pass
    process.wait(timeout=60)


@contextmanager
def started(command: list[str], base: str, cwd: Path = ROOT) -> Iterator[tuple[subprocess.Popen, Path]]:
    """Run a server command in its own process group, its output in a log file (a pipe nobody
    reads would fill up and stall the server); yield (process, log path) once `base` answers."""
    with tempfile.TemporaryDirectory(prefix="ots-server-") as folder:
        log = Path(folder) / "server.log"
        with open(log, "wb") as output:
            process = subprocess.Popen(
                command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            wait_until_up(base + "/", process, log)
            yield process, log
        finally:
            stop(process)


@contextmanager
def make_serve() -> Iterator[tuple[str, subprocess.Popen]]:
    """`make serve` on a free port, exactly as the README tells a reader; yields the base URL and
    the process (the leader of its process group)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with started(["make", "--no-print-directory", "serve", f"PORT={port}"], base) as (process, _):
        yield base, process


@contextmanager
def serve_prod(
    command: list[str] | None = None, port: int | None = None
) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    """`make serve-prod` (or another serve_prod.py command) on a free port; yields the base URL,
    the process and its log, which names the pid of the supervisor, nginx and each replica."""
    port = port or free_port()
    command = command or ["make", "--no-print-directory", "serve-prod", f"PORT={port}"]
    with started(command, f"http://127.0.0.1:{port}") as (process, log):
        # nginx answers a moment before the supervisor says so; then it warms the cache from the
        # sitemap, which measurements must not overlap.
        deadline = time.monotonic() + 600
        while not WARMED.search(log.read_text()) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", process, log
    # Its files (logs, cache) under build/serve-prod/<port>/: a free port is never asked for again.
    shutil.rmtree(ROOT / "build" / "serve-prod" / str(port), ignore_errors=True)


def pids(log: Path) -> dict:
    """The live pids named in a serve-prod log: the supervisor, nginx and each replica (the last
    start of each wins, as a replica that dies is started again)."""
    text = log.read_text()
    found = {"replicas": {}}
    for number, pid in re.findall(r"^replica (\d+): pid (\d+)", text, re.M):
        found["replicas"][int(number)] = int(pid)
    if m := re.search(r"^serve-prod: pid (\d+)", text, re.M):
        found["supervisor"] = int(m.group(1))
    if m := re.findall(r"^nginx: pid (\d+)", text, re.M):
        found["nginx"] = int(m[-1])
    return found


# How long wrk waits for an answer before it counts a timeout: a reader's browser waits far longer
# than wrk's default of 2 s, so a slow answer under saturation is reported as latency, not an error.
WRK_TIMEOUT_S = 10


def run_wrk(url: str, seconds: int, connections: int = 20, script: str | None = None) -> dict:
    """One wrk run on 127.0.0.1: requests, rate, latency and every kind of error it counts."""
    assert url.startswith("http://127.0.0.1:"), "load only ever targets loopback"
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"--timeout={WRK_TIMEOUT_S}s", "--latency", url]
        if script:
            lua.write(script)
            lua.flush()
            command[1:1] = ["-s", lua.name]
        out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    kinds = (
        {k: int(v) for k, v in re.findall(r"(connect|read|write|timeout) (\d+)", m.group(0))}
        if (m := re.search(r"Socket errors:.*", out))
        else {}
    )
    socket_errors = sum(kinds.values())
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        # the latency distribution lines ("  50%   12.3ms"), not a "69.50%" of the thread stats
        "latency_p50": re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1),
        "latency_p99": re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1),
        "latency_max": re.search(r"^\s*Latency\s+\S+\s+\S+\s+(\S+)", out, re.M).group(1),
        "non_2xx": non_2xx,
        "socket_errors": socket_errors,
        "socket_error_kinds": kinds,
        "errors": non_2xx + socket_errors,
    }


def cold_script(path: str) -> str:
    return COLD_LUA % (path, os.urandom(4).hex())


def compare_through_proxy(base: str, seconds: int, connections: int = 20, docs_root: Path | None = None) -> dict:
    """A static page, a hot (cached) table page as HTML and as JSON, and a cold JSON page, one after
    the other through the same nginx; each rate also as a share of the static page's. With docs_root
    (the folder nginx serves at /docs/, one the caller owns), each hot page's bytes are written there
    as a static file, its twin, and the hot page's rate is judged against its twin's."""
    results = {}
    for name, path in PROXY_PATHS.items():
        # One request first: it fills the cache for the hot runs, and gives the size of an answer.
        body = urllib.request.urlopen(base + path, timeout=30).read()
        script = cold_script(path) if name.startswith("cold") else None
        results[name] = dict(run_wrk(base + path, seconds, connections, script), path=path, bytes=len(body))
        if docs_root is not None and name in PROXY_TARGETS:
            twin = f"{TWIN_FOLDER}/{name}.{'json' if path.endswith('.json') else 'html'}"
            (docs_root / twin).parent.mkdir(parents=True, exist_ok=True)
            (docs_root / twin).write_bytes(body)
            twin_path = f"/docs/{twin}"
            assert urllib.request.urlopen(base + twin_path, timeout=30).read() == body
            results[name]["twin"] = dict(run_wrk(base + twin_path, seconds, connections), path=twin_path)
    static = results["static"]["requests_per_second"]
    for name, result in results.items():
        result["ratio_to_static"] = round(result["requests_per_second"] / static, 3)
        if "twin" in result:
            result["ratio_to_twin"] = round(result["requests_per_second"] / result["twin"]["requests_per_second"], 3)
            result["target"] = PROXY_TARGETS[name]
            result["met"] = result["ratio_to_twin"] >= PROXY_TARGETS[name]
    return results


def proxy_table(results: dict) -> str:
    """The proxy comparison as a Markdown table, each target marked met or not (bench and loadtest)."""
    labels = {
        "static": "a static page (nginx)",
        "hot_html": "table page, HTML (the mirror)",
        "hot_json": "table page, JSON (the mirror)",
        "cited_row": "a cited row page, its first reader (the mirror)",
        "cold_json": "a query string never asked before (a replica answers)",
    }
    lines = [
        "| URL | bytes | requests/s | errors | share of the static page's rate "
        "| same bytes as a static file: requests/s | share of it | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        target = f"at least {r['target']}: {'met' if r['met'] else '**not met**'}" if "target" in r else ""
        path = r["path"] + ("?_cold=<new each time>" if name.startswith("cold") else "")
        twin = f"{r['twin']['requests_per_second']:,.0f} | {r['ratio_to_twin']}" if "twin" in r else " | "
        lines.append(
            f"| {labels[name]} `{path}` | {r['bytes']:,} | {r['requests_per_second']:,.0f} | {r['errors']} | "
            f"{r['ratio_to_static']} | {twin} | {target} |"
        )
    return "\n".join(lines) + "\n"


# -- a flood of slow SQL from one client (issue 22: it must harm only its sender) ---------------------
# The flooding client is 127.0.0.2: another address on the loopback interface, so nginx counts it as
# a client of its own (127.0.0.1, this machine, is exempt from the rate limit). Its query counts to
# three million: about a second of a replica's SQL thread, Datasette's time limit.
FLOOD_SOURCE = "127.0.0.2"
FLOOD_PATH = "/ots.json?sql=" + urllib.parse.quote(
    "with recursive c(x) as (select 1 union all select x + 1 from c where x < 3000000) select count(*) from c"
)
FLOOD_THREADS = 30
FLOOD_RATE_PER_THREAD = 10  # requests a second each, so 300 a second in all: thirty times the limit
# The flood's target for other readers (make bench): the p99 latency of a page under the flood at most
# this many times the unloaded figure.
FLOOD_TARGET = 2.0


def get_from(source: str, url: str) -> tuple[int, dict]:
    """GET from another loopback address (127.0.0.2): another client, as nginx sees it."""
    assert url.startswith("http://127.0.0.1:"), "load only ever targets loopback"
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60, source_address=(source, 0))
    try:
        connection.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
        answer = connection.getresponse()
        answer.read()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}
    finally:
        connection.close()


@contextmanager
def flooding(base: str, seconds: float) -> Iterator[list[tuple[int, dict]]]:
    """One client (FLOOD_SOURCE) sending slow SQL, each query new, from FLOOD_THREADS threads paced at
    FLOOD_RATE_PER_THREAD requests a second, for at most `seconds` (bounded) or until the block ends.
    Yields the list its answers (status, headers) are added to; the block's end waits for the last."""
    answers: list[tuple[int, dict]] = []
    stop = threading.Event()
    deadline = time.monotonic() + seconds

    def flood() -> None:
        while not stop.is_set() and time.monotonic() < deadline:
            began = time.monotonic()
            answers.append(get_from(FLOOD_SOURCE, f"{base}{FLOOD_PATH}&_flood={uuid.uuid4().hex}"))
            stop.wait(max(0.0, 1 / FLOOD_RATE_PER_THREAD - (time.monotonic() - began)))

    with ThreadPoolExecutor(max_workers=FLOOD_THREADS) as pool:
        floods = [pool.submit(flood) for _ in range(FLOOD_THREADS)]
        try:
            yield answers
        finally:
            stop.set()
            for future in floods:
                future.result()


ROTATE_LUA = """
local paths, i = {%s}, 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def rotating_script(paths: list[str]) -> str:
    """A wrk script asking for each of `paths` in turn."""
    return ROTATE_LUA % ", ".join(f'"{p}"' for p in paths)


def wrk_ms(text: str) -> float:
    """wrk's latency ("812.00us", "1.25ms", "1.02s", "1.50m", "1.00h") in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}[unit]


def readers_under_flood(
    base: str, readers: dict[str, tuple[str, Callable[[], str | None]]], seconds: int, connections: int = 4
) -> dict:
    """Each reader's page (name -> (url path, a function giving its wrk script, new for each run: a
    cold script must not ask again what the run before asked)), unloaded and then while one client
    floods the replicas with slow SQL: the p99 latency of each and their ratio, and what the flood got."""
    results = {}
    for name, (path, script) in readers.items():
        unloaded = run_wrk(base + path, seconds, connections, script())
        with flooding(base, seconds + 10) as answers:
            time.sleep(1)  # the flood first reaches the limit
            loaded = run_wrk(base + path, seconds, connections, script())
        p99 = wrk_ms(unloaded["latency_p99"]), wrk_ms(loaded["latency_p99"])
        results[name] = {
            "path": path,
            "unloaded_p99_ms": round(p99[0], 2),
            "flooded_p99_ms": round(p99[1], 2),
            "ratio": round(p99[1] / p99[0], 2),
            "target": FLOOD_TARGET,
            "met": p99[1] <= FLOOD_TARGET * p99[0],
            "unloaded_errors": unloaded["errors"],
            "flooded_errors": loaded["errors"],
            "flood_answers": dict(sorted(Counter(status for status, _ in answers).items())),
        }
    return results
