"""Blind indexes: normalisation tables, keyed terms, terms of whole records."""

from __future__ import annotations

import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onshore.core.blind_index import (
    IDENTIFIER_CATEGORIES,
    lookup_term,
    normalise,
    subject_ref,
    term,
    terms_for,
)
from onshore.core.errors import UnknownIdentifier

KEY = secrets.token_bytes(32)

# (category, written as, normalised) -- every value is fictitious.
NORMALISED = [
    ("phone_number", "0912 345 678", "+84912345678"),
    ("phone_number", "+84 91 234 5678", "+84912345678"),
    ("phone_number", "84912345678", "+84912345678"),
    ("phone_number", "(028) 3822 1234", "+842838221234"),
    ("phone_number", "0912.345.678", "+84912345678"),
    ("phone_number", "0912-345-678", "+84912345678"),
    ("phone_number", "0084 912 345 678", "+84912345678"),
    ("phone_number", "+84 (0) 912 345 678", "+84912345678"),
    ("phone_number", "  0912345678  ", "+84912345678"),
    ("phone_number", "0912 345 678 ext. 12", "+84912345678"),
    ("phone_number", "+65 6123 4567", "+6561234567"),
    ("phone_number", "+1 (650) 253-0000", "+16502530000"),
    ("phone_number", "０９１２３４５６７８", "+84912345678"),  # full-width digits
    ("phone_number", 84912345678, "+84912345678"),
    ("email", "An.Nguyen@Example.VN", "an.nguyen@example.vn"),
    ("email", "  an.nguyen@example.vn\n", "an.nguyen@example.vn"),
    ("email", "user+tag@mail.example.com", "user+tag@mail.example.com"),
    ("national_id", "079 203 004 512", "079203004512"),
    ("national_id", "079-203-004-512", "079203004512"),
    ("national_id", "079.203.004.512", "079203004512"),
    ("national_id", "０７９２０３００４５１２", "079203004512"),
    ("passport_number", "c1234567", "C1234567"),
    ("passport_number", " C 123 4567 ", "C1234567"),
    ("tax_id", "0312-345-678", "0312345678"),
    ("card_number", "4111 1111 1111 1111", "4111111111111111"),
    ("card_number", "4111-1111-1111-1111", "4111111111111111"),
    ("bank_account", "0071 0001 23456", "0071000123456"),
    ("account_name", "@An_Nguyen", "an_nguyen"),
    ("account_name", "  AN_NGUYEN ", "an_nguyen"),
]

# Tricky values that are not identifiers of that category.
NOT_IDENTIFIERS = [
    ("phone_number", ""),
    ("phone_number", "   "),
    ("phone_number", "123"),
    ("phone_number", "0912"),
    ("phone_number", "hello"),
    ("phone_number", "0912 ABC 678"),  # keypad letters are not read as digits
    ("phone_number", "1-800-FLOWERS"),
    ("phone_number", "09123456789012345678"),
    ("phone_number", None),
    ("phone_number", True),
    ("phone_number", 3.5),
    ("phone_number", ["0912345678"]),
    ("email", "not-an-email"),
    ("email", "@example.vn"),
    ("email", "an@"),
    ("email", "an nguyen@example.vn"),
    ("email", "a@b@c.vn"),
    ("email", "an@.vn"),
    ("email", 42),
    ("national_id", ""),
    ("national_id", " - . "),
    ("national_id", "079/203/004"),
    ("national_id", "0792#03"),
    ("passport_number", "C123 4567!"),
    ("card_number", None),
    ("account_name", ""),
    ("account_name", "two words"),
]


@pytest.mark.parametrize(("category", "written", "expected"), NORMALISED)
def test_normalise(category: str, written: object, expected: str) -> None:
    assert normalise(category, written) == expected


@pytest.mark.parametrize(("category", "written"), NOT_IDENTIFIERS)
def test_not_identifiers_normalise_to_none(category: str, written: object) -> None:
    assert normalise(category, written) is None


def test_default_region_decides_national_writings() -> None:
    assert normalise("phone_number", "6123 4567", default_region="SG") == "+6561234567"
    assert normalise("phone_number", "0912 345 678", default_region="VN") == "+84912345678"
    # An international writing ignores the default region.
    assert normalise("phone_number", "+84 912 345 678", default_region="SG") == "+84912345678"


