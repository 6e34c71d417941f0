"""The regex validation of Vietnamese numbers agrees with ``phonenumbers.is_valid_number``."""

from __future__ import annotations

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from onshore.core.classify.recognizers import vn_phone

PREFIXES = st.sampled_from(["0", "84", "+84"])
NATIONAL = st.one_of(
    st.from_regex(r"\A[235789][0-9]{8}\Z"),  # mobile-shaped
    st.from_regex(r"\A2[0-9]{9}\Z"),  # landline-shaped
    st.from_regex(r"\A[0-9]{7,10}\Z"),
)


def _reference(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, "VN")
    except phonenumbers.NumberParseException:
        return False
    return parsed.country_code == 84 and phonenumbers.is_valid_number(parsed)


@settings(max_examples=600, deadline=None)
@given(PREFIXES, NATIONAL)
def test_agrees_with_phonenumbers(prefix: str, national: str) -> None:
    """``84...`` without ``+`` is read as the country code (phonenumbers may read it as a
    national 08x number), so the reference for it is ``+84...``."""
    number = prefix + national
    reference = "+84" + national if prefix == "84" else number
    assert (vn_phone.RECOGNIZER.check(number) is not None) is _reference(reference)
