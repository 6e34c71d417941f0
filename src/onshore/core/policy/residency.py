"""Residency resolution: which country's law governs a data subject, with evidence.

Signals (DESIGN §2, an interface), strongest first:

============================  ======  =================================================
signal key                    weight  how it is read
============================  ======  =================================================
``declared_residence``        0.95    ISO 3166-1 alpha-2 code the user declared
``phone_number``              0.85    country of a verified number (E.164 via phonenumbers);
                                      a number without ``+`` is read in the deployment's
                                      phone region at weight 0.70
``address_country``           0.75    billing or postal address country (alpha-2)
``ip``                        0.60    offline geolocation of recent login IPs (one or a
                                      list; the most frequent country wins)
(deployment default)          0.30    used only when no signal resolves
============================  ======  =================================================

Precedence: the strongest signal that resolves decides the country. Every other signal is
kept as evidence: agreeing signals raise the confidence, conflicting ones lower it, and the
conflicts are listed, so the result explains itself. No raw identifier is kept in the
evidence (a phone number becomes "a +84 number", an IP "1 of 2 IPs").

Pure: IP look-ups come in through ``ip_country``, a function supplied by an adapter.

Example:
    >>> r = resolve_residency({"phone_number": "+84912345678", "ip": "8.8.8.8"},
    ...                       default_country="SG", ip_country=lambda ip: "US")
    >>> r.country, r.decided_by, r.conflicts
    ('VN', 'phone_number', ('ip',))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pycountry

from onshore.core.errors import InputError
from onshore.core.phone import read_phone

SIGNAL_KEYS: tuple[str, ...] = ("declared_residence", "phone_number", "address_country", "ip")

WEIGHTS: dict[str, float] = {
    "declared_residence": 0.95,
    "phone_number": 0.85,
    "phone_number_local": 0.70,
    "address_country": 0.75,
    "ip": 0.60,
    "default": 0.30,
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """One signal's reading: which country it points to, how strongly, and why."""

    signal: str
    country: str | None
    weight: float
    note: str


@dataclass(frozen=True, slots=True)
class Residency:
    """The resolved jurisdiction of a subject, with its evidence and a confidence in [0, 1]."""

    country: str
    confidence: float
    decided_by: str
    evidence: tuple[Evidence, ...]
    conflicts: tuple[str, ...] = ()

    def explain(self) -> str:
        """One readable line, e.g. ``VN (0.93) by phone_number; conflicts: ip``."""
        text = f"{self.country} ({self.confidence:.2f}) by {self.decided_by}"
        return text + (f"; conflicts: {', '.join(self.conflicts)}" if self.conflicts else "")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "country": self.country,
            "confidence": round(self.confidence, 4),
            "decided_by": self.decided_by,
            "conflicts": list(self.conflicts),
            "evidence": [
                {"signal": e.signal, "country": e.country, "weight": e.weight, "note": e.note}
                for e in self.evidence
            ],
        }


def _alpha2(value: object, signal: str) -> str:
    if not isinstance(value, str) or pycountry.countries.get(alpha_2=value.strip().upper()) is None:
        raise InputError(
            f"signal {signal!r} must be an ISO 3166-1 alpha-2 country code",
            details={"signal": signal},
        )
    return value.strip().upper()


def _phone(value: object, phone_region: str) -> Evidence:
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            "signal 'phone_number' must be a non-empty string", details={"signal": "phone_number"}
        )
    return _phone_evidence(value.strip(), phone_region)


def _phone_evidence(text: str, phone_region: str) -> Evidence:
    reading = read_phone(text, phone_region)
    if reading is None:
        return Evidence("phone_number", None, 0.0, "not a parseable phone number")
    if not reading.valid:
        return Evidence("phone_number", None, 0.0, "not a valid phone number")
    if reading.country is None:
        return Evidence("phone_number", None, 0.0, "number has no single country")
    if reading.international:
        return Evidence(
            "phone_number",
            reading.country,
            WEIGHTS["phone_number"],
            f"a +{reading.country_code} number",
        )
    return Evidence(
        "phone_number",
        reading.country,
        WEIGHTS["phone_number_local"],
        f"a national-format number read as {phone_region}",
    )


