"""Telephone numbers of other countries, validated with ``phonenumbers``.

Format: ITU-T E.164 international numbers (``+`` and a country code) for every country in
Google's libphonenumber metadata, and separated national formats (``(415) 555-0132``,
``09-7625400``) for the regions Presidio's PhoneRecognizer supports by default.
Bare digit runs without ``+`` are left to the Vietnamese recognizer: for other countries
they cannot be told apart from order or tracking numbers. National numbers whose first
group is ``0`` and two or more digits (``0912 345 67``, ``(028) ...``) are read as
Vietnamese: an invalid one is an invalid Vietnamese number, not a foreign one.

Example:
    >>> RECOGNIZER.check("+1 415 555 0132"), RECOGNIZER.country_of("+44 (20) 7123 4567")
    (0.8, 'GB')
    >>> RECOGNIZER.check("1.200.000") is None
    True
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from onshore.core.classify.recognizer import Recognizer, digits_of

NAME = "phone"
CATEGORY = "phone_number"
COUNTRY_CODE = None
PATTERNS = (
    r"\+\s?\(?\d{1,3}\)?(?:[\s.\-]?\(?\d{1,5}\)?){2,6}",
    r"\(\d{2,5}\)[\s.\-]?\d{2,5}(?:[\s.\-]\d{2,5}){0,3}",
    r"\d{2,5}(?:[\s.\-]\d{2,8}){1,4}",
)
CONTEXT = ("phone", "mobile", "tel", "call", "contact", "number", "dien thoai", "sdt", "fax")
REGIONS = ("US", "GB", "DE", "IL", "IN", "CA", "BR")


_VN_SHAPED = re.compile(r"\(?0\d{2}")


@lru_cache(maxsize=65536)
def _parse(text: str) -> str | None:
    """The region of a valid non-VN number written as ``text``, or None."""
    digits = digits_of(text)
    if not 7 <= len(digits) <= 15:
        return None
    candidates: tuple[str | None, ...]
    if text.lstrip("( ").startswith("+"):
        candidates = (None,)
    elif text.isdigit() or "." in text:
        return None  # bare runs and dotted groups (prices, versions) are not read abroad
    elif len(digits) < 9 or (_VN_SHAPED.match(text) and len(digits) <= 12):
        return None  # short local numbers; 0xx(x) groups are Vietnamese (vn_phone decides)
    else:
        candidates = REGIONS
    for region in candidates:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if number.country_code == 84 or not phonenumbers.is_valid_number(number):
            continue
        return phonenumbers.region_code_for_number(number)
    return None


def validate(text: str) -> float | None:
    """0.8 for a valid international or separated national number of another country."""
    return 0.8 if _parse(text) is not None else None


def country(text: str) -> str | None:
    """The number's country (ISO alpha-2), or None."""
    return _parse(text.strip())


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    country_code=COUNTRY_CODE,
    country=country,
)
