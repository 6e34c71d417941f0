"""Vietnamese passport numbers (by context).

Format: Decree 136/2007/NĐ-CP and Circular 73/2021/TT-BCA on passports: one upper-case letter
(series B, C, N, E, K, P...) followed by 7 digits. ``python-stdnum`` has no Vietnamese
passport module, so the shape is checked here; a letter and 7 digits is also the shape of
many product codes, so free text needs a context word (``hộ chiếu``, ``passport``).

Example:
    >>> RECOGNIZER.check("C1234567"), RECOGNIZER.check("c1234567") is None
    (0.6, True)
"""

from __future__ import annotations

import re

from onshore.core.classify.recognizer import Recognizer

NAME = "vn_passport"
CATEGORY = "passport_number"
COUNTRY_CODE = "VN"
PATTERNS = (r"[A-Z]\d{7}",)
CONTEXT = ("ho chieu", "passport", "so hc", "passport no", "travel document")
_SHAPE = re.compile(r"[BCNEKPG]\d{7}")


def validate(text: str) -> float | None:
    """0.6 for a passport-series letter followed by 7 digits."""
    return 0.6 if _SHAPE.fullmatch(text) and len(set(text[1:])) > 2 else None


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    country_code=COUNTRY_CODE,
    needs_context=True,
)
