"""Ethnicity values: one of Viet Nam's 54 recognised ethnic groups (column values only).

Format: the GSO list of ethnic groups (Decision 121-TCTK/PPCĐ, ``vocabulary.vn_ethnic_groups``).
This recognizer has no free-text patterns: ethnicity is recognised only in a column or field
whose values are group names, never by reading what a text says.

Example:
    >>> RECOGNIZER.check("Tày"), RECOGNIZER.patterns
    (0.7, ())
"""

from __future__ import annotations

from onshore.core.classify.recognizer import Recognizer
from onshore.core.classify.vocabulary.vn_ethnic_groups import is_ethnic_group

NAME = "vn_ethnic_group"
CATEGORY = "ethnicity"
COUNTRY_CODE = "VN"
PATTERNS: tuple[str, ...] = ()
CONTEXT = ("dan toc", "ethnicity", "ethnic")


def validate(text: str) -> float | None:
    """0.7 when ``text`` names one of the 54 groups."""
    return 0.7 if is_ethnic_group(text) else None


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    country_code=COUNTRY_CODE,
)