def test_the_four_vn_writings_give_one_term() -> None:
    writings = ["0912 345 678", "+84 91 234 5678", "84912345678", "+84912345678"]
    terms = {lookup_term(KEY, "phone_number", w) for w in writings}
    assert len(terms) == 1 and None not in terms


def test_vocabulary_has_the_required_identifiers() -> None:
    required = {
        "phone_number", "email", "national_id", "passport_number", "tax_id",
        "account_name", "card_number", "bank_account",
    }  # fmt: skip
    assert required <= IDENTIFIER_CATEGORIES


@pytest.mark.parametrize("category", ["person_name", "address", "nonsense"])
def test_category_without_normaliser_is_unknown_identifier(category: str) -> None:
    with pytest.raises(UnknownIdentifier) as info:
        normalise(category, "x")
    assert info.value.code == "input.unknown_identifier"
    with pytest.raises(UnknownIdentifier):
        term(KEY, category, "x")


def test_terms_depend_on_the_key() -> None:
    other = secrets.token_bytes(32)
    assert term(KEY, "email", "a@b.vn") != term(other, "email", "a@b.vn")
    assert subject_ref(KEY, "u1") != subject_ref(other, "u1")


def test_terms_are_separated_by_category() -> None:
    assert term(KEY, "national_id", "0312345678") != term(KEY, "tax_id", "0312345678")
    assert term(KEY, "email", "x") != term(KEY, "account_name", "x")


def test_terms_are_not_unkeyed_hashes() -> None:
    import hashlib

    t = term(KEY, "phone_number", "+84912345678")
    assert t != hashlib.sha256(b"+84912345678").digest()
    assert b"84912345678" not in t
    assert len(t) == 32


def test_subject_ref_is_not_a_term() -> None:
    assert subject_ref(KEY, "a@b.vn") != term(KEY, "email", "a@b.vn")


def test_terms_for_record() -> None:
    data = {
        "name": "Nguyễn Văn An",
        "phone": "0912 345 678",
        "phones": ["+84 91 234 5678", "(028) 3822 1234", "junk"],
        "email": "An@Example.VN",
        "cccd": "079-203-004-512",
        "note": "call 0987 654 321",
    }
    cats = {
        "name": frozenset({"person_name"}),
        "phone": frozenset({"phone_number"}),
        "phones": frozenset({"phone_number"}),
        "email": frozenset({"email"}),
        "cccd": frozenset({"national_id"}),
        "note": frozenset({"user_content"}),
    }
    got = terms_for(data, cats, KEY)
    expected = [
        term(KEY, "phone_number", "+84912345678"),
        term(KEY, "phone_number", "+842838221234"),
        term(KEY, "email", "an@example.vn"),
        term(KEY, "national_id", "079203004512"),
    ]
    assert list(got) == expected
    assert terms_for({}, cats, KEY) == ()
    assert terms_for(data, {}, KEY) == ()


def test_terms_for_field_with_two_identifier_categories() -> None:
    got = terms_for({"id": "0312345678"}, {"id": frozenset({"tax_id", "national_id"})}, KEY)
    assert set(got) == {term(KEY, "tax_id", "0312345678"), term(KEY, "national_id", "0312345678")}


def test_terms_for_respects_default_region() -> None:
    cats = {"p": frozenset({"phone_number"})}
    sg = terms_for({"p": "6123 4567"}, cats, KEY, default_region="SG")
    assert sg == (term(KEY, "phone_number", "+6561234567"),)


@given(st.from_regex(r"9[0-9]{8}", fullmatch=True), st.sampled_from(["0", "+84", "84", "0084"]))
def test_any_writing_of_a_vn_mobile_gives_the_same_term(digits: str, prefix: str) -> None:
    spaced = f"{prefix} {digits[:2]} {digits[2:5]} {digits[5:]}"
    assert lookup_term(KEY, "phone_number", spaced) == lookup_term(
        KEY, "phone_number", f"+84{digits}"
    )


@given(st.text(max_size=30))
def test_normalise_never_raises_on_text(value: str) -> None:
    for category in IDENTIFIER_CATEGORIES:
        result = normalise(category, value)
        assert result is None or (result and result == result.strip())
