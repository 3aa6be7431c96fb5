"""Start servers on 127.0.0.1 for the load test, the benchmarks and the tests: a free port,
waiting until a server answers, and `make serve` as a reader starts it, stopped by the process
group this module started (and only that one)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from schema import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"the server stopped before answering:\n{output}")
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)  # the group started with start_new_session=True
    process.wait(timeout=30)


@contextmanager
def started(command: list[str], base: str, cwd: Path = ROOT, quiet: bool = False):
    """Run a server command in its own process group; yield once `base` answers."""
    output = subprocess.DEVNULL if quiet else subprocess.PIPE
    process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(base + "/", process)
        yield process
    finally:
        stop(process)


@contextmanager
def make_serve(quiet: bool = False):
    """`make serve` on a free port, exactly as the README tells a reader; yields the base URL and
    the process (the leader of its process group)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with started(["make", "--no-print-directory", "serve", f"PORT={port}"], base, quiet=quiet) as process:
        yield base, process
