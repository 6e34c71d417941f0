"""Vietnamese Citizen Identity Card numbers (Căn cước công dân, CCCD; personal ID number).

Format: Decree 137/2015/NĐ-CP art. 7 and Circular 07/2016/TT-BCA (amended by Circular
59/2021/TT-BCA): 12 digits = 3-digit province-of-birth code (001 Ha Noi ... 096 Ca Mau),
1 century/gender digit (0/1: 20th century male/female, 2/3: 21st century), 2 digits of the
birth year, 6 random digits. No check digit exists; the province code must be one issued
(63 codes), codes within 001-096 that were never assigned score lower.

Example:
    >>> RECOGNIZER.check("079090012345"), RECOGNIZER.check("001305678901")
    (0.85, 0.85)
    >>> RECOGNIZER.check("099090012345") is None, RECOGNIZER.check("079490012345") is None
    (True, True)
"""

from __future__ import annotations

from onshore.core.classify.recognizer import Recognizer

NAME = "vn_cccd"
CATEGORY = "national_id"
COUNTRY_CODE = "VN"
PATTERNS = (r"\d{12}", r"\d{3}[ .]\d{3}[ .]\d{3}[ .]\d{3}", r"\d{4} \d{4} \d{4}")
CONTEXT = (
    "cccd",
    "can cuoc",
    "cong dan",
    "dinh danh",
    "cmnd",
    "chung minh",
    "citizen id",
    "id card",
    "identity",
    "national id",
    "so cc",
    "ma dinh danh",
    "giay to",
)
#: Province codes of Circular 07/2016/TT-BCA, Annex (63 provinces and cities).
PROVINCE_CODES = frozenset(
    [
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    ]
)


STRIP = " ."
#: Issued province code, century/gender digit 0-3 (born 1900-2099), 8 more digits.
ISSUED = "(?:" + "|".join(sorted(PROVINCE_CODES)) + r")[0-3]\d{8}"
#: Any code in 001-096 (a province code never assigned scores below the threshold).
IN_RANGE = r"0(?:0[1-9]|[1-8]\d|9[0-6])[0-3]\d{8}"


def validate(text: str) -> float | None:
    """0.85 for an issued province code and a 19xx/20xx century digit; 0.45 when unassigned."""
    return RECOGNIZER.check(text)


RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    country_code=COUNTRY_CODE,
    cell_strip=STRIP,
    cell_patterns=((ISSUED, 0.85), (IN_RANGE, 0.45)),
    cell_exact=True,
)