def _ips(value: object, ip_country: Callable[[str], str | None] | None) -> Evidence:
    ips = [value] if isinstance(value, str) else value
    if not isinstance(ips, list | tuple) or not all(isinstance(i, str) for i in ips) or not ips:
        raise InputError(
            "signal 'ip' must be an IP address or a list of them", details={"signal": "ip"}
        )
    if ip_country is None:
        return Evidence("ip", None, 0.0, "no IP country database configured")
    counts = Counter(c for c in (ip_country(ip) for ip in ips) if c)
    if not counts:
        return Evidence("ip", None, 0.0, f"no country known for {len(ips)} IP(s)")
    country, hits = counts.most_common(1)[0]
    return Evidence("ip", country, WEIGHTS["ip"] * hits / len(ips), f"{hits} of {len(ips)} IPs")


def resolve_residency(
    signals: Mapping[str, object] | None,
    *,
    default_country: str,
    phone_region: str = "VN",
    ip_country: Callable[[str], str | None] | None = None,
) -> Residency:
    """Resolve a subject's jurisdiction from ``signals`` (keys in ``SIGNAL_KEYS``).

    Unknown signal keys and malformed values raise ``InputError``; a value that is well
    formed but unresolvable (an unknown IP, an invalid number) is kept as evidence of nothing.
    """
    signals = signals or {}
    unknown = sorted(set(signals) - set(SIGNAL_KEYS))
    if unknown:
        raise InputError(
            f"unknown residency signal {unknown[0]!r}",
            details={"unknown": unknown, "allowed": list(SIGNAL_KEYS)},
        )
    evidence: list[Evidence] = []
    for key in SIGNAL_KEYS:
        if key not in signals or signals[key] is None:
            continue
        value = signals[key]
        if key == "declared_residence":
            evidence.append(
                Evidence(key, _alpha2(value, key), WEIGHTS[key], "declared by the user")
            )
        elif key == "address_country":
            evidence.append(Evidence(key, _alpha2(value, key), WEIGHTS[key], "address country"))
        elif key == "phone_number":
            evidence.append(_phone(value, phone_region))
        else:
            evidence.append(_ips(value, ip_country))
    resolved = [e for e in evidence if e.country is not None and e.weight > 0]
    if not resolved:
        fallback = Evidence("default", default_country, WEIGHTS["default"], "deployment default")
        return Residency(default_country, WEIGHTS["default"], "default", (*evidence, fallback))
    winner = max(resolved, key=lambda e: e.weight)  # stable: first of equal weight wins
    agree = [e for e in resolved if e is not winner and e.country == winner.country]
    conflict = [e for e in resolved if e.country != winner.country]
    confidence = winner.weight
    for e in agree:
        confidence += (1.0 - confidence) * e.weight * 0.5
    for e in conflict:
        confidence -= confidence * e.weight * 0.25
    return Residency(
        country=str(winner.country),
        confidence=round(min(max(confidence, 0.0), 1.0), 4),
        decided_by=winner.signal,
        evidence=tuple(evidence),
        conflicts=tuple(e.signal for e in conflict),
    )


@dataclass(frozen=True, slots=True)
class RegionOption:
    """A configured region as placement sees it: its name and country."""

    name: str
    country: str


def placement_order(
    regions: tuple[RegionOption, ...], subject_country: str, default_region: str
) -> tuple[RegionOption, ...]:
    """Regions in the order the vault tries them: the subject's own country first, then the
    default region, then the rest by name.

    Example:
        >>> rs = (RegionOption("sg-1", "SG"), RegionOption("vn-hcm", "VN"),
        ...       RegionOption("eu-1", "DE"))
        >>> [r.name for r in placement_order(rs, "VN", "sg-1")]
        ['vn-hcm', 'sg-1', 'eu-1']
    """

    def rank(r: RegionOption) -> tuple[int, str]:
        if r.country == subject_country:
            return (0, r.name)
        return (1, r.name) if r.name == default_region else (2, r.name)

    return tuple(sorted(regions, key=rank))
