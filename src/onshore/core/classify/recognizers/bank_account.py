"""Vietnamese bank account numbers (by context only).

Format: Vietnamese banks issue 6-19 digit account numbers with no common check digit
(State Bank of Viet Nam Circular 17/2024/TT-NHNN on payment accounts leaves the numbering
to each bank). Reported only next to a context word (``số tài khoản``, ``STK``, a bank name)
or in a column named for it.

Example:
    >>> RECOGNIZER.check("0071000123456"), RECOGNIZER.needs_context
    (0.6, True)
"""

from __future__ import annotations

from onshore.core.classify.recognizer import Recognizer

NAME = "vn_bank_account"
CATEGORY = "bank_account"
COUNTRY_CODE = "VN"
PATTERNS = (r"\d{6,19}", r"\d{4}(?: \d{3,4}){2,4}")
CONTEXT = (
    "so tai khoan",
    "stk",
    "tai khoan",
    "tk ngan hang",
    "account number",
    "account no",
    "acct",
    "bank account",
    "ngan hang",
    "chuyen khoan",
    "vietcombank",
    "vcb",
    "techcombank",
    "bidv",
    "agribank",
    "vietinbank",
    "mbbank",
    "mb bank",
    "acb",
    "vpbank",
    "tpbank",
    "sacombank",
    "hdbank",
    "shb",
    "ocb",
    "msb",
    "seabank",
    "vib",
    "eximbank",
)


def validate(text: str) -> float | None:
    """0.6 for 6-19 digits that are not a trivial run."""
    digits = "".join(c for c in text if c.isdigit())
    if not 6 <= len(digits) <= 19 or len(set(digits)) < 3:
        return None
    return 0.6


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    country_code=COUNTRY_CODE,
    needs_context=True,
)
