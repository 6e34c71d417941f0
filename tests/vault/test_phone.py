"""core.phone agrees with phonenumbers' own validity and country on any digits."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from onshore.core.phone import read_phone


@given(
    st.sampled_from(["+84", "+1", "+7", "+44", "+65", "0", "84", "+", "00"]),
    st.text(alphabet="0123456789 -", min_size=1, max_size=14),
    st.sampled_from(["VN", "SG", "US"]),
)
def test_matches_phonenumbers(prefix: str, rest: str, region: str) -> None:
    text = prefix + rest
    reading = read_phone(text, region)
    parse_text = "+" + text.strip()[2:] if text.strip().startswith("00") else text
    try:
        number = phonenumbers.parse(
            parse_text, None if parse_text.strip().startswith("+") else region
        )
    except phonenumbers.NumberParseException:
        assert reading is None
        return
    assert reading is not None
    assert reading.valid == phonenumbers.is_valid_number(number)
    assert reading.possible == phonenumbers.is_possible_number(number)
    if reading.valid:
        assert reading.country == phonenumbers.region_code_for_number(number)
    assert reading.e164 == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@pytest.mark.parametrize(
    ("text", "region", "e164", "country"),
    [
        ("0912 345 678", "VN", "+84912345678", "VN"),
        ("+84 91 234 5678", "SG", "+84912345678", "VN"),
        ("84912345678", "VN", "+84912345678", "VN"),
        ("(028) 3822 1234", "VN", "+842838221234", "VN"),
        ("0084912345678", "US", "+84912345678", "VN"),
        ("+1 201-555-0123", "VN", "+12015550123", "US"),
    ],
)
def test_common_writings(text: str, region: str, e164: str, country: str) -> None:
    reading = read_phone(text, region)
    assert reading is not None and (reading.e164, reading.country) == (e164, country)


@pytest.mark.parametrize("text", ["", "call me", "0912-ABC-678", "   "])
def test_unparseable(text: str) -> None:
    assert read_phone(text, "VN") is None
