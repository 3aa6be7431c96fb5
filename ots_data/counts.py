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

sql_confirms() is the same rules as one SQL condition, so that the build can confirm the figures
of a large round set-wise in SQLite; it confirms only the unambiguous forms and leaves anything
unusual (leading zeros, say) to parse_count(). A test proves it never confirms a row the parser
would refuse, and confirms every form platforms display.
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


def sql_confirms(printed: str, count: str, precision: str, rule: str) -> str:
    """An SQL condition, true where a row's stored reading (count, precision, parse rule; SQL
    expressions, as text) is what parse_count() reads from its printed figure, and false or NULL
    where SQL leaves the row to parse_count() (leading zeros, the ambiguous 4,279K, editorial and
    unresolved readings, anything unusual).

    It works backwards, writing the stored reading as it would be printed and comparing the text:
    ten times faster in SQLite than parsing the printed figure. Sound by construction: a count
    that is a multiple of its precision, a power of ten, written back with the rules above, is
    the one figure that parses to it."""
    m = f"CASE substr({printed}, -1) WHEN 'K' THEN '1000' WHEN 'M' THEN '1000000' END"  # the multiplier, as text
    decimals = f"length({m}) - length({precision})"
    fraction = f"printf('%0*d', {decimals}, ({count} % {m}) / {precision})"  # 4600 -> '6' (K, precision 100)
    suffixed = (
        f"{count} % {precision} = 0 AND {precision} GLOB '1*' AND {precision} NOT GLOB '1*[^0]*' "
        f"AND {decimals} >= 0 AND {printed} = ({count} / {m})"
    )
    return f"""({count} GLOB '[0-9]*' AND {count} NOT GLOB '*[^0-9]*' AND {count} NOT GLOB '0?*' AND CASE {rule}
      WHEN 'plain_integer' THEN {printed} = {count} AND {precision} = '1'
      WHEN 'thousands_comma' THEN {printed} = printf('%,d', {count}) AND {precision} = '1' AND length({count}) > 3
      WHEN 'suffix_decimal_point' THEN {suffixed}
        || CASE WHEN {decimals} = 0 THEN '' ELSE '.' || {fraction} END || substr({printed}, -1)
      WHEN 'suffix_decimal_comma' THEN {suffixed} || ',' || {fraction} || substr({printed}, -1)
        AND {decimals} IN (1, 2)
    END)"""
