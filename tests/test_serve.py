"""`make serve` starts a real Datasette on the requested port with the docs mounted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_make_serve_answers_on_the_requested_port():
    port = free_port()
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"PORT={port}"], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = fetch(f"http://127.0.0.1:{port}/")
                break
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                time.sleep(0.5)
        assert status == 200, server.stdout.read().decode() if server.poll() is not None else "no answer"
        assert "OTS Digital Diplomacy Data" in body
        assert fetch(f"http://127.0.0.1:{port}/ots/accounts.json")[0] == 200
        docs_status, docs = fetch(f"http://127.0.0.1:{port}/docs/")
        assert docs_status == 200 and "OTS Digital Diplomacy Data" in docs
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the process group we started: make and datasette
        server.wait(timeout=30)
