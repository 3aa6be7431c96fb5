"""PUBLIC_URL: the one address the site is published at, e.g. https://example.org/ots.

It is a make variable and an environment variable (`make docs PUBLIC_URL=https://...`), with no
default: the project cannot know where it will be published, and a guessed address ends up in
citations and releases, where it can never be corrected (0.1.0 and 0.2.0 carry
http://127.0.0.1:8001/ for that reason). Everything that needs an absolute address of the site
reads it from here: the docs' site_url, sitemaps and JSON-LD, the Downloads page's citations,
robots.txt's Sitemap lines, and a release's datapackage.json `homepage` and CITATION.cff `url`.
When it is unset, links are relative and absolute-only fields are left out, so nothing built or
released names a loopback address. PUBLIC_URL is where the site's root (what `make serve` serves
at /) is reached; the docs are under /docs/, the releases under /downloads/.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

NAME = "PUBLIC_URL"


class PublicUrlError(ValueError):
    pass


def public_url(environ: Mapping[str, str] = os.environ) -> str | None:
    """The published address without a trailing slash, or None when PUBLIC_URL is unset or empty."""
    value = environ.get(NAME, "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise PublicUrlError(
            f"{NAME}={value!r} is not an address like https://example.org or https://example.org/ots "
            "(http or https, a host, an optional path, no query or fragment)"
        )
    return value.rstrip("/")


def is_loopback(url: str) -> bool:
    """Whether the URL names this machine (localhost, 127.0.0.0/8, ::1) or no machine (0.0.0.0, ::):
    an address no reader elsewhere can open."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def absolute(path: str, base: str | None) -> str:
    """`path` (starting with /) under the published address, or `path` itself (a relative link)
    when there is none."""
    return f"{base}{path}" if base else path
