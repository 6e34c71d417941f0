"""The policy engine: packs compiled once, decisions for operations at a point in time.

Conflict order (documented in docs/policy-packs.md and shown in ``Decision.resolution``):

1. Rules not in force at ``at`` (instrument and rule windows) are skipped: the law of the day.
2. Rules relaxed by another applicable rule (e.g. an SME exemption) are skipped.
3. ``unconfirmed`` rules only warn unless ``enforce_unconfirmed``.
4. Deny beats allow: any denying rule denies; every denying rule is a deciding rule.
5. Else any permitting or obliging rule allows; with no applicable rule: no decision.
6. Obligations that are the same duty (same key) keep the strictest: the earliest deadline,
   or for minimum retention the longest period.

Example:
    >>> from datetime import datetime, timezone
    >>> engine = PolicyEngine([])
    >>> engine.evaluate("store", Facts(EntityFacts("VN")), datetime.now(timezone.utc)).outcome
    <Outcome.NO_DECISION: 'no_decision'>
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from onshore.core.calendar import WorkingCalendar, pack_calendar
from onshore.core.errors import InputError, PackError
from onshore.core.policy.compiled import (
    REQUIREMENT_OPS,
    CompiledRule,
    compile_rule,
    describe_test,
    metric_holds,
)
from onshore.core.policy.decision import Decision, Obligation, Outcome, RuleTrace
from onshore.core.policy.effects import LONGEST_WINS, Effect, requirement_effects
from onshore.core.policy.facts import EntityFacts, Facts
from onshore.core.policy.model import Pack, Rule
from onshore.core.policy.parse import group_members
from onshore.core.policy.vocabulary import OPS

_CACHE_LIMIT = 200_000
_StoreKey = tuple[str, frozenset[str], str, EntityFacts, datetime]
_EpochKey = tuple[str, frozenset[str], str, EntityFacts, int]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


class PolicyEngine:
    """Evaluates operations against loaded packs (pure; time is passed in)."""

    def __init__(
        self,
        packs: Sequence[Pack],
        *,
        enforce_unconfirmed: bool = False,
        calendars: Mapping[str, WorkingCalendar] | None = None,
    ) -> None:
        """``calendars`` (jurisdiction -> working days) replace the default calendar of a
        pack's jurisdiction: its public holidays (``core.calendar``), or weekends only."""
        self.packs: tuple[Pack, ...] = tuple(packs)
        self.enforce_unconfirmed = enforce_unconfirmed
        seen_packs: set[str] = set()
        rules: list[CompiledRule] = []
        owner: dict[str, str] = {}
        for pack in self.packs:
            if pack.id in seen_packs:
                raise PackError(f"pack {pack.id!r} is loaded twice", details={"pack": pack.id})
            seen_packs.add(pack.id)
            groups = {name: group_members(pack, name) for name in pack.groups}
            for rule in pack.rules:
                if rule.id in owner:
                    raise PackError(
                        f"rule {rule.id!r} is defined by packs {owner[rule.id]!r} and {pack.id!r}",
                        details={"rule": rule.id},
                    )
                owner[rule.id] = pack.id
                cal = pack_calendar(pack.pack.jurisdiction, calendars or {})
                rules.append(replace(compile_rule(pack, rule, groups), calendar=cal))
        self.rules: tuple[CompiledRule, ...] = tuple(rules)
        self._by_id = {r.id: r for r in rules}
        self._classifiers = tuple(
            r for r in rules if any(q.type == "classify" for q in r.rule.require)
        )
        self._relaxers = tuple(r for r in rules if r.rule.relaxes)
        self._breaks: list[datetime] = sorted(set().union(*(r.breakpoints() for r in rules)))
        self._exact: dict[_StoreKey, Decision] = {}
        self._epoch: dict[_EpochKey, Decision] = {}

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (``KeyError`` if none)."""
        return self._by_id[rule_id].rule

    def pack_of(self, rule_id: str) -> str:
        """The id of the pack defining ``rule_id``."""
        return self._by_id[rule_id].pack_id

    # -- the fast path ---------------------------------------------------------------

    def storage_decision(
        self,
        subject_country: str,
        categories: frozenset[str],
        region_country: str,
        entity: EntityFacts,
        at: datetime,
    ) -> Decision:
        """May data of these ``categories`` of a ``subject_country`` subject be stored in
        ``region_country`` by ``entity`` at ``at``? Cached by fact tuple.

        Example:
            >>> from datetime import datetime, timezone
            >>> PolicyEngine([]).storage_decision(
            ...     "VN", frozenset({"email"}), "SG", EntityFacts("VN"),
            ...     datetime(2025, 6, 1, tzinfo=timezone.utc)).outcome.value
            'no_decision'
        """
        key = (subject_country, categories, region_country, entity, at)
        hit = self._exact.get(key)
        if hit is not None:
            return hit
        return self._storage_miss(key)

    def _storage_miss(self, key: _StoreKey) -> Decision:
        subject, categories, region, entity, at = key
        aware = _aware(at)
        epoch_key = (subject, categories, region, entity, bisect_right(self._breaks, aware))
        template = self._epoch.get(epoch_key)
        if template is not None and not any(o.due for o in template.obligations):
            decision = replace(template, at=aware)
        else:
            facts = Facts(entity, subject, frozenset(categories), region)
            decision = self.evaluate("store", facts, aware)
            if len(self._epoch) >= _CACHE_LIMIT:
                self._epoch.clear()
            self._epoch[epoch_key] = decision
        if len(self._exact) >= _CACHE_LIMIT:
            self._exact.clear()
        self._exact[key] = decision
        return decision

    def clear_cache(self) -> None:
        """Forget cached storage decisions."""
        self._exact.clear()
        self._epoch.clear()

    # -- the general path ------------------------------------------------------------

    def evaluate(self, op: str, facts: Facts, at: datetime) -> Decision:
        """Decide ``op`` (store, read, transfer, erase, disclose, remove, threshold, breach,
        request, process) on ``facts`` under the law in force at ``at``.

        A naive ``at`` is read as UTC.
        """
        if op not in OPS:
            raise InputError(f"unknown operation {op!r} (one of {', '.join(OPS)})")
        at = _aware(at)
        ts = at.timestamp()
        labels = self._labels(facts, at)
        decisions = facts.entity.storage_decisions | facts.decisions
        relaxed = self._relaxed(facts, labels, at, decisions)
        traces: list[RuleTrace] = []
        denies: list[str] = []
        permits: list[str] = []
        obliging: list[str] = []
        obligations: list[Obligation] = []
        warnings: list[str] = []
        for cr in self.rules:
            why = self._screen(cr, op, facts, labels, at, decisions, ts)
            if why is None and cr.id in relaxed:
                why = f"relaxed by {relaxed[cr.id]}"
            if why is not None:
                traces.append(RuleTrace(cr.id, False, why))
                continue
            if cr.in_doubt_from is not None and at >= cr.in_doubt_from:
                inst = cr.rule.instrument
                warnings.append(
                    f"{inst}: whether it remains in force after "
                    f"{cr.in_doubt_from.date().isoformat()} is unconfirmed ({cr.id} applied)"
                )
            if cr.rule.delegates_to:
                given = ", ".join(cr.rule.delegates_to)
                traces.append(RuleTrace(cr.id, True, f"applies; given effect by {given}"))
                continue
            if not cr.rule.require:
                targets = ", ".join(cr.rule.relaxes)
                traces.append(RuleTrace(cr.id, True, f"applies; relaxes {targets}"))
                continue
            effects, skipped = self._effects(cr, op, facts, labels, at)
            if not effects:
                traces.append(RuleTrace(cr.id, False, skipped or "no requirement bites"))
                continue
            texts = []
            for effect, status in effects:
                enforced = status != "unconfirmed" or self.enforce_unconfirmed
                if effect.kind in ("deny", "permit", "oblige") and not enforced:
                    warnings.append(f"{cr.id} (unconfirmed, not enforced) would {_verb(effect)}")
                    texts.append(f"unconfirmed, not enforced: {effect.text}")
                    continue
                if status == "confirmed_secondary" and effect.kind in ("deny", "permit", "oblige"):
                    warnings.append(f"{cr.id} rests on a secondary source")
                texts.append(f"{effect.kind if effect.kind != 'oblige' else 'owes'}: {effect.text}")
                if effect.kind == "deny":
                    denies.append(cr.id)
                elif effect.kind == "permit":
                    permits.append(cr.id)
                elif effect.kind == "oblige" and effect.obligation is not None:
                    obliging.append(cr.id)
                    obligations.append(effect.obligation)
                elif effect.kind == "warn":
                    warnings.append(f"{cr.id}: {effect.text}")
            traces.append(RuleTrace(cr.id, True, "; ".join(texts)))
        kept, resolution = _strictest(obligations)
        if denies and (permits or obliging):
            others = ", ".join(_unique(r for r in permits + obliging if r not in denies))
            if others:
                resolution.insert(
                    0, f"deny beats allow: {', '.join(_unique(denies))} over {others}"
                )
        if denies:
            outcome, deciding = Outcome.DENY, _unique(denies)
        elif permits:
            outcome, deciding = Outcome.ALLOW, _unique(permits)
        elif obliging:
            outcome, deciding = Outcome.ALLOW, _unique(obliging)
        else:
            outcome, deciding = Outcome.NO_DECISION, ()
        if outcome is Outcome.DENY and kept:
            resolution.append("obligations are not listed: the operation is denied")
            kept = []
        return Decision(
            outcome=outcome,
            op=op,
            at=at,
            deciding_rules=deciding,
            considered=tuple(traces),
            obligations=tuple(sorted(kept, key=_due_order)),
            warnings=_unique(warnings),
            resolution=tuple(resolution),
        )

    def _screen(
        self,
        cr: CompiledRule,
        op: str,
        facts: Facts,
        labels: frozenset[str],
        at: datetime,
        decisions: frozenset[str],
        ts: float | None = None,
    ) -> str | None:
        """Why ``cr`` does not apply (``None`` when it does), before its requirements."""
        why = cr.not_in_force(at, ts)
        if why is not None:
            return why
        if op not in cr.ops:
            return f"not about {op} (covers {', '.join(sorted(cr.ops))})"
        why = cr.applies.fails(facts, labels)
        if why is not None:
            return why
        for cond in cr.unless:
            if cond.fails(facts, labels) is None:
                return f"excluded: {cond.describe(facts)}"
        trig = cr.rule.trigger
        if trig.type == "authority_decision":
            wanted = trig.decision or cr.id
            if wanted not in decisions:
                by = f" by {trig.by}" if trig.by else ""
                return f"no authority decision{by} recorded ({wanted} not in storage_decisions)"
        elif trig.type == "event":
            if trig.event not in facts.events and trig.event != op:
                return f"event {trig.event} has not happened"
        elif trig.type == "threshold":
            tests_any = trig.any or []
            tests_all = trig.all or []
            got = [metric_holds(m, facts.metrics.get(m.metric)) for m in tests_any]
            if tests_any and not any(got):
                return (
                    f"threshold not met: none of {'; '.join(describe_test(m) for m in tests_any)}"
                )
            if tests_all and not all(
                metric_holds(m, facts.metrics.get(m.metric)) for m in tests_all
            ):
                tests = "; ".join(describe_test(m) for m in tests_all)
                return f"threshold not met: not all of {tests}"
        return None

    def _effects(
        self, cr: CompiledRule, op: str, facts: Facts, labels: frozenset[str], at: datetime
    ) -> tuple[list[tuple[Effect, str]], str | None]:
        out: list[tuple[Effect, str]] = []
        skipped: str | None = None
        for i, req in enumerate(cr.rule.require):
            if not cr.rule.on and op not in REQUIREMENT_OPS[req.type]:
                skipped = skipped or f"its {req.type} requirement is not about {op}"
                continue
            cond = cr.when[i]
            why = cond.fails(facts, labels) if cond is not None else None
            if why is not None:
                skipped = skipped or why
                continue
            effects, why = requirement_effects(cr, i, req, op, facts, at)
            if why is not None:
                skipped = skipped or why
            status = req.status or cr.rule.status
            out.extend((e, status) for e in effects)
        return out, skipped

    def _labels(self, facts: Facts, at: datetime) -> frozenset[str]:
        labels = set(facts.labels)
        for cr in self._classifiers:
            if cr.not_in_force(at) is None and cr.applies.fails(facts, frozenset(labels)) is None:
                for req in cr.rule.require:
                    if req.type == "classify" and any(
                        metric_holds(m, facts.metrics.get(m.metric)) for m in req.any or ()
                    ):
                        labels.add(req.label or "")
        return frozenset(labels)

    def _relaxed(
        self, facts: Facts, labels: frozenset[str], at: datetime, decisions: frozenset[str]
    ) -> dict[str, str]:
        out: dict[str, str] = {}
        for cr in self._relaxers:
            # Relaxations apply whatever the operation: screen them as if for "process".
            probe = next(iter(cr.ops))
            if self._screen(cr, probe, facts, labels, at, decisions) is None and (
                cr.rule.status != "unconfirmed" or self.enforce_unconfirmed
            ):
                for target in cr.rule.relaxes:
                    out.setdefault(target, cr.id)
        return out


def _verb(effect: Effect) -> str:
    if effect.kind == "deny":
        return f"deny: {effect.text}"
    if effect.kind == "permit":
        return f"allow: {effect.text}"
    return f"require: {effect.text}"


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _due_order(o: Obligation) -> tuple[int, str, str]:
    return (0 if o.due else 1, o.due.isoformat() if o.due else "", o.rule_id)


def _strictest(obligations: list[Obligation]) -> tuple[list[Obligation], list[str]]:
    """Keep the strictest obligation of each key; say which ones were set aside."""
    kept: list[Obligation] = []
    best: dict[str, Obligation] = {}
    for o in obligations:
        if not o.key or o.due is None:
            kept.append(o)
            continue
        cur = best.get(o.key)
        if cur is None:
            best[o.key] = o
            continue
        assert cur.due is not None
        later = o.due > cur.due
        if later == (o.kind in LONGEST_WINS):
            best[o.key] = o
    notes: list[str] = []
    for o in obligations:
        if o.key and o.due is not None:
            win = best[o.key]
            if win is not o and win.due is not None:
                notes.append(
                    f"strictest duration wins: {win.rule_id} ({win.kind} by "
                    f"{win.due.isoformat()}) over {o.rule_id} (by {o.due.isoformat()})"
                )
    kept.extend(best.values())
    rmin, rmax = best.get("retain_min"), best.get("retain_max")
    if rmin and rmax and rmin.due and rmax.due and rmin.due > rmax.due:
        notes.append(
            f"conflict: {rmin.rule_id} requires keeping data until {rmin.due.isoformat()} but "
            f"{rmax.rule_id} requires deleting it by {rmax.due.isoformat()}"
        )
    return kept, notes
