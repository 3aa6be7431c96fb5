"""`make serve` starts a real Datasette on the requested port with the docs mounted."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.server  # every test reads from `make serve` (the live_server fixture)


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_make_serve_answers_on_the_requested_port(live_server):
    status, body = fetch(live_server + "/")
    assert status == 200 and "OTS Digital Diplomacy Data" in body


def test_json_api_answers(live_server):
    assert fetch(live_server + "/ots/accounts.json")[0] == 200


def test_docs_are_served_in_three_languages_with_directory_urls(live_server):
    for path, lang in (("/docs/", "en"), ("/docs/tr/", "tr"), ("/docs/ru/", "ru"), ("/docs/methodology/", "en")):
        status, body = fetch(live_server + path)
        assert status == 200 and f'lang="{lang}"' in body, path


def test_bare_docs_prefix_redirects_to_the_site(live_server):
    status, body = fetch(live_server + "/docs")
    assert status == 200 and "OTS Digital Diplomacy Data" in body


def test_datasette_pages_declare_their_language(live_server):
    assert '<html lang="en">' in fetch(live_server + "/ots/follower_counts")[1]
