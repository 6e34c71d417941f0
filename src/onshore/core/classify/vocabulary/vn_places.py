"""Vietnamese administrative vocabulary: provinces, well-known districts and unit words.

Provinces: the 63 provinces and centrally-run cities of Decree 2013-era administrative
divisions (General Statistics Office list of administrative units, "Danh mục đơn vị hành
chính Việt Nam"), plus the 34 units after the 2025 mergers are all still among these names.
Unit words (tỉnh, thành phố, quận, huyện, thị xã, phường, xã, thị trấn, ấp, thôn, tổ...) are
the ones Law 77/2015/QH13 on local government organisation uses.

Example:
    >>> is_province("Ha Noi"), is_province("TP.HCM"), is_province("Tokyo")
    (True, True, False)
"""

from __future__ import annotations

from onshore.core.classify.recognizer import fold

PROVINCES: tuple[str, ...] = (
    "An Giang",
    "Bà Rịa - Vũng Tàu",
    "Bạc Liêu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Dương",
    "Bình Định",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cao Bằng",
    "Cần Thơ",
    "Đà Nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Dương",
    "Hải Phòng",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lâm Đồng",
    "Lạng Sơn",
    "Lào Cai",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Tiền Giang",
    "Hồ Chí Minh",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
)

_CITY_ALIASES: tuple[str, ...] = (
    "Huế",
    "Sài Gòn",
    "Saigon",
    "HCM",
    "TPHCM",
    "TP HCM",
    "TP.HCM",
    "HCMC",
    "Hanoi",
    "Ho Chi Minh City",
    "Da Nang",
    "Danang",
    "Vũng Tàu",
    "Nha Trang",
    "Đà Lạt",
    "Biên Hòa",
    "Thủ Đức",
    "Hạ Long",
    "Buôn Ma Thuột",
    "Quy Nhơn",
    "Vinh",
    "Hội An",
    "Phan Thiết",
)

#: Districts of the big cities (addresses there rarely name the province).
DISTRICTS: tuple[str, ...] = (
    "Ba Đình",
    "Hoàn Kiếm",
    "Hai Bà Trưng",
    "Đống Đa",
    "Tây Hồ",
    "Cầu Giấy",
    "Thanh Xuân",
    "Hoàng Mai",
    "Long Biên",
    "Nam Từ Liêm",
    "Bắc Từ Liêm",
    "Hà Đông",
    "Bình Thạnh",
    "Gò Vấp",
    "Phú Nhuận",
    "Tân Bình",
    "Tân Phú",
    "Bình Tân",
    "Thủ Đức",
    "Nhà Bè",
    "Củ Chi",
    "Hóc Môn",
    "Bình Chánh",
    "Cần Giờ",
    "Hải Châu",
    "Thanh Khê",
    "Sơn Trà",
    "Ngũ Hành Sơn",
    "Liên Chiểu",
    "Cẩm Lệ",
    "Ninh Kiều",
    "Cái Răng",
    "Hồng Bàng",
    "Lê Chân",
    "Ngô Quyền",
    "Kiến An",
)

#: Administrative unit words, folded (P. and Q. are the usual abbreviations of phường/quận).
UNIT_WORDS: frozenset[str] = frozenset(
    {
        "tinh",
        "thanh pho",
        "tp",
        "quan",
        "huyen",
        "thi xa",
        "phuong",
        "xa",
        "thi tran",
        "ap",
        "thon",
        "to",
        "khu pho",
        "kp",
        "duong",
        "pho",
        "ngo",
        "ngach",
        "hem",
        "kiet",
        "so nha",
        "p",
        "q",
        "tx",
        "tt",
        "h",
    }
)


def _key(name: str) -> str:
    return "".join(ch for ch in fold(name) if ch.isalnum())


_PROVINCE_KEYS: frozenset[str] = frozenset(_key(n) for n in PROVINCES + _CITY_ALIASES) | {
    "tphochiminh",
    "hochiminh",
    "thanhphohochiminh",
    "hn",
    "tphn",
    "brvt",
    "hue",
}
_DISTRICT_KEYS: frozenset[str] = frozenset(_key(n) for n in DISTRICTS)


def is_province(value: str) -> bool:
    """Whether ``value`` names a Vietnamese province or major city (with or without accents)."""
    key = _key(value)
    if key.startswith(("tinh", "thanhpho")) and key not in _PROVINCE_KEYS:
        key = key.removeprefix("tinh").removeprefix("thanhpho")
    if key.startswith("tp") and key not in _PROVINCE_KEYS:
        key = key[2:]
    return key in _PROVINCE_KEYS


def is_district(value: str) -> bool:
    """Whether ``value`` names a well-known urban district."""
    key = _key(value)
    for prefix in ("quan", "huyen", "q"):
        if key.startswith(prefix) and key[len(prefix) :] in _DISTRICT_KEYS:
            return True
    return key in _DISTRICT_KEYS
