"""The deployment page describes exactly what is tested: every `bash` block on docs/deploying.md is
run here, as printed (with the port 8080 of the examples replaced by a free one)."""

from __future__ import annotations

import hashlib
import re
import shlex
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import ROOT, needs, show, skip_unless_made

from ots_data import servers, serving

PAGE = ROOT / "docs" / "deploying.md"
EXAMPLE_PORT = "8080"


def bash_blocks() -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)]


def block(starting: str) -> str:
    found = [b for b in bash_blocks() if b.startswith(starting)]
    assert len(found) == 1, f"one bash block starting {starting!r} expected on {PAGE.name}, found {len(found)}"
    return found[0]


# The first words of every bash block, and the test that runs it.
RUN_BY = {
    "make serve-prod": "conftest.prod_server (every test of test_serve_prod.py)",
    "curl -s -o /dev/null -D -": "test_the_documented_curl_shows_the_cache_at_work",
    ".venv/bin/datasette serve": "test_the_documented_replica_command_serves_the_whole_site",
    "make build docs\n.venv/bin/python scripts/serve_prod.py config": (
        "test_the_documented_server_files_are_accepted_by_nginx"
    ),
    "sha256sum build/ots.db": "test_the_documented_checksum_is_the_database_checksum",
    "make build docs\nkill -HUP": "test_the_documented_roll_over_costs_no_reader_a_request",
}


def run(command: str, port: str | None = None) -> subprocess.CompletedProcess:
    if port:
        command = command.replace(EXAMPLE_PORT, port)
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_every_bash_block_on_the_page_is_run_by_a_test():
    not_run = [b for b in bash_blocks() if not any(b.startswith(start) for start in RUN_BY)]
    assert not not_run, "bash blocks no test runs (run them, or make them `console` blocks):\n" + show(not_run)


def test_the_documented_serve_prod_command_is_the_one_the_tests_start():
    documented = shlex.split(block("make serve-prod"))
    started = ["make", "--no-print-directory", "serve-prod", "PORT=<port>"]
    assert [a for a in documented if not a.startswith(("PORT=", "REPLICAS="))] == ["make", "serve-prod"], documented
    assert "REPLICAS=2" in documented or not any(a.startswith("REPLICAS=") for a in documented), documented
    assert started[2] == documented[1]


@pytest.mark.server
def test_the_documented_curl_shows_the_cache_at_work(prod_server):
    base, _ = prod_server
    port = base.rsplit(":", 1)[1]
    outputs = [run(block("curl -s -o /dev/null -D -"), port) for _ in range(2)]
    assert all(o.returncode == 0 for o in outputs), [o.stderr for o in outputs]
    assert "x-cache-status: hit" in outputs[1].stdout.lower(), outputs[1].stdout
    assert "cache-control: public" in outputs[1].stdout.lower(), outputs[1].stdout


def test_the_documented_replica_command_is_the_generated_one():
    documented = block(".venv/bin/datasette serve")
    assert documented == serving.printed_command(8101), (
        "docs/deploying.md differs from `scripts/serve.py --print-command --port 8101`"
    )


@pytest.mark.server
def test_the_documented_replica_command_serves_the_whole_site():
    """The command serves what `make build docs` wrote, as a replica does."""
    skip_unless_made("build/ots.db", "build/inspect.json", "build/metadata.json", "site/index.html")
    documented = block(".venv/bin/datasette serve")
    port = servers.free_port()
    command = documented.replace("--port 8101", f"--port {port}")
    base = f"http://127.0.0.1:{port}"
    with servers.started(["bash", "-c", "exec " + command], base):
        page = urllib.request.urlopen(base + "/ots/follower_counts", timeout=30).read().decode()
        css = urllib.request.urlopen(base + "/assets/datasette.css", timeout=30).status
        docs = urllib.request.urlopen(base + "/docs/", timeout=30).status
    assert '<html lang="en">' in page and (css, docs) == (200, 200)


@pytest.mark.slow  # runs `make build docs`
@needs("nginx", "nginx")
def test_the_documented_server_files_are_accepted_by_nginx(tmp_path):
    result = run(block("make build docs\n.venv/bin/python scripts/serve_prod.py config"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    site = (ROOT / "build" / "deploy" / "ots.conf").read_text()
    unit = (ROOT / "build" / "deploy" / "ots-datasette@.service").read_text()
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    assert exec_start.startswith("ExecStart=/srv/ots/.venv/bin/datasette serve "), exec_start
    assert exec_start.endswith("--port 810%i --setting force_https_urls true"), exec_start
    # nginx -t as Debian's nginx.conf would include the snippet, with the cache folder in a scratch place
    (tmp_path / "cache").mkdir()
    (tmp_path / "ots.conf").write_text(
        site.replace("/var/cache/nginx/ots", str(tmp_path / "cache")).replace(
            "/var/log/nginx/ots.access.log", str(tmp_path / "access.log")
        )
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n include /etc/nginx/mime.types;\n"
        f" proxy_temp_path {tmp_path}/proxy;\n include {tmp_path}/ots.conf;\n}}\n"
    )
    check = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_the_documented_checksum_is_the_database_checksum():
    skip_unless_made("build/ots.db")
    result = run(block("sha256sum build/ots.db"))
    assert result.returncode == 0, result.stderr
    with open(ROOT / "build" / "ots.db", "rb") as handle:
        assert result.stdout.split()[0] == hashlib.file_digest(handle, "sha256").hexdigest()


@pytest.mark.server
@needs("wrk", "wrk")
def test_the_documented_roll_over_costs_no_reader_a_request(prod_server):
    base, log = prod_server
    port = base.rsplit(":", 1)[1]
    before = servers.pids(log)["replicas"]
    rolled = log.read_text().count("rolled over to database")
    assert run("make build docs").returncode == 0  # up to date before the load starts, so the block is quick
    with ThreadPoolExecutor(1) as pool:
        # long enough for both replicas to restart while wrk is still asking
        load = pool.submit(servers.run_wrk, base + "/", 25, 20, servers.cold_script("/ots/follower_counts.json"))
        time.sleep(2)
        result = run(block("make build docs\nkill -HUP"), port)
        assert result.returncode == 0, result.stderr
        deadline = time.monotonic() + 60
        while log.read_text().count("rolled over to database") == rolled and time.monotonic() < deadline:
            time.sleep(0.2)
        measured = load.result()
    after = servers.pids(log)["replicas"]
    assert log.read_text().count("rolled over to database") == rolled + 1, log.read_text()[-2000:]
    assert all(after[n] != before[n] for n in before), (before, after)
    assert (measured["non_2xx"], measured["socket_errors"]) == (0, 0), measured
    # Nothing the pages are made of changed (make was up to date): the rollover rendered no page of the mirror.
    mirror_lines = [line for line in log.read_text().splitlines() if line.startswith("mirror: ")]
    assert len(mirror_lines) >= 2 and "0 pages rendered (the site's pages kept" in mirror_lines[-1], mirror_lines
