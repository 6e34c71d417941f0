"""The transparency report's tables for data-subject requests and breaches (pure).

Same small-count suppression as the authority-request tables
(:func:`onshore.core.cases.transparency.suppress`): counts ``0 < n < k`` are hidden, and a
row whose total is below ``k`` is hidden whole. ``data_subject_requests`` has one row per
request type (plus ``ALL``); ``breaches`` one row per country whose subjects a breach
reached (a breach reaching two countries counts in both; ``ALL`` counts it once).

Example:
    >>> f = BreachFacts({"VN": 40}, notified=True, late=False, hours_to_notify=30.0)
    >>> t = breaches_table([f] * 5, k=5)
    >>> t.rows[0]["country"], t.rows[0]["breaches"], t.rows[0]["subjects_affected"]
    ('VN', 5, 200)
    >>> breaches_table([f] * 2, k=5).rows[0]["breaches"] is None
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median

from onshore.core.cases.transparency import Table, suppress

DSR_COLUMNS = (
    "request_type",
    "requests",
    "answered",
    "refused",
    "withdrawn",
    "erasure_deferred",
    "open",
    "answered_late",
    "median_completion_hours",
)
BREACH_COLUMNS = (
    "country",
    "breaches",
    "subjects_affected",
    "authority_notified",
    "notified_late",
    "subjects_notified",
    "not_notifiable",
    "median_hours_to_notify",
)


@dataclass(frozen=True, slots=True)
class DsrFacts:
    """What the report needs of one data-subject request (no personal data): its type, its
    outcome (``answered``, ``refused``, ``withdrawn``, ``erasure_deferred`` or ``open``),
    whether it was answered after its deadline, and how long it took."""

    request_type: str
    outcome: str
    late: bool = False
    completion_hours: float | None = None


@dataclass(frozen=True, slots=True)
class BreachFacts:
    """What the report needs of one breach: subjects affected per country, whether (and
    whether late) the authority was notified, whether the subjects were, whether it was
    dismissed as not notifiable, and the hours from discovery to notification."""

    subjects: Mapping[str, int] = field(default_factory=dict)
    notified: bool = False
    late: bool = False
    subjects_notified: bool = False
    dismissed: bool = False
    hours_to_notify: float | None = None


def _median(values: Sequence[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return float(round(median(got), 1)) if got else None


def dsr_table(facts: Sequence[DsrFacts], k: int) -> Table:
    """Data-subject requests per request type, suppressed below ``k``."""

    def build(label: str, fs: list[DsrFacts]) -> dict[str, object]:
        return {
            "request_type": label,
            "requests": len(fs),
            **{o: sum(1 for f in fs if f.outcome == o) for o in DSR_COLUMNS[2:7]},
            "answered_late": sum(1 for f in fs if f.outcome == "answered" and f.late),
            "median_completion_hours": _median([f.completion_hours for f in fs]),
        }

    types = sorted({f.request_type for f in facts})
    rows = [build(t, [f for f in facts if f.request_type == t]) for t in types]
    rows.append(build("ALL", list(facts)))
    return Table(
        "data_subject_requests",
        DSR_COLUMNS,
        [suppress(dict(r), k, {}, label="request_type") for r in rows],
    )


def breaches_table(facts: Sequence[BreachFacts], k: int) -> Table:
    """Breaches per affected country, suppressed below ``k``."""

    def build(country: str, fs: list[BreachFacts]) -> dict[str, object]:
        every = country == "ALL"
        return {
            "country": country,
            "breaches": len(fs),
            "subjects_affected": sum(
                sum(f.subjects.values()) if every else f.subjects.get(country, 0) for f in fs
            ),
            "authority_notified": sum(1 for f in fs if f.notified),
            "notified_late": sum(1 for f in fs if f.notified and f.late),
            "subjects_notified": sum(1 for f in fs if f.subjects_notified),
            "not_notifiable": sum(1 for f in fs if f.dismissed),
            "median_hours_to_notify": _median([f.hours_to_notify for f in fs]),
        }

    countries = sorted({c for f in facts for c in f.subjects})
    rows = [build(c, [f for f in facts if c in f.subjects]) for c in countries]
    rows.append(build("ALL", list(facts)))
    return Table(
        "breaches", BREACH_COLUMNS, [suppress(dict(r), k, {}, total="breaches") for r in rows]
    )
