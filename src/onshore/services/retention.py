"""Retention that outranks erasure: decide, defer, and purge when due.

``RetentionService.erasure_decision(subject, regions, at)`` asks the policy engine and the
legal holds (``services.legal_holds``) whether ``subject``'s records may be erased at
``at``. Per region holding the subject it evaluates ``erase`` on the categories stored
there, once with no start event (minimums that always apply) and once per storage request
the subject is under (every preservation hold on the subject, active or not, is one: its
``placed_at`` is the request's receipt). A minimum the engine denies the erasure for
(``retain_min``, e.g. VN-D53-27.data, 24 months after a storage request; VN-D53-27.logs,
12 months) defers it until the minimum ends; an active legal hold defers it until the hold
expires. The latest end wins (``core.retention.combine``).

``defer`` records a deferred erasure in the control store (``ports.retention``) with its
date and reason; ``run`` (the purge job on the scheduler, and ``onshore retention run``)
erases what is due through the vault's erasure (``services.erasure``), which writes the
``RECORD_ERASED`` leaves. Retention maximums purge on their own: see
``services.retention_purge``.

Example:
    >>> import tempfile
    >>> from datetime import datetime, timezone
    >>> from onshore.services.vault import Vault
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> vault = Vault.open(Settings.model_validate(cfg), create_keys=True)
    >>> _ = vault.put("u-1", "profile", {"phone": "+84912345678"})
    >>> at = datetime(2026, 8, 1, tzinfo=timezone.utc)
    >>> RetentionService(vault.region_set).erasure_decision("u-1", None, at).erase_now
    True
    >>> vault.close()
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from onshore.core import blind_index
from onshore.core.errors import MissingSubject
from onshore.core.identity import Principal
from onshore.core.policy import PolicyEngine
from onshore.core.policy.compiled import CompiledRule
from onshore.core.policy.decision import Outcome
from onshore.core.policy.duration import add_duration
from onshore.core.policy.effects import due_of
from onshore.core.policy.facts import Facts
from onshore.core.retention import LEGAL_HOLD, ErasureDecision, combine
from onshore.ports import LegalHold, SealedRecord
from onshore.ports.retention import DeferredErasure, DeferredErasureLog
from onshore.services.erasure import ErasureOutcome, erase_subject
from onshore.services.region_set import RegionSet
from onshore.services.runtime import Region, Runtime

#: The start event of a storage request (the ``vn`` pack's VN-D53-27.* rules).
STORAGE_REQUEST = "storage_request"


def subject_refs(region: Region, subject: str | bytes) -> list[bytes]:
    """The refs ``subject`` has in ``region``: one per index key version for an id, or the
    ref itself when given one."""
    if isinstance(subject, bytes):
        return [subject]
    return list(
        dict.fromkeys(
            blind_index.subject_ref(v.material, subject) for v in region.keys.versions("index")
        )
    )


def subject_rows(region: Region, refs: Sequence[bytes]) -> list[SealedRecord]:
    """The sealed rows of ``refs`` in ``region`` (nothing decrypted)."""
    seen: dict[str, SealedRecord] = {}
    for ref in refs:
        for row in region.db.records.by_subject(ref):
            seen.setdefault(row.record_id, row)
    return list(seen.values())


def holds_on(runtime: Runtime, refs: Sequence[bytes]) -> list[LegalHold]:
    """Every legal hold (active or not) on ``refs``, in any region's case store."""
    if not refs:
        return []
    return [
        h for region in runtime.regions.values() for h in region.db.cases.holds(subject_refs=refs)
    ]


def storage_request_minimum(engine: PolicyEngine) -> tuple[int, str, str] | None:
    """The longest retention minimum the loaded packs count from a storage request, as
    ``(amount, unit, rule id)`` (VN-D53-27.data: 24 months); None when no pack has one.
    A preservation hold lasts this long by default (``services.authority_requests``)."""
    found: list[tuple[datetime, int, str, str]] = []
    origin = datetime(2000, 1, 1, tzinfo=UTC)
    for cr in engine.rules:
        for req in cr.rule.require:
            period = req.period
            if req.type == "retain_min" and period and period.start == STORAGE_REQUEST:
                end = add_duration(origin, period.amount, period.unit)
                found.append((end, period.amount, period.unit, cr.id))
    if not found:
        return None
    _, amount, unit, rule = max(found)
    return amount, unit, rule


def preservation_until(
    engine: PolicyEngine, start: datetime, hold_days: int | None = None
) -> tuple[datetime, str | None]:
    """When a preservation hold placed (or extended) at ``start`` ends, and the rule that
    says so: ``hold_days`` when given, else the packs' retention minimum after a storage
    request (VN-D53-27.data: 24 months), else 90 days."""
    if hold_days is not None:
        return start + timedelta(days=hold_days), None
    found = storage_request_minimum(engine)
    if found is None:
        return start + timedelta(days=90), None
    amount, unit, rule = found
    return add_duration(start, amount, unit), rule


