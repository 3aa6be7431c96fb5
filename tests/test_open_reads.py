"""Other tools read the data from other origins: Datasette's JSON and CSV and the release files
under /downloads/ carry Access-Control-Allow-Origin, under `make serve` and through `make serve-prod`'s
nginx, and a page served from another loopback port loads both in Chromium."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import urllib.request

import pytest
from conftest import ROOT, datasette_fetcher
from support import CHROMIUM, CHROMIUM_ARGS

from ots_data.servers import free_port

RELEASES = json.loads((ROOT / "dist/releases.json").read_text(encoding="utf-8"))["releases"]
NEWEST = RELEASES[-1]["version"]
RELEASE_CSV = f"/downloads/{NEWEST}/data/errata.csv"
JSON = "/ots/errata.json?_shape=array&_size=2"
CSV = "/ots/errata.csv?_size=2"


def origin_header(url: str) -> str | None:
    with urllib.request.urlopen(url) as response:
        return response.headers.get("Access-Control-Allow-Origin")


@pytest.mark.parametrize("path", [JSON, CSV, RELEASE_CSV])
def test_json_csv_and_release_files_are_open_to_other_origins_in_process(fresh_db, path):
    response = datasette_fetcher(fresh_db)(path)
    assert response.status_code == 200 and response.headers.get("access-control-allow-origin") == "*"


def test_other_static_files_are_not_opened_by_the_downloads_wrapper(fresh_db):
    response = datasette_fetcher(fresh_db)("/assets/datasette.css")
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers


@pytest.mark.server
@pytest.mark.parametrize("path", [JSON, CSV, RELEASE_CSV])
def test_nginx_keeps_the_data_open_to_other_origins(prod_server, path):
    base, _ = prod_server
    assert origin_header(base + path) == "*"


@pytest.mark.server
@pytest.mark.browser
def test_a_page_on_another_origin_reads_json_and_a_release_csv(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    (tmp_path / "index.html").write_text(
        f"""<!doctype html><html lang="en"><title>reader</title><pre id="out">waiting</pre><script>
Promise.all([fetch("{live_server}{JSON}").then(r => r.json()), fetch("{live_server}{RELEASE_CSV}").then(r => r.text())])
  .then(([rows, csv]) => {{
    const seen = {{n: rows.length, head: csv.split("\\n")[0]}};
    document.getElementById("out").textContent = JSON.stringify(seen);
  }})
  .catch(e => {{ document.getElementById("out").textContent = "failed: " + e; }});
</script></html>""",
        encoding="utf-8",
    )
    port = free_port()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/index.html")
            page.wait_for_function("document.getElementById('out').textContent !== 'waiting'", timeout=20000)
            result = page.text_content("#out")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    header = (ROOT / "dist" / NEWEST / "data/errata.csv").read_text(encoding="utf-8").split("\n")[0]
    assert json.loads(result) == {"n": 2, "head": header}, result
