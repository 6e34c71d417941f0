"""Packs compiled for evaluation: time windows as datetimes, groups and blocs expanded.

A ``CompiledRule`` answers the questions the evaluator asks of one rule (in force at this
time? covers this operation? applies to these facts?), each "no" with a one-line reason.

Example:
    >>> from onshore.core.policy.facts import EntityFacts, Facts
    >>> cond = CompiledCondition.build(Condition(sectors=["telecom"]), {})
    >>> cond.fails(Facts(EntityFacts("VN")), frozenset())
    'entity is not in sector telecom'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from onshore.core.calendar import WorkingCalendar
from onshore.core.policy.countries import CountrySet
from onshore.core.policy.facts import Facts
from onshore.core.policy.model import Condition, Instrument, MetricTest, Pack, Range, Rule

#: Operations each requirement type is considered for when a rule has no ``on`` list.
REQUIREMENT_OPS: dict[str, frozenset[str]] = {
    "store_in_country": frozenset({"store", "transfer"}),
    "local_presence": frozenset({"store"}),
    "retain_min": frozenset({"store", "erase"}),
    "retain_max": frozenset({"store"}),
    "retain_artifact": frozenset({"store", "transfer"}),
    "transfer_requires": frozenset({"store", "transfer", "read"}),
    "respond_within": frozenset({"request", "erase", "disclose"}),
    "remove_within": frozenset({"remove"}),
    "notify_within": frozenset({"breach"}),
    "notify_when_threshold": frozenset({"threshold"}),
    "register_when_threshold": frozenset({"threshold"}),
    "authenticate_accounts": frozenset({"store", "threshold"}),
    "store_identity": frozenset({"store", "threshold"}),
    "file_artifact": frozenset({"process"}),
    "update_artifact": frozenset({"process", "transfer"}),
    "report": frozenset({"threshold", "transfer"}),
    "lock_accounts": frozenset({"remove"}),
    "classify": frozenset({"store", "transfer", "read", "process", "threshold"}),
    "prohibit": frozenset({"transfer"}),
    "permit": frozenset({"store", "transfer", "read"}),
    "penalty": frozenset({"transfer", "breach"}),
    "define": frozenset({"store", "transfer", "read"}),
}


def offset_tz(text: str) -> timezone:
    """``+07:00`` -> a fixed-offset timezone."""
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text[1:].split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _start(day: date, tz: timezone) -> datetime:
    return datetime.combine(day, time(0), tz)


def metric_holds(test: MetricTest | Range, value: float | None) -> bool:
    """Do all bounds (and ``eq``) hold for ``value``? A missing value never holds."""
    if value is None:
        return False
    v = float(value)
    if isinstance(test, MetricTest) and test.eq is not None and v != float(test.eq):
        return False
    return not (
        (test.gte is not None and v < test.gte)
        or (test.gt is not None and v <= test.gt)
        or (test.lte is not None and v > test.lte)
        or (test.lt is not None and v >= test.lt)
    )


def describe_test(test: MetricTest | Range, name: str | None = None) -> str:
    """``vn_monthly_visits >= 100000`` style text."""
    label = name or getattr(test, "metric", "value")
    parts = [
        f"{op} {bound:.0f}" if float(bound).is_integer() else f"{op} {bound}"
        for op, bound in ((">=", test.gte), (">", test.gt), ("<=", test.lte), ("<", test.lt))
        if bound is not None
    ]
    if isinstance(test, MetricTest) and test.eq is not None:
        parts.append(f"== {test.eq}")
    return f"{label} {' and '.join(parts)}"


@dataclass(frozen=True)
class CompiledCondition:
    """A condition with groups expanded to categories."""

    source: Condition
    data: frozenset[str] | None

    @classmethod
    def build(cls, cond: Condition, groups: dict[str, frozenset[str]]) -> CompiledCondition:
        """Expand ``cond.data`` through ``groups`` (name -> categories)."""
        data = None
        if cond.data is not None:
            data = frozenset().union(*(groups.get(n, frozenset({n})) for n in cond.data))
        return cls(cond, data)

    def fails(self, facts: Facts, labels: frozenset[str]) -> str | None:
        """``None`` when every key holds, else why not (one line)."""
        c, e = self.source, facts.entity
        if c.incorporated_in and not c.incorporated_in.contains(e.incorporated_in):
            return f"entity incorporated in {e.incorporated_in}, rule covers {c.incorporated_in}"
        if c.sectors is not None and not e.sectors & set(c.sectors):
            return f"entity is not in sector {', '.join(c.sectors)}"
        if c.size is not None and e.size not in c.size:
            return f"entity size {e.size or 'unknown'} is not {', '.join(c.size)}"
        if c.roles is not None and not e.roles & set(c.roles):
            return f"entity has no role {', '.join(c.roles)}"
        if c.subject_in and not c.subject_in.contains(facts.subject_country):
            return f"subject in {facts.subject_country or 'unknown'}, rule covers {c.subject_in}"
        if c.destination_in and not c.destination_in.contains(facts.destination):
            return f"destination {facts.destination or 'unknown'} is not {c.destination_in}"
        if self.data is not None and not facts.categories & self.data:
            return f"no {'/'.join(c.data or ())} data involved"
        if c.labels is not None and not labels & set(c.labels):
            return f"data is not {' or '.join(c.labels)}"
        if c.flags is not None and not facts.flags & set(c.flags):
            return f"none of {', '.join(c.flags)}"
        if c.without_flags is not None and facts.flags & set(c.without_flags):
            return f"{', '.join(sorted(facts.flags & set(c.without_flags)))} set"
        if c.artifacts is not None and not facts.artifacts & set(c.artifacts):
            return f"holds none of {', '.join(c.artifacts)}"
        if c.requests is not None and facts.request not in c.requests:
            return f"request {facts.request or 'none'} is not {', '.join(c.requests)}"
        if c.data_subjects is not None and not metric_holds(c.data_subjects, e.data_subjects):
            return f"not {describe_test(c.data_subjects, 'data subjects')}"
        for test in c.metrics or ():
            if not metric_holds(test, facts.metrics.get(test.metric)):
                return f"not {describe_test(test)}"
        return None

    def describe(self, facts: Facts) -> str:
        """What matched, for exclusion reasons."""
        c = self.source
        bits = []
        if c.flags:
            bits.append(", ".join(sorted(facts.flags & set(c.flags))))
        if self.data is not None:
            bits.append(", ".join(sorted(facts.categories & self.data)) + " data")
        if c.data_subjects is not None:
            bits.append(describe_test(c.data_subjects, "data subjects"))
        if c.roles:
            bits.append("role " + ", ".join(sorted(facts.entity.roles & set(c.roles))))
        return "; ".join(b for b in bits if b) or "condition holds"


@dataclass(frozen=True)
class CompiledRule:
    """One rule ready for evaluation."""

    rule: Rule
    pack_id: str
    tz: timezone
    windows: tuple[tuple[datetime, datetime | None], ...]
    instruments: tuple[Instrument, ...]
    ops: frozenset[str]
    applies: CompiledCondition
    unless: tuple[CompiledCondition, ...]
    when: tuple[CompiledCondition | None, ...]
    in_doubt_from: datetime | None
    #: Working days of the pack's jurisdiction (weekends only when None).
    calendar: WorkingCalendar | None = None

    @property
    def id(self) -> str:
        """The rule id."""
        return self.rule.id

    def breakpoints(self) -> set[datetime]:
        """Every instant at which this rule's being in force (or in doubt) may change."""
        out: set[datetime] = set()
        for start, end in self.windows:
            out.add(start)
            if end is not None:
                out.add(end)
        if self.in_doubt_from is not None:
            out.add(self.in_doubt_from)
        return out

    def __post_init__(self) -> None:
        spans = tuple(
            (start.timestamp(), end.timestamp() if end else float("inf"))
            for start, end in self.windows
        )
        object.__setattr__(self, "_spans", spans)

    def not_in_force(self, at: datetime, ts: float | None = None) -> str | None:
        """``None`` when in force at ``at`` (``ts`` is its timestamp, if known), else why not."""
        t = at.timestamp() if ts is None else ts
        for lo, hi in self._spans:  # type: ignore[attr-defined]
            if lo <= t < hi:
                return None
        if self.windows and at < self.windows[0][0]:
            first = self.windows[0][0].date().isoformat()
            return f"not yet in force: {self.rule.instrument} rule from {first}"
        ended = [end for _, end in self.windows if end is not None and end <= at]
        if not self.windows or not ended:
            return f"not in force: {self.rule.instrument} has no window covering this time"
        last = max(ended).date().isoformat()
        successors = {i.superseded_by for i in self.instruments if i.superseded_by}
        by = f", superseded by {', '.join(sorted(successors))}" if successors else ""
        return f"no longer in force: {self.rule.instrument} rule ended {last}{by}"


