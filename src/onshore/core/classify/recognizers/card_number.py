"""Payment card numbers: Luhn check plus a known issuer range (NAPAS 9704 included).

Format: ISO/IEC 7812-1 (13-19 digits, issuer identification number, Luhn mod-10 check digit
of Annex B). Issuer ranges: Visa 4, Mastercard 51-55 and 2221-2720, American Express 34/37,
Discover 6011/644-649/65, JCB 3528-3589, Diners 300-305/36/38-39, UnionPay 62, Maestro and
Dankort 50/56-58/6, UATP 1, and NAPAS 9704 (Viet Nam's domestic scheme, State Bank of Viet Nam
Circular 19/2016/TT-NHNN).

Example:
    >>> RECOGNIZER.check("4111 1111 1111 1111"), RECOGNIZER.check("9704 0000 0000 0018")
    (0.9, 0.9)
    >>> RECOGNIZER.check("4111 1111 1111 1112") is None
    True
"""

from __future__ import annotations

from onshore.core.classify.recognizer import Recognizer

NAME = "card_number"
CATEGORY = "card_number"
COUNTRY_CODE = None
PATTERNS = (
    r"\d{4}[ \-]\d{4}[ \-]\d{4}[ \-]\d{4}(?:[ \-]\d{1,3})?",
    r"\d{4}[ \-]\d{6}[ \-]\d{4,5}",
    r"\d{13,19}",
)
CONTEXT = ("card", "the", "visa", "mastercard", "napas", "credit", "debit", "thanh toan", "atm")


def luhn_ok(digits: str) -> bool:
    """Whether ``digits`` passes the Luhn mod-10 check.

    Example:
        >>> luhn_ok("79927398713"), luhn_ok("79927398710")
        (True, False)
    """
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def issuer_ok(digits: str) -> bool:
    """Whether ``digits`` starts with a known issuer range of a plausible length."""
    n = len(digits)
    p2, p4 = int(digits[:2]), int(digits[:4])
    if digits[0] == "1":
        return n == 15  # UATP
    if digits.startswith("9704"):
        return n in (16, 19)
    if digits[0] == "4":
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16
    if p2 in (34, 37):
        return n == 15
    if p2 in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:
        return 14 <= n <= 19
    if 3528 <= p4 <= 3589:
        return 16 <= n <= 19
    if p2 in (62, 65) or digits.startswith("6011") or 644 <= int(digits[:3]) <= 649:
        return 16 <= n <= 19
    return (p2 == 50 or 56 <= p2 <= 69) and 12 <= n <= 19


def validate(text: str) -> float | None:
    """0.9 for 13-19 digits with a known issuer and a valid Luhn digit."""
    digits = "".join(c for c in text if c.isdigit())
    if not 13 <= len(digits) <= 19 or len(set(digits)) < 2:
        return None
    if not (issuer_ok(digits) and luhn_ok(digits)):
        return None
    return 0.9


RECOGNIZER = Recognizer(
    name=NAME, category=CATEGORY, patterns=PATTERNS, validate=validate, context=CONTEXT
)
