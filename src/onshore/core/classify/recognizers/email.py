"""E-mail addresses.

Format: RFC 5322 §3.4.1 addr-spec (dot-atom local part) with a domain of RFC 1035 labels and
an alphabetic or IDNA (``xn--``, RFC 5890) top-level label.

Example:
    >>> RECOGNIZER.check("an.nguyen@example.com.vn"), RECOGNIZER.check("info@presidio.") is None
    (0.9, True)
"""

from __future__ import annotations

import re

from onshore.core.classify.recognizer import Recognizer

NAME = "email"
CATEGORY = "email"
COUNTRY_CODE = None
PATTERNS = (
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+(?:xn--[A-Za-z0-9\-]{2,59}|[A-Za-z]{2,24})",
)
CONTEXT = ("email", "e-mail", "mail", "thu dien tu", "lien he", "contact")
_FULL = re.compile(PATTERNS[0])


def validate(text: str) -> float | None:
    """0.9 for a syntactically valid address with a plausible top-level label."""
    if not _FULL.fullmatch(text) or len(text) > 254:
        return None
    local = text.rsplit("@", 1)[0]
    return 0.9 if len(local) <= 64 else None


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    cell_patterns=((PATTERNS[0], 0.9),),
    # valid addresses have at most 254 characters; room for 4 separator segments the
    # classifier may trim from a match's end (63-character labels) before validating
    max_match=512,
    anchor="@",
)