def compile_rule(pack: Pack, rule: Rule, groups: dict[str, frozenset[str]]) -> CompiledRule:
    """Compile ``rule`` of ``pack`` (groups already expanded)."""
    tz = offset_tz(pack.pack.utc_offset)
    instruments = tuple(i for i in pack.instruments if i.id == rule.instrument)
    lo = _start(rule.effective, tz) if rule.effective else None
    hi = _start(rule.sunset, tz) if rule.sunset else None
    windows = []
    for inst in instruments:
        start = _start(inst.effective, tz)
        end = _start(inst.sunset, tz) if isinstance(inst.sunset, date) else None
        if lo is not None and lo > start:
            start = lo
        if hi is not None and (end is None or hi < end):
            end = hi
        if end is None or start < end:
            windows.append((start, end))
    doubt = [i.in_doubt_from for i in instruments if i.in_doubt_from]
    if rule.on:
        ops = frozenset(rule.on)
    elif rule.require:
        ops = frozenset().union(*(REQUIREMENT_OPS[r.type] for r in rule.require))
    else:  # relaxing or delegating rules: any operation
        ops = frozenset(REQUIREMENT_OPS["classify"] | REQUIREMENT_OPS["respond_within"]) | {
            "remove",
            "breach",
            "threshold",
        }
    return CompiledRule(
        rule=rule,
        pack_id=pack.id,
        tz=tz,
        windows=tuple(sorted(windows, key=lambda w: w[0])),
        instruments=instruments,
        ops=ops,
        applies=CompiledCondition.build(rule.applies_to, groups),
        unless=tuple(CompiledCondition.build(c, groups) for c in rule.unless),
        when=tuple(
            CompiledCondition.build(r.when, groups) if r.when else None for r in rule.require
        ),
        in_doubt_from=_start(min(doubt), tz) if doubt else None,
    )


def country_set_text(cs: CountrySet | None) -> str:
    """Readable country set (empty text for none)."""
    return str(cs) if cs else ""
