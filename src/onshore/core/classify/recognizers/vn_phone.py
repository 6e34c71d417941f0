"""Vietnamese telephone numbers (mobile and landline), validated with ``phonenumbers``.

Format: Viet Nam's numbering plan (Ministry of Information and Communications, Circular
22/2014/TT-BTTTT and the 2018 mobile renumbering, Decision 798/QĐ-BTTTT): country code +84,
trunk prefix 0, 9-digit mobile numbers (03x, 05x, 07x, 08x, 09x) and 10-digit landlines whose
area codes start with 2 (028 Ho Chi Minh City, 024 Ha Noi). Validation uses Google's
libphonenumber metadata through the ``phonenumbers`` package.

Example:
    >>> RECOGNIZER.check("0912 345 678"), RECOGNIZER.check("(028) 3822 1234")
    (0.85, 0.85)
    >>> RECOGNIZER.check("0123 456 789") is None
    True
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

from onshore.core.classify.recognizer import Recognizer, digits_of

NAME = "vn_phone"
CATEGORY = "phone_number"
COUNTRY_CODE = "VN"
PATTERNS = (
    # +84 / (+84) / 84 followed by the national number in any grouping
    r"(?:\(\+?84\)|\+\s?84|84)[\s.\-]?\(?\d{1,3}\)?(?:[\s.\-]?\d){6,8}",
    # national format with the trunk 0, optionally with the area code in parentheses
    r"\(0\d{1,3}\)[\s.\-]?\d{3,4}[\s.\-]?\d{3,4}",
    r"0\d{2,3}(?:[\s.\-]?\d){6,8}",
    # toll-free 1800 and premium 1900 numbers, dialled without the trunk 0
    r"1[89]00[\s.\-]?\d{4,6}",
)
CONTEXT = (
    "sdt",
    "so dien thoai",
    "dien thoai",
    "dt",
    "di dong",
    "dđ",
    "hotline",
    "lien he",
    "goi",
    "phone",
    "mobile",
    "tel",
    "call",
    "contact",
    "zalo",
    "nhan tin",
    "sms",
    "whatsapp",
)


@lru_cache(maxsize=65536)
def _parse_vn(text: str) -> tuple[bool, bool]:
    """(valid, has_formatting) for ``text`` read as a Vietnamese number."""
    digits = digits_of(text)
    if not 8 <= len(digits) <= 12:
        return (False, False)
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        return (False, False)
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        return (False, False)
    return (True, not text.isdigit())


def validate(text: str) -> float | None:
    """0.85 for a valid VN number, 0.75 for a bare digit run; None otherwise."""
    valid, formatted = _parse_vn(text)
    if not valid:
        return None
    return 0.85 if formatted or text.startswith("0") else 0.75


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    country_code=COUNTRY_CODE,
)
