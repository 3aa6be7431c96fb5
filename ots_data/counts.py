"""The one place where printed audience figures are read as numbers.

The article prints figures in several styles. These rules are applied mechanically; anything else
is not a count this module will read, and the curated data must then say how the editors read it
(parse_rule `editorial_reading`) or that nobody can (`unresolved`).

  rule                   printed      count      precision  why
  plain_integer          919          919        1          digits only
  thousands_comma        8,855        8855       1          commas group exactly three digits
  suffix_decimal_point   297.5K       297500     100        K = thousand, M = million; the
                         1.2M         1200000    100000     precision is the place of the last
                                                            printed digit
  suffix_decimal_comma   4,6K         4600       100        a comma followed by one or two digits
                                                            cannot group thousands, so it is a
                                                            decimal comma (as in 30,3K)

Refused, with the reason in the exception:
  4,279K   a comma followed by exactly three digits before a suffix: either a decimal comma
           (4.279K = 4,279) or a thousands separator (4,279 thousand). Ambiguous.
  10,3     a decimal comma with no suffix is not a whole number of people.
  13BK     B is not a suffix the article uses; a garbled figure.
  14.2.6K  two decimal points; a garbled figure.

Figures are decimals, never floats, so 32.05K is exactly 32050.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

MECHANICAL_RULES = ("plain_integer", "thousands_comma", "suffix_decimal_point", "suffix_decimal_comma")
SUFFIX_MULTIPLIER = {"K": 1_000, "M": 1_000_000}

_PLAIN = re.compile(r"[0-9]+")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_SUFFIX_POINT = re.compile(r"([0-9]+)(?:\.([0-9]+))?([KM])")
_SUFFIX_COMMA = re.compile(r"([0-9]+),([0-9]{1,2})([KM])")
_AMBIGUOUS_COMMA = re.compile(r"[0-9]{1,3},[0-9]{3}[KM]")


class CountParseError(ValueError):
    """The printed figure is not one the mechanical rules read; the message says why."""


@dataclass(frozen=True)
class ParsedCount:
    count: int
    precision: int
    rule: str

    @property
    def is_rounded(self) -> bool:
        return self.precision > 1


def _scaled(integer_part: str, decimals: str, suffix: str, rule: str) -> ParsedCount:
    multiplier = SUFFIX_MULTIPLIER[suffix]
    value = Decimal(f"{integer_part}.{decimals}" if decimals else integer_part) * multiplier
    precision = multiplier // (10 ** len(decimals))
    if precision < 1 or value != value.to_integral_value():
        raise CountParseError(f"{integer_part}.{decimals}{suffix} has more decimals than a whole count allows")
    return ParsedCount(int(value), precision, rule)


def parse_count(printed: str) -> ParsedCount:
    """Read a printed figure (without its handle or unit word) with the rules above."""
    if not isinstance(printed, str):
        raise CountParseError(f"expected text, got {type(printed).__name__}")
    text = printed
    if _PLAIN.fullmatch(text):
        return ParsedCount(int(text), 1, "plain_integer")
    if _THOUSANDS.fullmatch(text):
        return ParsedCount(int(text.replace(",", "")), 1, "thousands_comma")
    match = _SUFFIX_POINT.fullmatch(text)
    if match:
        return _scaled(match.group(1), match.group(2) or "", match.group(3), "suffix_decimal_point")
    match = _SUFFIX_COMMA.fullmatch(text)
    if match:
        return _scaled(match.group(1), match.group(2), match.group(3), "suffix_decimal_comma")
    if _AMBIGUOUS_COMMA.fullmatch(text):
        raise CountParseError(f"{text!r} is ambiguous: the comma may be a decimal comma or a thousands separator")
    if re.fullmatch(r"[0-9]+,[0-9]+", text):
        raise CountParseError(f"{text!r} has a decimal comma but no K or M suffix: not a whole count")
    raise CountParseError(f"{text!r} does not match any printed-figure rule (garbled)")
