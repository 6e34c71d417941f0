"""Dates of birth: a calendar date next to a birth context word.

Format: dates as written in Viet Nam (``dd/mm/yyyy``, ``dd-mm-yyyy``, ``ngày 5 tháng 3 năm
1990``) and ISO 8601 (``1990-03-05``). Any date is not a birth date, so free text needs a
birth word shortly before it (``ngày sinh``, ``sinh năm``, ``DOB``, ``born``) or a column
named for it; a date next to an order, delivery, payment or party (``sinh nhật ... giao
ngày 2024-05-08``) is that event's date, not a birth.

Example:
    >>> RECOGNIZER.check("05/03/1990"), RECOGNIZER.check("1990-02-30") is None
    (0.6, True)
"""

from __future__ import annotations

import re
from datetime import date

from onshore.core.classify.recognizer import Recognizer

NAME = "date_of_birth"
CATEGORY = "date_of_birth"
COUNTRY_CODE = None
PATTERNS = (
    r"\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}",
    r"\d{4}-\d{2}-\d{2}",
    r"[Nn]gày[ \t]+\d{1,2}[ \t]+tháng[ \t]+\d{1,2}[ \t]+năm[ \t]+\d{4}",
)
CONTEXT = (
    "ngay sinh",
    "sinh ngay",
    "sinh nam",
    "nam sinh",
    "dob",
    "date of birth",
    "birth",
    "born",
    "birthday",
    "sinh nhat",
    "d.o.b",
)
_NUMS = re.compile(r"\d+")


def validate(text: str) -> float | None:
    """0.6 for a real calendar date between 1900 and 2099."""
    nums = [int(n) for n in _NUMS.findall(text)]
    if len(nums) != 3:
        return None
    year, month, day = (nums[0], nums[1], nums[2]) if nums[0] > 31 else (nums[2], nums[1], nums[0])
    if not 1900 <= year <= 2099:
        return None
    try:
        date(year, month, day)
    except ValueError:
        return None
    return 0.6


#: Dates next to these are issue, expiry or event dates, not births.
NEGATIVE_CONTEXT = (
    "cap ngay",
    "ngay cap",
    "cap",
    "het han",
    "expiry",
    "expires",
    "expiration",
    "issued",
    "valid until",
    "ngay tao",
    "created",
    "ngay giao",
    "ngay dat",
    "hieu luc",
    # an event on that day (an order, a delivery, a party), not the day someone was born
    "don hang",
    "order",
    "ordered",
    "giao",
    "giao hang",
    "ship",
    "shipped",
    "delivery",
    "delivered",
    "dat hang",
    "dat banh",
    "mua",
    "thanh toan",
    "payment",
    "paid",
    "tiec",
    "party",
    "to chuc",
    "event",
    "su kien",
    "lich hen",
    "appointment",
    "booking",
    "dat lich",
    "hoa don",
    "invoice",
)

RECOGNIZER = Recognizer(
    name=NAME,
    category=CATEGORY,
    patterns=PATTERNS,
    validate=validate,
    context=CONTEXT,
    needs_context=True,
    negative_context=NEGATIVE_CONTEXT,
    # the birth word is next to the date (``sinh ngày 05/03/1990``, ``DOB: 1990-03-05``)
    context_window=32,
    negative_window=32,
)