def local_duration(runtime: Runtime, start: datetime, amount: int, unit: str) -> datetime:
    """``start`` plus a duration counted on the deployment's calendar: in its time zone,
    working days skipping its public holidays and declared substitutes (``[calendar]``)."""
    cal = runtime.settings.calendar
    home = runtime.entity.incorporated_in
    local = start.astimezone(cal.zone(home))
    return add_duration(local, amount, unit, cal.working_calendar(home))


def minimums(runtime: Runtime, facts: Facts, at: datetime) -> list[tuple[str, datetime]]:
    """The retention minimums that deny erasing on ``facts`` at ``at``: (rule id, end)."""
    decision = runtime.engine.evaluate("erase", facts, at)
    if decision.outcome is not Outcome.DENY:
        return []
    found: list[tuple[str, datetime]] = []
    for rule_id in decision.deciding_rules:
        cr: CompiledRule = next(r for r in runtime.engine.rules if r.id == rule_id)
        for req in cr.rule.require:
            if req.type == "retain_min" and req.period is not None:
                found.append((rule_id, due_of(cr, req.period, facts, at)[0]))
    return found


@dataclass(frozen=True, slots=True)
class ErasureRequest:
    """What asking to erase a subject did: the decision, and either the erasure's outcome
    (erased now) or the deferred erasure recorded."""

    decision: ErasureDecision
    outcome: ErasureOutcome | None = None
    deferred: DeferredErasure | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            **self.decision.to_dict(),
            "erased": self.outcome.count if self.outcome else 0,
            "deferred_erasure": self.deferred.to_dict() if self.deferred else None,
        }


class RetentionService:
    """Erasure decisions, deferred erasures and the purge (see the module docstring).

    ``log`` is the deployment's deferred-erasure log (``services.runtime.retention``); only
    ``defer`` and ``erase`` need it.
    """

    def __init__(self, region_set: RegionSet, log: DeferredErasureLog | None = None) -> None:
        self.region_set = region_set
        self.runtime = region_set.runtime
        self.log = log

    def _log(self) -> DeferredErasureLog:
        if self.log is None:
            raise RuntimeError("RetentionService needs a deferred-erasure log to defer")
        return self.log

    def erase(
        self, subject: str, *, principal: Principal, case_id: str | None = None
    ) -> ErasureRequest:
        """Erase ``subject`` now through the vault's erasure if nothing holds it back, else
        record the deferred erasure (its date and reason) for the purge job."""
        if not isinstance(subject, str) or not subject.strip():
            raise MissingSubject("erase needs a subject id")
        now = self.runtime.clock.now()
        decision = self.erasure_decision(subject, None, now)
        if decision.erase_now:
            outcome = erase_subject(self.region_set, subject, actor=principal.id)
            return ErasureRequest(decision, outcome=outcome)
        deferred = self.defer(subject, decision, principal=principal, case_id=case_id)
        return ErasureRequest(decision, deferred=deferred)

    def defer(
        self,
        subject: str,
        decision: ErasureDecision,
        *,
        principal: Principal,
        case_id: str | None = None,
    ) -> DeferredErasure:
        """Record that ``subject``'s erasure waits until ``decision.until`` (its refs per
        region holding it, never its id)."""
        if decision.until is None:
            raise ValueError("only a deferred decision is recorded")
        refs: dict[str, tuple[str, ...]] = {}
        for name, region in self.runtime.regions.items():
            mine = subject_refs(region, subject)
            if subject_rows(region, mine):
                refs[name] = tuple(r.hex() for r in mine)
        erasure = DeferredErasure(
            erasure_id="de-" + secrets.token_hex(8),
            refs=refs,
            requested_at=self.runtime.clock.now(),
            until=decision.until,
            rules=decision.rules,
            reason=decision.reason,
            requested_by=principal.id,
            case_id=case_id,
        )
        self._log().add(erasure)
        return erasure

    def erasure_decision(
        self, subject: str | bytes, regions: Iterable[str] | None, at: datetime
    ) -> ErasureDecision:
        """Erase now, or deferred until a date because of rule ids (module docstring).

        ``subject`` is a subject id (or one region's subject ref); ``regions`` limits the
        regions asked (None: all).
        """
        runtime = self.runtime
        names = list(runtime.regions) if regions is None else list(regions)
        found: list[tuple[str, datetime]] = []
        for name in names:
            region = runtime.region(name)
            refs = subject_refs(region, subject)
            rows = subject_rows(region, refs)
            if not rows:
                continue
            holds = holds_on(runtime, refs)
            found.extend((LEGAL_HOLD + h.case_id, h.expires_at) for h in holds if h.active(at))
            categories = frozenset(c for row in rows for c in row.categories)
            starts: list[dict[str, datetime]] = [{}]
            starts += [{STORAGE_REQUEST: t} for t in sorted({h.placed_at for h in holds})]
            for events in starts:
                facts = Facts(
                    entity=runtime.entity,
                    subject_country=region.country,
                    categories=categories,
                    region_country=region.country,
                    request="delete",
                    events=events,
                )
                found.extend(minimums(runtime, facts, at))
        return combine(found, at)
