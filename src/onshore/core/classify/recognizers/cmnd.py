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

from collections.abc import Sequence

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


#: Issuing-province prefixes of 9-digit CMND numbers (Circular 04/1999/TT-BCA: 01 Ha Noi,
#: 02 Ho Chi Minh City ... 38 Ca Mau/Bac Lieu).
PREFIXES = frozenset(f"{n:02d}" for n in range(1, 39))
#: Share of a column's values that must be CMND-shaped, and distinct prefixes among them.
COLUMN_SHARE = 0.9
COLUMN_PREFIXES = 3


def column_fit(values: Sequence[str]) -> float | None:
    """The share of CMND-shaped values when a column without a telling name holds them.

    Nine digits alone could be anything, but a column of them (at least 5 values) where
    nearly all start with an issuing-province prefix, from several provinces, in no
    ascending order (row ids, order numbers and counters ascend or share one prefix) holds
    identity-card numbers.
    """
    digits = [v.replace(" ", "").replace(".", "") for v in values]
    if len(digits) < 5:
        return None
    shaped = [d for d in digits if len(d) == 9 and d.isdigit() and d[:2] in PREFIXES]
    share = len(shaped) / len(digits)
    if share < COLUMN_SHARE or len({d[:2] for d in shaped}) < COLUMN_PREFIXES:
        return None
    if shaped == sorted(shaped) or any(validate(d) is None for d in shaped):
        return None
    return share


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
    column_fit=column_fit,
)
