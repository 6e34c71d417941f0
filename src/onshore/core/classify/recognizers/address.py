"""Vietnamese postal addresses: house number and street, ward, district, province.

Format: the order Vietnamese addresses are written in (Vietnam Post's addressing standard
TCVN and Law 77/2015/QH13's administrative units): ``số nhà`` and street, then ``phường/xã``,
``quận/huyện``, ``tỉnh/thành phố``, separated by commas. A span counts as an address when
at least two comma-separated segments are present and one of them is an administrative unit
word or a province/district from ``vocabulary.vn_places``.

Example:
    >>> RECOGNIZER.check("12 Nguyễn Trãi, Phường 5, Quận 1, TP. Hồ Chí Minh")
    0.85
    >>> RECOGNIZER.check("Apple, Banana, Cherry") is None
    True
"""

from __future__ import annotations

import re

from onshore.core.classify.recognizer import Recognizer, fold
from onshore.core.classify.recognizers._letters import WORD
from onshore.core.classify.vocabulary.vn_places import UNIT_WORDS, is_district, is_province

NAME = "vn_address"
CATEGORY = "address"
COUNTRY_CODE = "VN"
_UNIT = (
    r"(?:[Pp]hường|[Qq]uận|[Hh]uyện|[Tt]ỉnh|[Tt]hành [Pp]hố|TP\.?|[Tt]p\.?|[Xx]ã|[Tt]hị [Xx]ã"
    r"|[Tt]hị [Tt]rấn|P\.|Q\.|[Pp]huong|[Qq]uan|[Hh]uyen|[Tt]inh|[Tt]hanh [Pp]ho|[Xx]a"
    r"|[Đđ]ường|[Pp]hố|[Dd]uong|[Pp]ho|[Ấấ]p|[Tt]hôn|[Tt]hon|[Kk]hu [Pp]hố|KP\.?|[Nn]gõ|[Hh]ẻm"
    r"|[Nn]go|[Hh]em)"
)
_SEG = rf"(?:{_UNIT}[ \t]*)?(?:{WORD}|\d{{1,4}}[A-Za-z]?)(?:[ \t\-]+(?:{WORD}|\d{{1,4}}))*"
PATTERNS = (
    rf"(?:[Ss]ố[ \t]+|[Ss]o[ \t]+)?\d{{1,5}}[A-Za-z]?(?:/\d{{1,4}}[A-Za-z]?)*[ \t]+{_SEG}"
    rf"(?:[ \t]*,[ \t]*{_SEG}){{1,5}}",
    rf"{_UNIT}[ \t]+{_SEG}(?:[ \t]*,[ \t]*{_SEG}){{1,4}}",
)
CONTEXT = ("dia chi", "address", "cu tru", "thuong tru", "tam tru", "o tai", "song o", "giao")
_UNIT_RE = re.compile(r"^(?:" + "|".join(sorted(UNIT_WORDS, key=len, reverse=True)) + r")\b\.?")


def validate(text: str) -> float | None:
    """0.85 with a province or district named, 0.7 with unit words only; None otherwise."""
    segments = [s.strip() for s in text.split(",") if s.strip()]
    if len(segments) < 2:
        return None
    places = sum(is_province(s) or is_district(s) for s in segments)
    units = sum(bool(_UNIT_RE.match(fold(s))) for s in segments)
    if places:
        return 0.85
    if units >= 2 or (units and segments[0][:1].isdigit()):
        return 0.7
    return None


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    country_code=COUNTRY_CODE,
)
