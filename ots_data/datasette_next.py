"""`make check-datasette-next`: the site on the newest Datasette 1.0 alpha, without upgrading.

Starts the Datasette of a separate virtual environment (.venv-next, from requirements-next.txt) with
the one serving configuration (ots_data/serving.py) on a free loopback port, then fetches the front
page, every address of /sitemap.xml, every table and view as HTML, JSON and CSV, and every canned
query. It fails on a start-up error or any 5xx answer; it prints every other answer that is not 200,
and which reader features are missing from the pages, with the reason where it is known. It is not
part of `make test`: the project runs on Datasette 0.65, and this says what an upgrade would cost.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

from ots_data.project import ROOT
from ots_data.serving import DB, serve_argv

NEXT = ROOT / ".venv-next" / "bin" / "datasette"
# What a reader relies on, and how a page shows it: (feature, path, text the page holds).
FEATURES = [
    ("landing page", "/", 'class="landing"'),
    ("version on the landing page", "/", "Data package version"),
    ("Cite this on a row page", "/ots/follower_counts/altun-2023-t1-r01-twitter", 'class="ots-cite"'),
    ("evidence on an erratum's row page", "/ots/errata/kazakbayev-office-2022", 'class="ots-evidence"'),
    ("Dataset JSON-LD on a table page", "/ots/follower_counts", "application/ld+json"),
    ("column descriptions collapsed", "/ots/follower_counts", "column-descriptions-toggle"),
    ("page language", "/ots/follower_counts", '<html lang="en"'),
]
# Why a feature or an address degrades on 1.0, where it has been seen (1.0a41, December 2026).
KNOWN = {
    "canned queries": "Datasette 1.0 does not take canned queries from the metadata; they belong in datasette.yaml",
}


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def addresses(base: str) -> list[str]:
    conn = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    names = [n for (n,) in conn.execute("select name from sqlite_master where type in ('table', 'view')")]
    conn.close()
    metadata = json.loads((ROOT / "build" / "metadata.json").read_text(encoding="utf-8"))
    queries = list(metadata["databases"]["ots"].get("queries", {}))
    paths = ["/"]
    for name in sorted(n for n in names if "_fts" not in n):
        paths += [f"/ots/{name}", f"/ots/{name}.json", f"/ots/{name}.csv"]
    paths += [f"/ots/{q}" for q in queries]
    status, sitemap = get(base + "/sitemap.xml")
    if status == 200:
        paths += [re.sub(r"^https?://[^/]+", "", u) for u in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    return list(dict.fromkeys(paths))


def main() -> int:
    from ots_data.servers import free_port  # a free loopback port, as the tests use

    if not NEXT.exists():
        print(f"no {NEXT}: run `make check-datasette-next`", file=sys.stderr)
        return 1
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = ROOT / "build" / "datasette-next.log"
    with open(log, "w", encoding="utf-8") as out:
        server = subprocess.Popen(serve_argv("127.0.0.1", port, datasette=NEXT), stdout=out, stderr=subprocess.STDOUT)
    try:
        version = subprocess.run([str(NEXT), "--version"], capture_output=True, text=True).stdout.strip()
        for _ in range(120):
            if server.poll() is not None:
                print(f"{version}: Datasette did not start:\n{log.read_text(encoding='utf-8')}", file=sys.stderr)
                return 1
            try:
                if get(base + "/-/versions.json")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        answers = {path: get(base + path)[0] for path in addresses(base)}
        errors = {p: s for p, s in answers.items() if s >= 500}
        other = {p: s for p, s in answers.items() if s != 200 and s < 500}
        pages = {path: get(base + path)[1] for path in {p for _, p, _ in FEATURES}}
        missing = [feature for feature, path, text in FEATURES if text not in pages[path]]
        print(f"{version}: {len(answers)} addresses, {len(answers) - len(other) - len(errors)} answered 200")
        for path, status in sorted(other.items()):
            reason = KNOWN["canned queries"] if path.removeprefix("/ots/") in _queries() else ""
            print(f"  {status} {path}" + (f" ({reason})" if reason else ""))
        for feature in missing:
            print(f"  degraded: {feature}" + (f" ({KNOWN[feature]})" if feature in KNOWN else ""))
        for path, status in sorted(errors.items()):
            print(f"  ERROR {status} {path}", file=sys.stderr)
        return 1 if errors else 0
    finally:
        server.terminate()
        server.wait(timeout=30)


def _queries() -> set[str]:
    metadata = json.loads((ROOT / "build" / "metadata.json").read_text(encoding="utf-8"))
    return set(metadata["databases"]["ots"].get("queries", {}))


if __name__ == "__main__":
    sys.exit(main())
