"""Vietnamese telephone numbers (mobile and landline), validated with ``phonenumbers``.

Format: Viet Nam's numbering plan (Ministry of Information and Communications, Circular
22/2014/TT-BTTTT and the 2018 mobile renumbering, Decision 798/QĐ-BTTTT): country code +84,
trunk prefix 0, 9-digit mobile numbers (03x, 05x, 07x, 08x, 09x) and 10-digit landlines whose
area codes start with 2 (028 Ho Chi Minh City, 024 Ha Noi), 1800/1900 service numbers.
Validation matches the national number against the per-type patterns of Google's
libphonenumber metadata as shipped by the ``phonenumbers`` package (read at import, so it
follows package updates); a property test checks agreement with
``phonenumbers.is_valid_number``. A number needs its prefix (``0``, ``84`` or ``+84``): bare
9-digit runs are identity-card numbers as often as phones.

Example:
    >>> RECOGNIZER.check("0912 345 678"), RECOGNIZER.check("(028) 3822 1234")
    (0.85, 0.85)
    >>> RECOGNIZER.check("0123 456 789") is None, RECOGNIZER.check("912345678") is None
    (True, True)
"""

from __future__ import annotations

import re

import phonenumbers

from onshore.core.classify.recognizer import Recognizer

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
STRIP = " \t.-()"


def _national_pattern() -> str:
    meta = phonenumbers.PhoneMetadata.metadata_for_region("VN")
    if meta is None:  # pragma: no cover - phonenumbers always ships VN
        raise RuntimeError("phonenumbers has no metadata for VN")
    kinds = (meta.fixed_line, meta.mobile, meta.toll_free, meta.premium_rate, meta.voip, meta.uan)
    return "|".join(
        f"(?:{k.national_number_pattern})"
        for k in kinds
        if k is not None and k.national_number_pattern
    )


NATIONAL = _national_pattern()
#: A whole number without separators: prefix, then a valid national number.
CELL_PATTERN = rf"(?:\+840?|840?|0)(?:{NATIONAL})|1[89]00\d{{4,6}}"
_CELL = re.compile(CELL_PATTERN)


def validate(text: str) -> float | None:
    """0.85 for a valid Vietnamese number in any common writing; None otherwise."""
    norm = text.strip().translate({ord(c): None for c in STRIP})
    return 0.85 if _CELL.fullmatch(norm) else None


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    country_code=COUNTRY_CODE,
    cell_strip=STRIP,
    cell_patterns=((CELL_PATTERN, 0.85),),
    cell_exact=True,
)
