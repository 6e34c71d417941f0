"""Phone numbers, parsed once: the one cached reading that residency and blind indexes share.

``phonenumbers`` is the costly step on the write path (tens of microseconds a call), and a
subject's number recurs across its records and across the residency signal and the record
fields. ``read_phone`` parses, validates and formats a number once per (text, region) and
caches the result. International writings (``+84...``, ``0084...``) do not depend on the
default region, so they share one cache entry whatever region is passed.

Example:
    >>> p = read_phone("0912 345 678", "VN")
    >>> p.e164, p.country, p.valid, p.international
    ('+84912345678', 'VN', True, False)
    >>> read_phone("+84 91 234 5678", "SG") == read_phone("+84912345678", "VN")
    True
    >>> read_phone("call me", "VN") is None
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

_LETTERS = re.compile(r"[A-Za-z]")


@dataclass(frozen=True, slots=True)
class PhoneReading:
    """A parsed number: E.164 form, country (None when shared or unknown), validity."""

    e164: str
    country_code: int
    country: str | None
    valid: bool
    possible: bool
    international: bool


def read_phone(text: str, default_region: str) -> PhoneReading | None:
    """Parse ``text`` (national writings read in ``default_region``); None if unparseable.

    Letters are refused (``phonenumbers`` would read them as keypad digits).
    """
    text = text.strip()
    if text.startswith("00"):  # the ITU international prefix, as most countries dial it
        text = "+" + text[2:]
    return _read(text, None if text.startswith("+") else default_region)


_E164 = re.compile(r"\+([1-9][0-9]{6,16})")
_PREFIXES: dict[int, re.Pattern[str] | None] = {}


def _national_prefix(code: int) -> re.Pattern[str] | None:
    """The pattern ``phonenumbers`` strips from a national number of calling code ``code``."""
    if code not in _PREFIXES:
        main = phonenumbers.region_code_for_country_code(code)
        meta = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(code, main)
        found = getattr(meta, "national_prefix_for_parsing", None)
        _PREFIXES[code] = re.compile(found) if found else None
    return _PREFIXES[code]


def _parse_e164(text: str) -> phonenumbers.PhoneNumber | None:
    """``phonenumbers.parse`` of a bare ``+digits`` writing, without its generic parser (the
    costliest step); None when the number needs that parser (a national prefix or leading
    zero to strip), so the result is always the one ``parse`` would give."""
    found = _E164.fullmatch(text)
    if found is None:
        return None
    digits = found.group(1)
    for size in (1, 2, 3):  # calling codes are prefix-free: the first known one is it
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    national = digits[size:]
    prefix = _national_prefix(code)
    if len(national) < 2 or national[0] == "0" or (prefix and prefix.match(national)):
        return None
    return phonenumbers.PhoneNumber(country_code=code, national_number=int(national))


@lru_cache(maxsize=65536)
def _read(text: str, region: str | None) -> PhoneReading | None:
    if not text or _LETTERS.search(text):
        return None
    number = _parse_e164(text) if region is None else None
    if number is None:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return None
    possible = phonenumbers.is_possible_number(number)
    # region_code_for_number is what is_valid_number does first; doing it ourselves
    # validates once instead of twice.
    country = phonenumbers.region_code_for_number(number) if possible else None
    valid = country is not None and phonenumbers.is_valid_number_for_region(number, country)
    return PhoneReading(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        country_code=int(number.country_code or 0),
        country=country if valid and country != "ZZ" else None,
        valid=valid,
        possible=possible,
        international=region is None,
    )


def clear_cache() -> None:
    """Forget cached readings (benchmarks measure cold costs with it)."""
    _read.cache_clear()
