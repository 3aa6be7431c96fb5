"""Project rules on accounts: profile addresses and repaired handles."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ots_data.project import HANDLE_PATTERN, PLATFORM_HOSTS, PROFILE_URL
from ots_data.staging import Problem


class AccountRules:
    """Rules on accounts."""

    def rule_account_url_matches_platform_and_handle(self) -> Iterable[Problem]:
        for row in self.rows["accounts"]:
            platform, handle, url = row["platform"], row["handle"], row["url"]
            if url:
                host = re.match(r"^https://([^/]+)/", url)
                if not host or host.group(1) != PLATFORM_HOSTS.get(platform):
                    yield self.problem(
                        "accounts",
                        row,
                        "url",
                        "url-platform",
                        f"a {platform} URL must be "
                        f"https://{PLATFORM_HOSTS.get(platform, '(no URL for this platform)')}/...; got {url!r}",
                    )
                elif url != PROFILE_URL[platform].format(handle):
                    yield self.problem(
                        "accounts",
                        row,
                        "url",
                        "url-handle",
                        f"URL must be built from the handle: {PROFILE_URL[platform].format(handle)!r}",
                    )
                if row["name_kind"] != "handle":
                    yield self.problem(
                        "accounts",
                        row,
                        "url",
                        "url-handle",
                        "only a handle gives a profile URL; name_kind is not handle",
                    )
            elif (
                row["name_kind"] == "handle"
                and platform in HANDLE_PATTERN
                and HANDLE_PATTERN[platform].fullmatch(handle)
            ):
                yield self.problem(
                    "accounts", row, "url", "url-missing", f"{handle!r} is a valid {platform} handle: give its URL"
                )
            if not row["account_id"].startswith(platform + "-"):
                yield self.problem(
                    "accounts", row, "account_id", "id-platform", f"account_id must start with '{platform}-'"
                )

    def rule_handle_repairs_are_flagged(self) -> Iterable[Problem]:
        for row in self.rows["accounts"]:
            plain = row["handle_as_printed"].removeprefix("@")
            repaired = row["handle"] != plain
            if repaired != (row["is_handle_repaired"] == "true"):
                yield self.problem(
                    "accounts",
                    row,
                    "is_handle_repaired",
                    "handle-repair",
                    f"handle {row['handle']!r} vs printed {row['handle_as_printed']!r}: "
                    f"is_handle_repaired must be {str(repaired).lower()}",
                )
            if repaired and not row["note"]:
                yield self.problem(
                    "accounts", row, "note", "handle-repair", "a repaired handle needs a note saying what was repaired"
                )
