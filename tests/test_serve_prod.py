"""`make serve-prod`: nginx in front of two Datasette replicas. The same answers as `make serve`,
a cache that stores only successes, headers a CDN can use, and no failed request when a replica
dies. Real nginx, real replicas, real wrk on 127.0.0.1; nothing is mocked."""

from __future__ import annotations

import difflib
import gzip
import html
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, needs, read_csv

from ots_data import serve_prod, servers, serving

# Every test reads from `make serve-prod` (the prod_server fixture) or starts it itself.
pytestmark = pytest.mark.server

RELEASE = json.loads((ROOT / "dist" / "releases.json").read_text(encoding="utf-8"))["releases"][-1]["version"]
ROW_ID = read_csv(ROOT / "data" / "follower_counts.csv")[0]["count_id"]
SAME_AS_MAKE_SERVE = {
    "the index": "/",
    "a table as HTML": "/ots/follower_counts",
    "a table as JSON": "/ots/follower_counts.json",
    "a table as CSV": "/ots/follower_counts.csv?_size=max",
    "a canned query": "/ots/accounts_by_audience",
    "a row page": f"/ots/follower_counts/{ROW_ID}",
    "the docs home in English": "/docs/",
    "the docs home in Turkish": "/docs/tr/",
    "the docs home in Russian": "/docs/ru/",
    "a release file": f"/downloads/{RELEASE}/data/actors.csv",
    "a release's SHA256SUMS": f"/downloads/{RELEASE}/SHA256SUMS",
    "robots.txt": "/robots.txt",
    "the sitemap": "/sitemap.xml",
    "a table copied as LaTeX": "/ots/follower_counts.copyable?_table_format=latex",
}


# What differs between two answers to the same request: the host in absolute links, and how long
# the queries took (`Queries took 6.2ms` in HTML, `"query_ms": 6.2` in JSON).
TIMING = re.compile(rb'(Queries took )[\d.]+(ms)|("query_ms": )[\d.e-]+')


