"""Jurisdictions in packs: ISO 3166-1 alpha-2 codes (checked with pycountry) and blocs.

A country set in a pack is a list (``[VN]``, ``[EU]``) or its negation (``{not: [VN]}``).

Example:
    >>> "DE" in expand("EU")
    True
    >>> CountrySet.parse({"not": ["VN"]}).contains("SG")
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pycountry

_EU = ("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE").split()  # noqa: SIM905

#: Blocs a pack may name instead of a country, with their members.
BLOCS: dict[str, frozenset[str]] = {
    "EU": frozenset(_EU),
    "EEA": frozenset([*_EU, "IS", "LI", "NO"]),
}


@lru_cache(maxsize=1)
def _alpha2() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


def is_jurisdiction(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code or a bloc name (``EU``, ``EEA``)."""
    return code in BLOCS or code in _alpha2()


def expand(code: str) -> frozenset[str]:
    """The countries a code stands for (a bloc's members, or the country itself)."""
    return BLOCS.get(code, frozenset({code}))


@dataclass(frozen=True)
class CountrySet:
    """A set of countries, possibly negated (``{not: [...]}``); ``codes`` as written."""

    codes: tuple[str, ...]
    negated: bool = False

    @classmethod
    def parse(cls, value: Any) -> CountrySet:
        """Read ``VN``, ``[VN, EU]`` or ``{not: [VN]}``; raise ``ValueError`` when malformed."""
        negated = False
        if isinstance(value, dict):
            if set(value) != {"not"}:
                raise ValueError("a country set mapping takes exactly one key, 'not'")
            negated, value = True, value["not"]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise ValueError("expected a country code, a list of codes, or {not: [codes]}")
        for code in value:
            if not isinstance(code, str) or not is_jurisdiction(code):
                raise ValueError(f"unknown country or bloc {code!r} (ISO 3166-1 alpha-2 or EU/EEA)")
        return cls(tuple(value), negated)

    def __post_init__(self) -> None:
        out: set[str] = set()
        for code in self.codes:
            out |= expand(code)
        object.__setattr__(self, "members", frozenset(out))

    #: The expanded countries (before negation).
    members: frozenset[str] = field(default=frozenset(), init=False, compare=False)

    def contains(self, country: str | None) -> bool:
        """Does the set include ``country`` (a code or bloc; ``None`` is never included)?"""
        if country is None:
            return False
        inside = country in self.members if country not in BLOCS else BLOCS[country] <= self.members
        return not inside if self.negated else inside

    def __str__(self) -> str:
        text = ", ".join(self.codes)
        return f"not {text}" if self.negated else text
