"""Facts about the project that several steps need: where it lives, and what the platforms are.
One place for each, so a new platform or a changed profile address is edited once."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATAPACKAGE = ROOT / "datapackage.yaml"

# The platforms of the article's tables, in the order of their columns.
PLATFORMS = ("twitter", "instagram", "facebook", "youtube")
# The column heading each platform has in the article's tables, as printed.
PLATFORM_COLUMN = {"twitter": "Twitter", "instagram": "Instagram", "facebook": "Facebook", "youtube": "Youtube"}
# What a count on each platform counts.
METRIC_OF_PLATFORM = {
    "twitter": "followers",
    "instagram": "followers",
    "facebook": "followers",
    "youtube": "subscribers",
}
# Profile addresses, built from the handle. YouTube cells are channel names, so they have none.
PLATFORM_HOSTS = {"twitter": "twitter.com", "instagram": "www.instagram.com", "facebook": "www.facebook.com"}
PROFILE_URL = {
    "twitter": "https://twitter.com/{}",
    "instagram": "https://www.instagram.com/{}/",
    "facebook": "https://www.facebook.com/{}",
}
# What each platform accepts as a handle.
HANDLE_PATTERN = {
    "twitter": re.compile(r"[A-Za-z0-9_]{1,15}"),
    "instagram": re.compile(r"[A-Za-z0-9._]{1,30}"),
    "facebook": re.compile(r"[A-Za-z0-9.]{5,50}"),
}