def comparable(body: bytes, base: str) -> bytes:
    return TIMING.sub(rb"\1\3<t>\2", body.replace(base.encode(), b"BASE"))


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def unique(path: str) -> str:
    """A URL no test asked before (Datasette ignores unknown `_` parameters)."""
    return f"{path}{'&' if '?' in path else '?'}_test={uuid.uuid4().hex}"


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def wait_for(condition, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("path", SAME_AS_MAKE_SERVE.values(), ids=SAME_AS_MAKE_SERVE.keys())
def test_each_kind_of_url_answers_through_nginx_with_the_same_body_as_make_serve(live_server, prod_server, path):
    base, _ = prod_server
    status_direct, _, direct = get(live_server + path)
    status_proxied, _, proxied = get(base + path)
    assert status_direct == status_proxied == 200, (status_direct, status_proxied)
    a, b = comparable(direct, live_server), comparable(proxied, base)
    assert a == b, "\n".join(
        difflib.unified_diff(
            a.decode(errors="replace").splitlines(),
            b.decode(errors="replace").splitlines(),
            "make serve",
            "make serve-prod",
            lineterm="",
            n=2,
        )
    )


def test_the_second_identical_request_for_a_data_page_is_a_cache_hit(prod_server):
    base, _ = prod_server
    url = base + unique("/ots/follower_counts.json")
    first, second = get(url), get(url)
    assert (first[1]["x-cache-status"], second[1]["x-cache-status"]) == ("MISS", "HIT")
    assert first[2] == second[2]


def test_the_first_reader_of_a_cited_row_gets_the_mirrors_file(prod_server):
    """The mirror is written before nginx starts; every sitemap address is then a file, and warming
    the cache from the sitemap finds each of them answering."""
    base, log = prod_server
    said = re.search(r"warmed the cache: (\d+) of (\d+) sitemap addresses", log.read_text())
    assert said and said.group(1) == said.group(2) and int(said.group(2)) > 100, log.read_text()[-500:]
    assert re.search(r"^mirror: \d+ pages", log.read_text(), re.M), log.read_text()[-500:]
    sitemap = get(base + "/sitemap.xml")[2].decode()
    rows = [u for u in re.findall(r"<loc>([^<]+)</loc>", sitemap) if u.count("/") >= 5]
    path = urlsplit(rows[len(rows) // 2]).path  # a row page no test has asked for
    status, headers, _ = get(base + path)
    assert (status, headers.get("x-served-from")) == (200, "mirror"), headers


def sitemap_paths(base: str) -> list[str]:
    sitemap = get(base + "/sitemap.xml")[2].decode()
    return [urlsplit(html.unescape(u)).path for u in re.findall(r"<loc>([^<]+)</loc>", sitemap)]


def test_every_sitemap_address_answers_with_every_replica_frozen(prod_server):
    base, log = prod_server
    paths = sitemap_paths(base)
    replicas = list(servers.pids(log)["replicas"].values())
    for pid in replicas:
        os.kill(pid, signal.SIGSTOP)
    try:
        statuses = {path: get(base + path)[0] for path in paths}
    finally:
        for pid in replicas:
            os.kill(pid, signal.SIGCONT)
    failed = {p: s for p, s in statuses.items() if s != 200}
    assert len(paths) > 100 and not failed, failed


RETRY_AFTER = str(serve_prod.RETRY_AFTER_S)  # what the configuration tells a refused client


def test_a_client_flooding_the_replicas_gets_429_and_the_other_readers_keep_answering(prod_server):
    """One client (127.0.0.2) sends slow SQL, thirty times the limit, for a few seconds; past the limit
    it gets 429 with Retry-After, while another client (127.0.0.3, limited as any reader is) gets the
    cited pages, the front page and pages only a replica can answer (a query string never asked
    before) with 200. Their latency under the flood is measured by make bench, not here."""
    base, _ = prod_server
    cited = [p for p in sitemap_paths(base) if p.count("/") >= 3][:40] + ["/"]
    made_on_request = [unique("/ots/follower_counts?platform=twitter") for _ in range(10)]
    with servers.flooding(base, seconds=30) as flooded:
        time.sleep(1)
        readers = {path: servers.get_from("127.0.0.3", base + path)[0] for path in cited + made_on_request}
        still_flooding = len(flooded)
        time.sleep(0.5)
        assert len(flooded) > still_flooding, "the flood had stopped before the readers were done"
    refused = [headers for status, headers in flooded if status == 429]
    assert refused and all(h.get("retry-after") == RETRY_AFTER for h in refused), [s for s, _ in flooded][:20]
    assert {p: s for p, s in readers.items() if s != 200} == {}, readers


def test_a_client_past_the_rate_gets_429_on_pages_that_are_not_sql(prod_server):
    """Quick requests for pages only a replica answers, one at a time, faster than the rate and its
    burst: the rate limit refuses the excess (no SQL, never more than one at once)."""
    base, _ = prod_server
    statuses = [servers.get_from("127.0.0.6", base + unique("/-/versions.json"))[0] for _ in range(60)]
    assert statuses.count(200) >= serve_prod.RATE_BURST and 429 in statuses, statuses


def test_a_client_has_at_most_four_requests_past_the_mirror_at_once(prod_server):
    """With the replicas frozen, a client's requests wait; past the limit the next one is refused at
    once, and the waiting ones are answered when the replicas go on."""
    base, log = prod_server
    replicas = list(servers.pids(log)["replicas"].values())
    for pid in replicas:
        os.kill(pid, signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(serve_prod.CONN_PER_CLIENT) as pool:
            waiting = [
                pool.submit(servers.get_from, "127.0.0.7", base + unique("/ots/follower_counts.json"))
                for _ in range(serve_prod.CONN_PER_CLIENT)
            ]
            time.sleep(1)
            one_more = servers.get_from("127.0.0.7", base + unique("/ots/follower_counts.json"))
            assert not any(w.done() for w in waiting), "a request did not wait for the frozen replicas"
            for pid in replicas:
                os.kill(pid, signal.SIGCONT)
            answered = [w.result()[0] for w in waiting]
    finally:
        for pid in replicas:
            os.kill(pid, signal.SIGCONT)
    assert one_more[0] == 429 and answered == [200] * serve_prod.CONN_PER_CLIENT, (one_more, answered)


def test_a_client_runs_one_query_of_its_own_sql_at_a_time_and_other_clients_are_not_counted(prod_server):
    """While one query of a client's SQL runs, its next one gets 429 (at most one at the replicas at a
    time), also when the parameter's name is percent-encoded (`s%71l`, which Datasette reads as
    `sql`); its page requests are still answered, and another client's SQL is too."""
    base, _ = prod_server
    client, other = "127.0.0.4", "127.0.0.5"
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(servers.get_from, client, f"{base}{servers.FLOOD_PATH}&_test={uuid.uuid4().hex}")
        time.sleep(0.3)  # the slow query has reached a replica (it runs for about a second)
        second_sql = servers.get_from(client, f"{base}/ots.json?sql=select+1&_test={uuid.uuid4().hex}")
        encoded_sql = servers.get_from(client, f"{base}/ots.json?s%71l=select+1&_test={uuid.uuid4().hex}")
        own_page = servers.get_from(client, base + unique("/ots/follower_counts"))
        others_sql = servers.get_from(other, f"{base}/ots.json?sql=select+1&_test={uuid.uuid4().hex}")
        assert not running.done(), "the slow query ended before the others were asked: nothing was tested"
        first = running.result()
    assert (second_sql[0], second_sql[1].get("retry-after")) == (429, RETRY_AFTER), second_sql
    assert encoded_sql[0] == 429, encoded_sql
    assert (own_page[0], others_sql[0]) == (200, 200), (own_page, others_sql)
    assert first[0] in (200, 400), first  # 400: Datasette's time limit stopped it


def test_the_replicas_run_at_a_lower_cpu_priority_than_nginx(prod_server):
    _, log = prod_server
    found = servers.pids(log)
    replicas = {pid: os.getpriority(os.PRIO_PROCESS, pid) for pid in found["replicas"].values()}
    nginx = os.getpriority(os.PRIO_PROCESS, found["nginx"])
    assert all(n == nginx + serve_prod.REPLICA_NICENESS for n in replicas.values()), (replicas, nginx)


@pytest.mark.parametrize(
    "path, status",
    [("/ots/no_such_table", 404), ("/ots.json?sql=select+no_such_column", 400)],
    ids=["a 404", "a SQL error"],
)
def test_an_error_is_never_stored_in_the_cache(prod_server, path, status):
    base, _ = prod_server
    url = base + unique(path)
    answers = [get(url) for _ in range(2)]
    assert [a[0] for a in answers] == [status, status]
    assert [a[1]["x-cache-status"] for a in answers] == ["MISS", "MISS"]


def test_data_pages_are_public_for_the_lifetime_in_settings_json(prod_server):
    base, _ = prod_server
    expected = f"public, max-age={serving.settings()['default_cache_ttl']}"
    found = {
        path: get(base + path)[1].get("cache-control")
        for path in ("/", "/ots/follower_counts", "/ots/follower_counts.json")
    }
    assert set(found.values()) == {expected}, found


def test_release_files_are_immutable_for_a_year(prod_server):
    base, _ = prod_server
    found = {
        path: get(base + path)[1].get("cache-control")
        for path in (f"/downloads/{RELEASE}/SHA256SUMS", f"/downloads/{RELEASE}/data/actors.csv")
    }
    assert set(found.values()) == {"public, max-age=31536000, immutable"}, found


def test_docs_and_the_release_index_have_a_short_public_lifetime(prod_server):
    base, _ = prod_server
    data_lifetime = serving.settings()["default_cache_ttl"]
    for path in ("/docs/", "/docs/tr/methodology/", "/downloads/releases.json"):
        header = get(base + path)[1].get("cache-control", "")
        assert header.startswith("public, max-age="), (path, header)
        assert 0 < int(header.rsplit("=", 1)[1]) <= data_lifetime, (path, header)


@pytest.mark.parametrize("path", ["/ots/no_such_table", "/docs/no-such-page/", f"/downloads/{RELEASE}/no-such-file"])
def test_errors_are_not_cacheable(prod_server, path):
    base, _ = prod_server
    status, headers, _ = get(base + unique(path) if path.startswith("/ots") else base + path)
    assert status == 404 and headers.get("cache-control") == "no-store", (status, headers.get("cache-control"))


@pytest.mark.parametrize("path", ["/docs/", "/ots/follower_counts.json", "/docs/assets/charts/audience.svg"])
def test_text_is_compressed_for_readers_who_accept_it(prod_server, path):
    base, _ = prod_server
    _, headers, body = get(base + path, {"Accept-Encoding": "gzip"})
    assert headers.get("content-encoding") == "gzip", headers
    assert gzip.decompress(body) == get(base + path)[2]


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/docs/", "text/html"),
        ("/docs/assets/charts/audience.svg", "image/svg+xml"),
        (f"/downloads/{RELEASE}/data/actors.csv", "text/csv"),
        (f"/downloads/{RELEASE}/SHA256SUMS", "text/plain"),
        (f"/downloads/{RELEASE}/datapackage.json", "application/json"),
        (f"/downloads/{RELEASE}/ots-digital-diplomacy-data-{RELEASE}.zip", "application/zip"),
    ],
)
def test_nginx_serves_files_with_their_types(prod_server, path, content_type):
    base, _ = prod_server
    status, headers, _ = get(base + path)
    assert status == 200 and headers["content-type"].split(";")[0] == content_type, (path, headers.get("content-type"))


def test_the_downloads_folder_has_a_directory_index(prod_server):
    base, _ = prod_server
    status, _, body = get(base + "/downloads/")
    assert status == 200 and f'href="{RELEASE}/"'.encode() in body, body[:500]


def test_nginx_listens_on_loopback_unless_host_says_otherwise(prod_server):
    base, log = prod_server
    port = base.rsplit(":", 1)[1]
    conf = (ROOT / "build" / "serve-prod" / port / "ots-site.conf").read_text()
    assert f"listen 127.0.0.1:{port};" in conf, [line for line in conf.splitlines() if "listen" in line]


@needs("wrk", "wrk")
def test_a_replica_killed_under_load_costs_a_reader_at_most_the_answer_it_was_writing(prod_server):
    """wrk asks for pages no one asked before (so every request reaches a replica); one replica
    is killed with SIGKILL in the middle. Every request nginx can still retry goes to the other
    replica; an answer the killed replica had begun to send cannot be retried (nginx has passed
    its start to the reader), so at most the connections that replica was answering end with a
    read error, and no request gets an error status."""
    base, log = prod_server
    victim = servers.pids(log)["replicas"][1]
    with ThreadPoolExecutor(1) as pool:
        load = pool.submit(servers.run_wrk, base + "/", 8, 20, servers.cold_script("/ots/follower_counts.json"))
        time.sleep(3)
        os.kill(victim, signal.SIGKILL)
        result = load.result()
    assert result["requests"] > 100, result
    assert result["non_2xx"] == 0, result
    # 8 connections over 2 replicas: the killed one was answering at most about half of them.
    # wrk lists every kind once any socket error happened ("connect 0, read 1, ..."): the kinds seen
    cut = {kind for kind, count in result["socket_error_kinds"].items() if count}
    assert cut <= {"read"} and result["socket_errors"] <= 4, result


def test_a_replica_that_dies_is_started_again(prod_server):
    base, log = prod_server
    victim = servers.pids(log)["replicas"][2]
    os.kill(victim, signal.SIGKILL)
    new = wait_for(lambda: (pid := servers.pids(log)["replicas"][2]) != victim and pid, what="replica 2 to restart")
    assert alive(new)
    status, _, _ = get(base + unique("/ots/accounts.json"))
    assert status == 200


def processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
            if text in cmdline and alive(int(proc.name)):
                found.append(f"{proc.name}: {cmdline}")
    return found


@pytest.mark.parametrize("how", ["SIGTERM to make", "Ctrl-C"])
def test_stopping_leaves_no_process_and_no_pid_file(tmp_path, how):
    port = servers.free_port()
    workdir = ROOT / "build" / "serve-prod" / str(port)
    log = tmp_path / "serve-prod.log"
    with open(log, "wb") as output:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "serve-prod", f"PORT={port}"],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: "Serving on" in log.read_text() or make.poll() is not None, timeout=180, what="serve-prod")
        started = servers.pids(log)
        everything = [started["supervisor"], started["nginx"], *started["replicas"].values()]
        assert all(alive(pid) for pid in everything) and processes_mentioning(str(workdir)), log.read_text()
        if how == "Ctrl-C":
            os.killpg(make.pid, signal.SIGINT)  # what a terminal sends to the foreground process group
        else:
            os.kill(make.pid, signal.SIGTERM)
        make.wait(timeout=60)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
    left = [pid for pid in everything if alive(pid)] + processes_mentioning(str(workdir))
    pid_files = list(workdir.rglob("*.pid"))
    shutil.rmtree(workdir, ignore_errors=True)
    assert not left, left
    assert not pid_files, pid_files


def test_the_deploying_page_states_the_limit_nginx_is_configured_with(prod_server):
    base, _ = prod_server
    conf = (ROOT / "build" / "serve-prod" / base.rsplit(":", 1)[1] / "ots-site.conf").read_text()
    rate = re.search(r"limit_req_zone \S+ zone=\S+ rate=(\d+)r/s;", conf)
    burst = re.search(r"limit_req zone=\S+ burst=(\d+) nodelay;", conf)
    clients = re.search(r"limit_conn ots_clients (\d+);", conf)
    sql = re.search(r"limit_conn ots_sql (\d+);", conf)
    page = " ".join((ROOT / "docs" / "deploying.md").read_text(encoding="utf-8").split())
    stated = re.search(r"past `(\d+)` requests a second to the replicas \(a burst of `(\d+)` allowed\)", page, re.I)
    at_once = re.search(r"more than `(\d+)` requests at the replicas at once, or more than `(\d+)` query", page)
    assert rate and burst and stated and clients and sql and at_once, (rate, burst, stated, clients, sql, at_once)
    assert (stated.group(1), stated.group(2)) == (rate.group(1), burst.group(1))
    assert (at_once.group(1), at_once.group(2)) == (clients.group(1), sql.group(1))
