"""International Bank Account Numbers, checked with ``python-stdnum`` (``stdnum.iban``).

Format: ISO 13616-1: country code, 2 check digits (ISO 7064 mod 97-10), and the country's
BBAN of fixed length (national BBAN check digits are not required: banks' own
formats vary); printed in groups of four. Viet Nam does not use IBAN; foreign
accounts in Vietnamese data do.

Example:
    >>> RECOGNIZER.check("DE89 3704 0044 0532 0130 00")
    0.9
    >>> RECOGNIZER.check("DE89 3704 0044 0532 0130 01") is None
    True
"""

from __future__ import annotations

from stdnum import iban

from onshore.core.classify.recognizer import Recognizer

NAME = "iban"
CATEGORY = "bank_account"
COUNTRY_CODE = None
PATTERNS = (r"[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]{4}){2,7}(?:[ \-]?[A-Z0-9]{1,4})?",)
CONTEXT = ("iban", "bank", "account", "tai khoan", "ngan hang", "transfer")


def validate(text: str) -> float | None:
    """0.9 for a valid IBAN (country length and mod-97 check)."""
    try:
        iban.validate(text, check_country=False)
    except ValueError:
        return None
    return 0.9


def country(text: str) -> str | None:
    """The account's country (the IBAN's first two letters)."""
    return text.strip()[:2].upper() or None


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    country=country,
)
