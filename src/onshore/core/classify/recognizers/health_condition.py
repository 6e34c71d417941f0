"""Health conditions a person discloses: ``tôi bị tiểu đường type 2``, ``diagnosed with HIV``.

Format: a condition of ``vocabulary.health_conditions`` (GDPR art. 9 and Decree
13/2023/NĐ-CP art. 2(4)(c): health data is sensitive personal data) with a disclosure word
shortly before it in the same sentence: a verb saying someone has it or is treated for it
(``bị``, ``mắc``, ``chẩn đoán``, ``điều trị``, ``has``, ``diagnosed``, ``living with``). A
condition named without one (an article on ``phòng chống tiểu đường``) is not about a person,
and generic subjects (``người bị``, ``people who have``), advice and prevention words next to
it (``triệu chứng``, ``prevent``) make it general information, not a disclosure.

This recognizer reads which condition a sentence names, never opinions or beliefs: the
special categories of belief (religion, political opinion) and ethnicity are recognised by
column or field name only.

Example:
    >>> RECOGNIZER.check("tiểu đường type 2"), RECOGNIZER.needs_context
    (0.5, True)
"""

from __future__ import annotations

import re

from onshore.core.classify.recognizer import Recognizer
from onshore.core.classify.vocabulary.health_conditions import pattern

NAME = "health_condition"
CATEGORY = "health"
COUNTRY_CODE = None
PATTERNS = (pattern(),)
#: Disclosure words (folded): someone has, had, is treated for or was diagnosed with it.
CONTEXT = (
    "bi",
    "mac",
    "mac benh",
    "bi benh",
    "chan doan",
    "dieu tri",
    "phat hien",
    "duong tinh",
    "nhiem",
    "song chung",
    "tien su",
    "chua",
    "diagnosed",
    "diagnosis",
    "has",
    "have",
    "had",
    "having",
    "suffer",
    "suffers",
    "suffered",
    "suffering",
    "living with",
    "lives with",
    "live with",
    "battling",
    "fighting",
    "treated",
    "treatment",
    "positive",
    "history of",
    "struggling",
    "survivor",
    "recovering",
)
#: General information rather than a person's condition: generic subjects, advice, prevention.
NEGATIVE_CONTEXT = (
    "nguoi bi",
    "nguoi mac",
    "benh nhan",
    "nhung ai",
    "ai bi",
    "neu bi",
    "khi bi",
    "tre bi",
    "phong",
    "phong chong",
    "phong ngua",
    "nguy co",
    "trieu chung",
    "dau hieu",
    "bai viet",
    "tim hieu",
    "cach",
    "meo",
    "nen an",
    "co nen",
    "vaccine",
    "vac xin",
    "people",
    "patients",
    "who have",
    "anyone",
    "if you",
    "prevent",
    "prevention",
    "risk",
    "symptoms",
    "signs",
    "awareness",
    "tips",
    "article",
    "research",
    "study",
    "campaign",
    "la gi",
    "what is",
    "about",
    "question",
    "ve",
)
_FULL = re.compile(PATTERNS[0])


def validate(text: str) -> float | None:
    """0.5 for a listed condition (a disclosure word nearby makes it a finding)."""
    return 0.5 if _FULL.fullmatch(text) else None


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    country_code=COUNTRY_CODE,
    needs_context=True,
    negative_context=NEGATIVE_CONTEXT,
    context_window=40,
    negative_window=28,
)
