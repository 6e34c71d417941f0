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


def test_the_e164_fast_path_parses_as_phonenumbers_does() -> None:
    """Bare ``+digits`` numbers skip phonenumbers' generic parser; whenever the fast path
    answers, it is the number ``phonenumbers.parse`` gives (examples of every region and
    random digit strings under every calling code)."""
    import random

    import phonenumbers

    from onshore.core.phone import _parse_e164

    rng = random.Random(5)
    cases = []
    for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items():
        for region in regions:
            example = phonenumbers.example_number_for_type(
                region, phonenumbers.PhoneNumberType.MOBILE
            )
            if example is not None:
                cases.append(
                    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
                )
        for _ in range(8):
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 14)))
            cases.append(f"+{code}{digits}")
    fast = 0
    for text in cases:
        number = _parse_e164(text)
        if number is None:
            continue
        fast += 1
        assert number == phonenumbers.parse(text, None), text
    assert fast > len(cases) // 2  # the fast path does answer for most
    assert _parse_e164("+84 912 345 678") is None  # spaced writings take the full parser
    assert _parse_e164("+840912345678") is None  # a national prefix to strip too
