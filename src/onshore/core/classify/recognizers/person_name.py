"""Vietnamese person names: a family name followed by capitalised given-name syllables.

Format: Vietnamese names are written family name, middle name(s), given name (Civil Code
2015 art. 26; Decree 123/2015/NĐ-CP on civil status), 2-4 syllables, each capitalised. About
90% of the population shares the family names in ``vocabulary.vn_names``. Written without
diacritics (``Nguyen Van An``), a following syllable must be a known middle/given name;
street and place names that honour people (``đường Lê Lợi``, ``Hồ Chí Minh``) are excluded.

Example:
    >>> RECOGNIZER.check("Nguyễn Văn An"), RECOGNIZER.check("Tran Thi Mai")
    (0.85, 0.75)
    >>> RECOGNIZER.check("Hồ Chí Minh") is None, RECOGNIZER.check("Le Monde") is None
    (True, True)
"""

from __future__ import annotations

import re

from onshore.core.classify.recognizer import Recognizer, fold
from onshore.core.classify.recognizers._letters import VN_MARKS, WORD
from onshore.core.classify.vocabulary.vn_names import (
    FAMILY_NAMES,
    FAMILY_NAMES_FOLDED,
    GIVEN_SYLLABLES_FOLDED,
)

NAME = "vn_person_name"
CATEGORY = "person_name"
COUNTRY_CODE = "VN"


def _family_alternation() -> str:
    forms: set[str] = set()
    for name in FAMILY_NAMES:
        for form in (name, fold(name).capitalize()):
            forms.update({form, form.upper()})
    return "|".join(sorted(forms, key=len, reverse=True))


PATTERNS = (rf"(?:{_family_alternation()})(?:[ \t]+{WORD}){{1,3}}",)
CONTEXT = (
    "ten",
    "ho ten",
    "ho va ten",
    "name",
    "mr",
    "mrs",
    "ms",
    "anh",
    "chi",
    "ong",
    "ba",
    "em",
    "ban",
    "khach hang",
    "nguoi",
    "customer",
    "user",
    "tai khoan",
    "chu tai khoan",
)
NEGATIVE_CONTEXT = (
    "duong",
    "pho",
    "street",
    "st.",
    "road",
    "tp",
    "thanh pho",
    "quan",
    "phuong",
    "huyen",
    "tinh",
    "ngo",
    "hem",
    "truong",
    "school",
    "city",
    "district",
    "ward",
    "cau",
    "cho",
    "benh vien",
    "hospital",
    "san bay",
    "airport",
    "ben xe",
    "cong vien",
    "park",
    "chua",
)
_PLACES = frozenset({"ho chi minh", "le loi", "tran hung dao", "nguyen hue", "le duan"})
_PLACE_WORDS = frozenset({"city", "street", "district", "ward", "province", "road", "st"})
_SPLIT = re.compile(r"\s+")


def validate(text: str) -> float | None:
    """0.85 for an accented name (0.7 with two syllables); 0.75/0.6 without accents."""
    parts = _SPLIT.split(text.strip())
    folded = [fold(p) for p in parts]
    if not 2 <= len(parts) <= 4 or folded[0] not in FAMILY_NAMES_FOLDED:
        return None
    if any(len(f) > 7 or f in _PLACE_WORDS for f in folded):
        return None
    if any(" ".join(folded[:n]) in _PLACES for n in (2, 3, 4)):
        return None
    accented = any(ch in VN_MARKS for ch in text.lower())
    known = sum(f in GIVEN_SYLLABLES_FOLDED for f in folded[1:])
    if accented:
        if known == 0 and len(parts) == 2:
            return None
        return 0.85 if len(parts) >= 3 else 0.7
    if known == 0 or (len(parts) == 2 and known < 1):
        return None
    return 0.75 if len(parts) >= 3 else 0.6


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    country_code=COUNTRY_CODE,
    negative_context=NEGATIVE_CONTEXT,
    context_boost=0.1,
)
