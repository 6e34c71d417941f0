"""The data subject's likely country, from the evidence classification found.

Signals, strongest first (DESIGN §2): a declared residence, a phone number's country (E.164
via ``phonenumbers``), a Vietnamese national ID (CCCD/CMND), an address in Vietnamese
vocabulary, then IP geolocation through an offline ``CountryLookup`` (the caller passes one:
core does no I/O).

Example:
    >>> infer_subject_country({"sdt": "+84 912 345 678", "ip": "8.8.8.8"})
    'VN'
    >>> infer_subject_country([Finding("phone_number", "phone", 0.8, country="SG")])
    'SG'
    >>> infer_subject_country({"note": "hello"}) is None
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from onshore.core.classify.column_names import name_categories, tokens
from onshore.core.classify.finding import Finding
from onshore.core.classify.value import value_findings

#: Categories in the order their countries are trusted.
PRIORITY: tuple[str, ...] = (
    "phone_number",
    "national_id",
    "passport_number",
    "address",
    "ip_address",
)
_RESIDENCE = frozenset(
    {
        ("declared", "residence"),
        ("residence", "country"),
        ("country", "of", "residence"),
        ("quoc", "gia", "cu", "tru"),
        ("residence",),
    }
)


class _Lookup(Protocol):
    def country_of(self, ip: str) -> str | None:
        """ISO alpha-2 country of ``ip``."""


def _from_findings(findings: Iterable[Finding]) -> str | None:
    best: dict[str, str] = {}
    for f in findings:
        if f.country and f.category not in best:
            best[f.category] = f.country
    for category in PRIORITY:
        if category in best:
            return best[category]
    return None


def _row_findings(row: Mapping[str, object], lookup: _Lookup | None) -> list[Finding]:
    found: list[Finding] = []
    for key, raw in row.items():
        if not isinstance(raw, str) or not raw.strip():
            continue
        named = name_categories(str(key))
        for f in value_findings(raw, include_contextual=bool(named)):
            if named and f.category not in named and f.category != "phone_number":
                continue
            country = f.country
            if f.category == "ip_address" and lookup is not None:
                country = lookup.country_of(raw.strip())
            found.append(Finding(f.category, f.detector, f.confidence, country=country))
    return found


def infer_subject_country(
    evidence: Iterable[Finding] | Mapping[str, object], lookup: _Lookup | None = None
) -> str | None:
    """The subject's ISO alpha-2 country, or None when nothing points anywhere.

    ``evidence`` is either findings (their ``country`` already filled, e.g. IP findings by the
    scanner) or a row/record mapping field -> value, classified here. A field named
    ``declared_residence`` (or ``country_of_residence``) holding a 2-letter code wins.
    """
    if isinstance(evidence, Mapping):
        for key, raw in evidence.items():
            if tokens(str(key)) in _RESIDENCE and isinstance(raw, str):
                code = raw.strip().upper()
                if len(code) == 2 and code.isalpha():
                    return code
        return _from_findings(_row_findings(evidence, lookup))
    return _from_findings(evidence)
