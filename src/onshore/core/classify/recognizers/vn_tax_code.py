"""Vietnamese tax codes (Mã số thuế, MST), checked with ``python-stdnum`` (``stdnum.vn.mst``).

Format: Circular 105/2020/TT-BTC: 10 digits whose 10th is a weighted-sum check digit
(weights 31, 29, 23, 19, 17, 13, 7, 5, 3), optionally followed by a 3-digit branch suffix
(``0100109106-001``). Ten digits are also a phone number's length, so free text needs a
context word (``MST``, ``mã số thuế``, ``tax code``).

Example:
    >>> RECOGNIZER.check("0100109106"), RECOGNIZER.check("0100109107") is None
    (0.7, True)
"""

from __future__ import annotations

from stdnum.vn import mst

from onshore.core.classify.recognizer import Recognizer

NAME = "vn_tax_code"
CATEGORY = "tax_id"
COUNTRY_CODE = "VN"
PATTERNS = (r"\d{10}-\d{3}", r"\d{10}", r"\d{13}")
CONTEXT = ("mst", "ma so thue", "tax code", "tax id", "tax number", "tin", "ma thue")


def validate(text: str) -> float | None:
    """0.7 for a code ``stdnum.vn.mst`` accepts."""
    return 0.7 if mst.is_valid(text) else None


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    country_code=COUNTRY_CODE,
    needs_context=True,
)
