"""The policy page's packs and rules: what the deployment's engine loaded, and what is in force
on a given day.

Each rule's status for the day comes from the engine's own windows
(:meth:`onshore.core.policy.compiled.CompiledRule.not_in_force`): ``in_force``, ``not_yet``
(its first window starts later) or ``ended`` (every window closed before), with the engine's
reason. A pack is in force when one of its instruments is.

Example:
    >>> from datetime import date
    >>> window_status(date(2026, 1, 1), date(2025, 1, 1), None)
    'in_force'
    >>> window_status(date(2026, 1, 1), date(2026, 7, 1), None)
    'not_yet'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from onshore.core.policy import PolicyEngine
from onshore.core.policy.model import Instrument, Pack


@dataclass(frozen=True, slots=True)
class RuleView:
    """One rule as the policy page lists it."""

    id: str
    title: str
    cite: str
    sources: tuple[str, ...]
    confirmation: str
    status: str
    reason: str
    effective: date | None
    sunset: date | None
    note: str | None


@dataclass(frozen=True, slots=True)
class InstrumentView:
    """One instrument (law or decree) with its window and status on the day."""

    id: str
    ref: str
    title: str
    effective: date
    sunset: date | str | None
    status: str


@dataclass(frozen=True, slots=True)
class PackView:
    """One loaded pack: identity, instruments and rules, and whether it is in force."""

    id: str
    title: str
    version: str
    jurisdiction: str
    instruments: tuple[InstrumentView, ...]
    rules: tuple[RuleView, ...]

    @property
    def in_force(self) -> bool:
        """True when one of its instruments is in force on the day."""
        return any(i.status == "in_force" for i in self.instruments)

    def count(self, status: str) -> int:
        """How many of its rules have ``status`` on the day."""
        return sum(1 for r in self.rules if r.status == status)


def window_status(day: date, effective: date, sunset: date | str | None) -> str:
    """``in_force``, ``not_yet`` or ``ended`` for a window starting ``effective`` and ending
    before ``sunset`` (``None`` or ``"unconfirmed"``: no known end)."""
    if day < effective:
        return "not_yet"
    if isinstance(sunset, date) and day >= sunset:
        return "ended"
    return "in_force"


def _instrument(i: Instrument, day: date) -> InstrumentView:
    return InstrumentView(
        i.id, i.ref, i.title, i.effective, i.sunset, window_status(day, i.effective, i.sunset)
    )


def pack_views(engine: PolicyEngine, at: datetime) -> list[PackView]:
    """Every pack the engine loaded, with each rule's status at ``at``."""
    by_pack: dict[str, list[RuleView]] = {p.id: [] for p in engine.packs}
    sources = {p.id: p.sources for p in engine.packs}
    for compiled in engine.rules:
        rule = compiled.rule
        why = compiled.not_in_force(at)
        if why is None:
            status, why = "in_force", ""
        elif compiled.windows and at < compiled.windows[0][0]:
            status = "not_yet"
        else:
            status = "ended"
        starts = [w[0].date() for w in compiled.windows]
        ends = [w[1].date() for w in compiled.windows if w[1] is not None]
        open_ended = any(w[1] is None for w in compiled.windows)
        by_pack[compiled.pack_id].append(
            RuleView(
                rule.id,
                rule.title,
                rule.cite,
                tuple(sources[compiled.pack_id].get(s, s) for s in rule.sources),
                rule.status,
                status,
                why,
                min(starts) if starts else rule.effective,
                None if open_ended or not ends else max(ends),
                rule.note,
            )
        )
    return [_pack(p, tuple(by_pack[p.id]), at) for p in engine.packs]


def _pack(p: Pack, rules: tuple[RuleView, ...], at: datetime) -> PackView:
    day = at.date()
    return PackView(
        p.id,
        p.pack.title,
        p.pack.version,
        p.pack.jurisdiction,
        tuple(_instrument(i, day) for i in p.instruments),
        rules,
    )
