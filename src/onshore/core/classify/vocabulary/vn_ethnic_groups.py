"""The 54 ethnic groups officially recognised in Viet Nam.

Source: General Statistics Office, Decision 121-TCTK/PPCĐ (1979) "Danh mục các thành phần dân
tộc Việt Nam", used by the 2019 Population and Housing Census; common alternative spellings
(Mông/H'Mông, Khơ-me/Khmer, Ê-đê) are accepted too.

Example:
    >>> len(ETHNIC_GROUPS)
    54
    >>> is_ethnic_group("Tay"), is_ethnic_group("Kinh"), is_ethnic_group("Paris")
    (True, True, False)
"""

from __future__ import annotations

from onshore.core.classify.recognizer import fold

ETHNIC_GROUPS: tuple[str, ...] = (
    "Kinh",
    "Tày",
    "Thái",
    "Mường",
    "Khmer",
    "Hoa",
    "Nùng",
    "Mông",
    "Dao",
    "Gia Rai",
    "Ê Đê",
    "Ba Na",
    "Sán Chay",
    "Chăm",
    "Cơ Ho",
    "Xơ Đăng",
    "Sán Dìu",
    "Hrê",
    "Ra Glai",
    "Mnông",
    "Thổ",
    "Xtiêng",
    "Khơ Mú",
    "Bru Vân Kiều",
    "Cơ Tu",
    "Giáy",
    "Tà Ôi",
    "Mạ",
    "Giẻ Triêng",
    "Co",
    "Chơ Ro",
    "Xinh Mun",
    "Hà Nhì",
    "Chu Ru",
    "Lào",
    "La Chí",
    "Kháng",
    "Phù Lá",
    "La Hủ",
    "La Ha",
    "Pà Thẻn",
    "Lự",
    "Ngái",
    "Chứt",
    "Lô Lô",
    "Mảng",
    "Cơ Lao",
    "Bố Y",
    "Cống",
    "Si La",
    "Pu Péo",
    "Rơ Măm",
    "Brâu",
    "Ơ Đu",
)

_ALIASES: tuple[str, ...] = (
    "H'Mông",
    "Hmong",
    "H'mong",
    "Khơ-me",
    "Khome",
    "Ê-đê",
    "Ede",
    "Jrai",
    "Bahnar",
    "Stiêng",
    "Bru",
    "Vân Kiều",
    "Giẻ-Triêng",
    "Raglai",
    "M'Nông",
    "Kinh (Việt)",
    "Việt",
)


def _key(name: str) -> str:
    return "".join(ch for ch in fold(name) if ch.isalnum())


_KEYS: frozenset[str] = frozenset(_key(n) for n in ETHNIC_GROUPS + _ALIASES)


def is_ethnic_group(value: str) -> bool:
    """Whether ``value`` names one of the 54 groups (any spacing, with or without accents)."""
    return _key(value) in _KEYS
