"""The production topology (`make serve-prod`): nginx in front of identical Datasette replicas.

    python scripts/serve_prod.py run --port 8080 --replicas 2     # what `make serve-prod` runs
    python scripts/serve_prod.py config --out build/deploy ...    # the same files for a Debian server

`run` starts REPLICAS Datasette processes on free loopback ports, each with the flags of the one
serving configuration (scripts/serving.py), writes nginx's configuration from the templates in
deploy/ into build/serve-prod/<port>/ (with its logs, cache and temporary files), and runs nginx in
the foreground in front of them. nginx serves /docs/ and /downloads/ itself, caches Datasette's
answers and retries a request on another replica when one fails. A replica that dies is started
again. SIGHUP rolls every replica over to the current build (one at a time, so no reader sees an
error) and starts a fresh cache for the new database. Ctrl-C or SIGTERM stops nginx, then every
replica, and leaves no process and no pid file behind.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from types import FrameType

import jinja2

from ots_data import serving
from ots_data.project import ROOT
from ots_data.public_url import public_url
from ots_data.serving import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")  # Debian's; the site snippet relies on the server's map
TEMPLATES = ROOT / "deploy"
DOCS_MAX_AGE = 300  # seconds: documentation changes with every build, releases never
REPLICA_PORT_PREFIX = "810"
# Requests per second one client may send past the mirror to the replicas, and the burst allowed
# above that rate before nginx answers 429 (deploy/nginx-site.conf.j2). A reader clicking through
# pages sends a few a second; a page's assets are files.
RATE_PER_SECOND = 10
RATE_BURST = 20
# Requests one client may have at the replicas at once, and of those, queries of its own SQL (each may
# hold a replica's SQL thread up to the time limit; two replicas have six). Past either: 429.
CONN_PER_CLIENT = 4
SQL_CONN_PER_CLIENT = 1
# Queries of its own SQL one client may send a minute, and the burst above that: each may hold a
# replica's core up to the time limit (a second), so a client sending them back to back would keep a
# core busy; at 30 a minute it keeps at most half of one. The seconds a refused client is told to wait.
SQL_PER_MINUTE = 30
SQL_BURST = 5
RETRY_AFTER_S = 2
# How much lower than nginx's the replicas' CPU priority is (nice(1); systemd's Nice= on a server):
# nginx sends a file in microseconds, a replica's SQL may take a second of a core.
REPLICA_NICENESS = 10
# At most this many sitemap addresses are asked for when warming the cache (one at a time, a few
# milliseconds each): the real sitemap lists about 300; a sitemap of a million rows would take hours.
WARM_LIMIT = 5000  # replicas of a server deployment listen on 8101, 8102, ...


def render(template: str, **values) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    return environment.get_template(template).render(**values)


def database_sha(db: Path) -> str:
    """The first 16 hex digits of the database's SHA-256: names the cache of that database."""
    with open(db, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()[:16]


def site_conf(
    upstreams: list[str],
    listen: str,
    server_name: str,
    site_root: Path,
    dist_root: Path,
    mirror_root: Path,
    cache_dir: Path,
    access_log: str,
    db_sha: str,
) -> str:
    """The http-context snippet: upstream, cache, cache headers and the server block."""
    return render(
        "nginx-site.conf.j2",
        upstreams=upstreams,
        listen=listen,
        server_name=server_name,
        site_root=site_root,
        dist_root=dist_root,
        mirror_root=mirror_root,
        rate_per_second=RATE_PER_SECOND,
        rate_burst=RATE_BURST,
        conn_per_client=CONN_PER_CLIENT,
        sql_conn_per_client=SQL_CONN_PER_CLIENT,
        sql_per_minute=SQL_PER_MINUTE,
        sql_burst=SQL_BURST,
        retry_after=RETRY_AFTER_S,
        cache_dir=cache_dir,
        access_log=access_log,
        database_sha=db_sha,
        data_max_age=serving.settings()["default_cache_ttl"],
        docs_max_age=DOCS_MAX_AGE,
    )


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _die_with_parent() -> None:
    """Runs in each child before exec: if this supervisor is killed outright (SIGKILL), the kernel
    sends the child SIGTERM, so no replica or nginx outlives it."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _replica_child() -> None:
    """Runs in each replica before exec: dies with this supervisor, and runs at a lower CPU priority
    than nginx (REPLICA_NICENESS), so that SQL keeping every core busy does not delay the files nginx
    sends (the mirror, the cache, the docs): measured by make bench under a flood of slow SQL."""
    _die_with_parent()
    os.nice(REPLICA_NICENESS)


def wait_until_answers(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with status {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing answered {url} within {timeout:.0f} s") from None
            time.sleep(0.2)


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Ask a child to stop; if it has not within the timeout, kill its whole process group (each
    child leads its own, so nginx's workers go with their master)."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Topology:
    """nginx and its replicas, started, watched and stopped by this process."""

    def __init__(
        self,
        host: str,
        port: int,
        replicas: int,
        db: Path,
        inspect: Path,
        workdir: Path,
        site_root: Path = serving.STATIC_MOUNTS["docs"],
    ) -> None:
        self.host, self.port, self.count, self.db, self.inspect = host, port, replicas, db, inspect
        self.workdir, self.site_root = workdir, site_root
        self.ports = [free_port() for _ in range(replicas)]
        self.replicas: list[subprocess.Popen | None] = [None] * replicas
        self.nginx: subprocess.Popen | None = None
        self.stopping = False
        self.reload_requested = False
        self.cache_sha = database_sha(db)  # the cache belongs to the database the replicas serve

    # -- replicas ---------------------------------------------------------------------------
    def start_replica(self, index: int) -> None:
        log = open(self.workdir / "logs" / f"replica-{index + 1}.log", "ab")
        argv = serving.serve_argv("127.0.0.1", self.ports[index], db=self.db, inspect=self.inspect)
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            process_group=0,
            preexec_fn=_replica_child,
        )
        log.close()
        self.replicas[index] = process
        wait_until_answers(f"http://127.0.0.1:{self.ports[index]}{serving.HEALTH_PATH}", process)
        say(f"replica {index + 1}: pid {process.pid}, http://127.0.0.1:{self.ports[index]}")

    # -- nginx ------------------------------------------------------------------------------
    def write_config(self) -> Path:
        for sub in ("logs", "cache", "run", "tmp"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        write_atomically(
            self.workdir / "ots-site.conf",
            site_conf(
                upstreams=[f"127.0.0.1:{p}" for p in self.ports],
                listen=f"{self.host}:{self.port}",
                server_name="_",
                site_root=self.site_root,
                dist_root=serving.STATIC_MOUNTS["downloads"],
                mirror_root=self.workdir / "mirror",
                cache_dir=self.workdir / "cache",
                access_log=str(self.workdir / "logs" / "access.log"),
                db_sha=self.cache_sha,
            ),
        )
        main = self.workdir / "nginx.conf"
        # nginx started as root runs its workers as nobody, who could not write the cache here.
        write_atomically(
            main,
            render(
                "nginx-local.conf.j2",
                prefix=self.workdir,
                workers=os.cpu_count() or 1,
                mime_types=MIME_TYPES,
                user="root" if os.geteuid() == 0 else "",
            ),
        )
        return main

    def start_nginx(self) -> None:
        main = self.write_config()
        command = [NGINX, "-p", str(self.workdir), "-c", str(main), "-e", str(self.workdir / "logs" / "error.log")]
        check = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx refused {main}:\n{check.stderr}")
        self.nginx = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.DEVNULL, process_group=0, preexec_fn=_die_with_parent
        )
        local = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        wait_until_answers(f"http://{local}:{self.port}{serving.HEALTH_PATH}", self.nginx)
        say(f"nginx: pid {self.nginx.pid}, configuration {main}")

    # -- the whole ---------------------------------------------------------------------------
    def start(self) -> None:
        for sub in ("logs", "run"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        # For `kill -HUP` (roll over) and `kill` (stop); removed with run/ when everything has stopped.
        (self.workdir / "run" / "serve-prod.pid").write_text(f"{os.getpid()}\n")
        say(f"serve-prod: pid {os.getpid()}, files in {self.workdir}")
        for index in range(self.count):
            self.start_replica(index)
        self.write_mirror()
        self.start_nginx()
        say(
            f"Serving on http://{self.host}:{self.port}/ through nginx, {self.count} replicas "
            f"(docs at /docs/, releases at /downloads/); Ctrl-C stops everything"
        )
        self.warm()

    def write_mirror(self) -> None:
        """The static mirror of the site for this server's own address (or PUBLIC_URL), which nginx
        serves before the replicas (ots_data/mirror.py); only pages whose bytes changed are written,
        and nothing is rendered when nothing the pages are made of changed since the last run.
        Rendered by a new process (scripts/mirror.py): this one runs for weeks, and the code it
        imported at its start may be older than the code on disk after a deploy and a rollover."""
        local = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        base = public_url() or f"http://{local}:{self.port}"
        command = [sys.executable, str(ROOT / "scripts" / "mirror.py"), "--out", str(self.workdir / "mirror")]
        command += ["--db", str(self.db), "--base", base, "--without-folders"]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f"the mirror could not be written:\n{result.stderr[-3000:]}")
        say(f"{result.stdout.strip()}, for {base}")

    def warm(self) -> None:
        """Ask nginx for every address of /sitemap.xml once, so that the first reader after a start
        or a rollover gets a cached page (the cited rows, the tables, the front page). Bounded: one
        request at a time, each with a timeout, stopped by Ctrl-C."""
        base = f"http://{self.host}:{self.port}"
        began = time.monotonic()
        try:
            with urllib.request.urlopen(f"{base}/sitemap.xml", timeout=30) as answer:
                sitemap = answer.read().decode("utf-8")
        except OSError as error:
            say(f"warming the cache skipped: /sitemap.xml did not answer ({error})")
            return
        paths = [urllib.parse.urlsplit(html.unescape(loc)) for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
        if len(paths) > WARM_LIMIT:
            say(f"warming the first {WARM_LIMIT:,} of {len(paths):,} sitemap addresses (WARM_LIMIT)")
        warmed = 0
        for url in paths[:WARM_LIMIT]:
            if self.stopping:
                break
            path = url.path + (f"?{url.query}" if url.query else "")
            try:
                with urllib.request.urlopen(f"{base}{path}", timeout=30) as answer:
                    answer.read()
                warmed += 1
            except OSError:
                pass  # a page that fails is not cached (nginx caches only 200); the reader retries it
        say(
            f"warmed the cache: {warmed} of {min(len(paths), WARM_LIMIT)} sitemap addresses "
            f"in {time.monotonic() - began:.1f} s"
        )

    def watch(self) -> None:
        """Until asked to stop: start again any replica that died; roll over on SIGHUP."""
        while not self.stopping:
            if self.nginx.poll() is not None:
                raise RuntimeError(
                    f"nginx exited with status {self.nginx.returncode}; see {self.workdir}/logs/error.log"
                )
            for index, process in enumerate(self.replicas):
                if process.poll() is not None and not self.stopping:
                    say(
                        f"replica {index + 1} (pid {process.pid}) exited with status {process.returncode}; "
                        "starting it again"
                    )
                    self.start_replica(index)
            if self.reload_requested:
                self.reload_requested = False
                self.roll_over()
            time.sleep(0.2)

    def reload_nginx(self) -> None:
        """Rewrite the configuration and have nginx re-read it without dropping a request (SIGHUP:
        new workers start, the old ones finish what they are doing); return once the old are gone."""
        old_workers = children(self.nginx.pid)
        self.write_config()
        self.nginx.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while any(pid in old_workers for pid in children(self.nginx.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)

    def roll_over(self) -> None:
        """Restart the replicas one at a time on the current build: a replica stopping finishes its
        requests in flight and refuses new ones, which nginx sends to the others. If the database
        changed, the cache then starts afresh under the new database's checksum (an nginx reload)."""
        for index, process in enumerate(self.replicas):
            say(f"rolling over replica {index + 1}")
            stop_process(process)
            self.start_replica(index)
        # The mirror follows the build (a new database, template or metadata): only changed files
        # are written, and a rollover with nothing new renders nothing (mirror.fingerprint).
        self.write_mirror()
        if database_sha(self.db) != self.cache_sha:
            self.cache_sha = database_sha(self.db)
            self.reload_nginx()
        say(f"rolled over to database {self.cache_sha}")
        self.warm()

    def stop(self) -> None:
        self.stopping = True
        if self.nginx is not None:
            stop_process(self.nginx, signal.SIGQUIT)  # graceful: finish the requests in flight
        for process in self.replicas:
            if process is not None:
                stop_process(process)
        for sub in ("run", "tmp"):
            shutil.rmtree(self.workdir / sub, ignore_errors=True)


def children(pid: int) -> set[int]:
    """The live child processes of pid (nginx's workers, for the master)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def say(message: str) -> None:
    print(message, flush=True)


def run(args: argparse.Namespace) -> int:
    for needed in (args.db, args.inspect, serving.METADATA):
        if not Path(needed).exists():
            print(f"serve-prod: {needed} is missing; run `make build docs` first", file=sys.stderr)
            return 2
    if not Path(NGINX).exists():
        print("serve-prod: nginx is not installed; `make serve-prod` installs Debian's package", file=sys.stderr)
        return 2
    workdir = args.workdir or ROOT / "build" / "serve-prod" / str(args.port)
    topology = Topology(
        args.host,
        args.port,
        args.replicas,
        args.db.resolve(),
        args.inspect.resolve(),
        workdir.resolve(),
        site_root=Path(os.path.abspath(args.site)),  # abspath: site/ is a symlink each docs build swaps
    )

    def on_stop(signum: int, frame: FrameType | None) -> None:
        topology.stopping = True

    def on_hup(signum: int, frame: FrameType | None) -> None:
        topology.reload_requested = True

    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGHUP, on_hup)
    try:
        topology.start()
        topology.watch()
        return 0
    except RuntimeError as error:
        print(f"serve-prod: {error}", file=sys.stderr)
        return 1
    finally:
        topology.stop()
        say("stopped nginx and every replica")


def config(args: argparse.Namespace) -> int:
    """The files of a server deployment: the nginx snippet and one systemd unit for the replicas."""
    root = args.root.resolve() if args.root else ROOT
    args.out.mkdir(parents=True, exist_ok=True)
    site = site_conf(
        upstreams=[f"127.0.0.1:{REPLICA_PORT_PREFIX}{n}" for n in range(1, args.replicas + 1)],
        listen=args.listen,
        server_name=args.server_name,
        site_root=root / "site",
        dist_root=root / "dist",
        mirror_root=root / "build" / "mirror",
        cache_dir=args.cache_dir,
        access_log=args.access_log,
        db_sha=database_sha(serving.DB),
    )
    write_atomically(args.out / "ots.conf", site)
    argv = serving.serve_argv(
        "127.0.0.1", f"{REPLICA_PORT_PREFIX}%i", datasette=root / ".venv/bin/datasette", relative_to=ROOT
    )
    if args.https:  # Datasette cannot see that TLS ended in front of it; its absolute links must say https
        argv += ["--setting", "force_https_urls", "true"]
    unit = render(
        "ots-datasette@.service.j2",
        user=args.user,
        root=root,
        port_prefix=REPLICA_PORT_PREFIX,
        command=" ".join(argv),
        niceness=REPLICA_NICENESS,
    )
    write_atomically(args.out / "ots-datasette@.service", unit)
    print(f"wrote {args.out / 'ots.conf'} and {args.out / 'ots-datasette@.service'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    r = sub.add_parser("run", help="nginx and the replicas on this machine (make serve-prod)")
    r.add_argument("--host", default="127.0.0.1")
    r.add_argument("--port", type=int, default=8080)
    r.add_argument("--replicas", type=int, default=2)
    r.add_argument("--db", type=Path, default=serving.DB)
    r.add_argument("--inspect", type=Path, default=serving.INSPECT)
    r.add_argument("--workdir", type=Path, help="nginx's files (default build/serve-prod/<port>)")
    r.add_argument("--site", type=Path, default=serving.STATIC_MOUNTS["docs"], help="the folder served at /docs/")
    c = sub.add_parser("config", help="write the nginx snippet and systemd unit of a server deployment")
    c.add_argument("--out", type=Path, default=ROOT / "build" / "deploy")
    c.add_argument("--root", type=Path, help="where the project lives on the server (default: here)")
    c.add_argument("--listen", default="80")
    c.add_argument("--server-name", default="_")
    c.add_argument("--replicas", type=int, default=2, choices=range(1, 10))
    c.add_argument("--user", default="www-data")
    c.add_argument("--https", action="store_true", help="readers arrive over HTTPS (TLS ends at nginx or a CDN)")
    c.add_argument("--cache-dir", type=Path, default=Path("/var/cache/nginx/ots"))
    c.add_argument("--access-log", default="/var/log/nginx/ots.access.log")
    args = parser.parse_args(argv)
    return run(args) if args.action == "run" else config(args)


if __name__ == "__main__":
    sys.exit(main())
