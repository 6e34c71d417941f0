"""Vietnamese People's Identity Card numbers (Chứng minh nhân dân, CMND; 9 digits).

Format: Decree 05/1999/NĐ-CP and Circular 04/1999/TT-BCA: 9 digits whose first two encode the
issuing province; no check digit. Nine digits alone are everywhere (order numbers, amounts),
so this recognizer reports only next to a context word (``CMND``, ``chứng minh``...) or in a
column named for it.

Example:
    >>> RECOGNIZER.check("025123456"), RECOGNIZER.needs_context
    (0.6, True)
    >>> RECOGNIZER.check("000000000") is None
    True
"""

from __future__ import annotations

from onshore.core.classify.recognizer import Recognizer

NAME = "vn_cmnd"
CATEGORY = "national_id"
COUNTRY_CODE = "VN"
PATTERNS = (r"\d{9}", r"\d{3} \d{3} \d{3}")
CONTEXT = (
    "cmnd",
    "chung minh",
    "cmt",
    "so cm",
    "id card",
    "identity card",
    "identity number",
    "national id",
    "giay to tuy than",
)


def validate(text: str) -> float | None:
    """0.6 for nine digits that are not a trivial run."""
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) != 9 or len(set(digits)) < 3 or digits.startswith("00"):
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
