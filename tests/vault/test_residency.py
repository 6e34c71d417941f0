"""Residency resolution: precedence, evidence, confidence and bad signals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onshore.core.errors import InputError
from onshore.core.policy.residency import (
    SIGNAL_KEYS,
    RegionOption,
    placement_order,
    resolve_residency,
)

GEO = {"14.160.0.1": "VN", "8.8.8.8": "US", "203.0.113.9": None}


def lookup(ip: str) -> str | None:
    return GEO.get(ip)


@pytest.mark.parametrize(
    ("signals", "country", "decided_by"),
    [
        ({"declared_residence": "vn"}, "VN", "declared_residence"),
        ({"phone_number": "+84912345678"}, "VN", "phone_number"),
        ({"phone_number": "0912 345 678"}, "VN", "phone_number"),  # national format, VN hint
        ({"phone_number": "+6581234567"}, "SG", "phone_number"),
        ({"address_country": "TH"}, "TH", "address_country"),
        ({"ip": "14.160.0.1"}, "VN", "ip"),
        ({"ip": ["8.8.8.8", "14.160.0.1", "14.160.0.1"]}, "VN", "ip"),
        ({}, "SG", "default"),
        ({"ip": "203.0.113.9"}, "SG", "default"),
        ({"phone_number": "+84 000"}, "SG", "default"),  # invalid number resolves nothing
        # precedence: declared beats phone beats address beats ip
        ({"declared_residence": "SG", "phone_number": "+84912345678"}, "SG", "declared_residence"),
        ({"phone_number": "+84912345678", "address_country": "SG"}, "VN", "phone_number"),
        ({"address_country": "VN", "ip": "8.8.8.8"}, "VN", "address_country"),
    ],
)
def test_precedence(signals: dict[str, object], country: str, decided_by: str) -> None:
    r = resolve_residency(signals, default_country="SG", ip_country=lookup)
    assert (r.country, r.decided_by) == (country, decided_by)
    assert 0 < r.confidence <= 1


def test_agreement_raises_and_conflict_lowers_confidence() -> None:
    alone = resolve_residency({"phone_number": "+84912345678"}, default_country="SG")
    agree = resolve_residency(
        {"phone_number": "+84912345678", "ip": "14.160.0.1"},
        default_country="SG",
        ip_country=lookup,
    )
    conflict = resolve_residency(
        {"phone_number": "+84912345678", "ip": "8.8.8.8"}, default_country="SG", ip_country=lookup
    )
    assert conflict.confidence < alone.confidence < agree.confidence
    assert conflict.conflicts == ("ip",)
    assert "conflicts: ip" in conflict.explain()


def test_evidence_holds_no_raw_identifier() -> None:
    r = resolve_residency(
        {"phone_number": "+84912345678", "ip": "14.160.0.1"},
        default_country="SG",
        ip_country=lookup,
    )
    text = repr(r.to_dict())
    assert "912345678" not in text and "14.160.0.1" not in text


@pytest.mark.parametrize(
    "signals",
    [
        {"declared_residence": "Vietnam"},
        {"address_country": 84},
        {"phone_number": ""},
        {"ip": 5},
        {"ip": []},
        {"citizenship": "VN"},
    ],
)
def test_bad_signals_are_typed_errors(signals: dict[str, object]) -> None:
    with pytest.raises(InputError):
        resolve_residency(signals, default_country="SG", ip_country=lookup)


@given(
    st.dictionaries(
        st.sampled_from(SIGNAL_KEYS),
        st.one_of(st.text(max_size=20), st.lists(st.text(max_size=15), max_size=3), st.none()),
    )
)
def test_never_crashes_on_arbitrary_values(signals: dict[str, object]) -> None:
    try:
        r = resolve_residency(signals, default_country="SG", ip_country=lookup)
    except InputError:
        return
    assert len(r.country) == 2


def test_placement_order_prefers_own_country_then_default() -> None:
    regions = (
        RegionOption("sg-1", "SG"),
        RegionOption("vn-hn", "VN"),
        RegionOption("vn-hcm", "VN"),
        RegionOption("de-1", "DE"),
    )
    assert [r.name for r in placement_order(regions, "VN", "sg-1")] == [
        "vn-hcm",
        "vn-hn",
        "sg-1",
        "de-1",
    ]
    assert placement_order(regions, "US", "sg-1")[0].name == "sg-1"
    assert placement_order(regions, "DE", "sg-1")[0].name == "de-1"
