"""The purge: carry out deferred erasures when due, and retention maximums on their own.

``status(at)`` lists what is waiting: each deferred erasure (its date, rules and reason) and
each record a retention maximum (a pack rule with a ``retain_max`` requirement) makes due for
deletion. ``run(at, principal)`` does what is due by ``at``:

- a deferred erasure whose date has come is asked again (a legal hold may have been extended
  meanwhile: then it waits, and says until when); otherwise the subject's records are erased
  through the vault's erasure (``services.erasure``), which writes a ``RECORD_ERASED`` leaf
  per record in the same transaction as the delete;
- a record past a retention maximum is deleted with its own ``RECORD_ERASED`` leaf (payload
  reason ``retention_max`` and the rule), unless a legal hold binds its subject.

The shipped packs state no retention maximum today (every ``retain_*`` rule is a minimum:
VN-D53-27.data, VN-D53-27.logs), so maximum-driven purges come from packs a deployment adds.
``PurgeJob`` is what the scheduler (``services.scheduler``) runs every interval.

Example:
    >>> import tempfile
    >>> from datetime import datetime, timezone
    >>> from onshore.services.vault import Vault
    >>> from onshore.services.runtime.retention import open_deferred_erasures
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> cfg["deployment"]["control_store"] = "memory://"
    >>> vault = Vault.open(Settings.model_validate(cfg), create_keys=True)
    >>> purge = Purge(vault.region_set, open_deferred_erasures(vault.runtime.settings))
    >>> purge.status(datetime(2026, 8, 1, tzinfo=timezone.utc)).deferred
    []
    >>> vault.close()
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from onshore.core.identity import Principal, host_administrator
from onshore.core.ledger import EventType, LedgerEvent
from onshore.core.policy.compiled import CompiledRule
from onshore.core.policy.facts import Facts
from onshore.ports import SealedRecord
from onshore.ports.retention import DeferredErasure, DeferredErasureLog
from onshore.services.batch_recovery import recover
from onshore.services.erasure import erase_subject
from onshore.services.legal_holds import held_refs
from onshore.services.record_sealer import RecordSealer
from onshore.services.region_set import RegionSet
from onshore.services.retention import RetentionService
from onshore.services.runtime import Runtime
from onshore.services.runtime.retention import open_deferred_erasures

log = logging.getLogger("onshore.retention")

#: The start event a retention maximum counts from when the pack names none the vault knows:
#: the record's storage.
STORED = "stored"


@dataclass(frozen=True, slots=True)
class MaximumDue:
    """A record a retention maximum says must be deleted by ``due``."""

    region: str
    record_id: str
    rule: str
    due: datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "region": self.region,
            "record_id": self.record_id,
            "rule": self.rule,
            "due": self.due.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Status:
    """What waits: deferred erasures (not done) and maximum-driven deletions."""

    deferred: list[DeferredErasure] = field(default_factory=list)
    maximums: list[MaximumDue] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "deferred": [e.to_dict() for e in self.deferred],
            "maximums": [m.to_dict() for m in self.maximums],
        }


@dataclass(frozen=True, slots=True)
class Done:
    """One purge step: what (``erasure`` or ``maximum``), its id, and how it ended."""

    what: str
    ref: str
    outcome: str
    detail: str
    erased: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "what": self.what,
            "id": self.ref,
            "outcome": self.outcome,
            "detail": self.detail,
            "erased": self.erased,
        }


def maximum_rules(region_set: RegionSet) -> list[CompiledRule]:
    """The loaded rules with a ``retain_max`` requirement."""
    rules = region_set.runtime.engine.rules
    return [r for r in rules if any(q.type == "retain_max" for q in r.rule.require)]


class Purge:
    """Deferred erasures and retention maximums of one deployment (module docstring)."""

    def __init__(self, region_set: RegionSet, log: DeferredErasureLog) -> None:
        self.region_set = region_set
        self.runtime = region_set.runtime
        self.log = log
        self.retention = RetentionService(region_set, log)

    # -- what waits ----------------------------------------------------------------------

    def _records(self) -> Iterator[tuple[str, SealedRecord]]:
        for name, region in self.runtime.regions.items():
            after: str | None = None
            while True:
                page = region.db.records.page(after, 1000)
                if not page:
                    break
                for row in page:
                    yield name, row
                after = page[-1].record_id

    def maximums(self, at: datetime, *, due_only: bool = False) -> list[MaximumDue]:
        """Records under a retention maximum, each with its deletion date (only those due
        by ``at`` when ``due_only``)."""
        rules = maximum_rules(self.region_set)
        if not rules:
            return []
        ids = {r.id for r in rules}
        out: list[MaximumDue] = []
        for name, row in self._records():
            region = self.runtime.regions[name]
            starts = {q.period.start for r in rules for q in r.rule.require if q.period}
            facts = Facts(
                entity=self.runtime.entity,
                subject_country=region.country,
                categories=frozenset(row.categories),
                region_country=region.country,
                events={s: row.created_at for s in starts | {STORED}},
            )
            decision = self.runtime.engine.evaluate("store", facts, at)
            for o in decision.obligations:
                owed = o.kind == "retain_max" and o.rule_id in ids and o.due is not None
                if owed and o.due is not None and (not due_only or o.due <= at):
                    out.append(MaximumDue(name, row.record_id, o.rule_id, o.due))
        return sorted(out, key=lambda m: (m.due, m.region, m.record_id))

    def status(self, at: datetime) -> Status:
        """Deferred erasures not done, and every maximum-driven deletion with its date."""
        return Status(self.log.pending(), self.maximums(at))

    def due(self, at: datetime) -> tuple[list[DeferredErasure], list[MaximumDue]]:
        """What ``run(at)`` would carry out."""
        return self.log.pending(due_by=at), self.maximums(at, due_only=True)

    # -- carrying it out -----------------------------------------------------------------

    def _subject_of(self, erasure: DeferredErasure) -> str | None:
        """The subject id, read from one of its records (the log keeps only refs)."""
        for name, refs in erasure.refs.items():
            region = self.runtime.regions.get(name)
            if region is None:
                continue
            for ref in refs:
                for sealed in region.db.records.by_subject(bytes.fromhex(ref)):
                    return self.region_set.sealer.open(region, sealed).subject_id
        return None

    def erase_deferred(self, erasure: DeferredErasure, at: datetime, principal: Principal) -> Done:
        """Carry out one deferred erasure if nothing holds it back any more."""
        subject = self._subject_of(erasure)
        if subject is None:
            self.log.finish(erasure.erasure_id, "done", at, "nothing left to erase")
            return Done("erasure", erasure.erasure_id, "done", "nothing left to erase")
        decision = self.retention.erasure_decision(subject, None, at)
        if decision.deferred:
            return Done("erasure", erasure.erasure_id, "waiting", decision.reason)
        outcome = erase_subject(self.region_set, subject, actor=principal.id)
        detail = f"{outcome.count} records erased in {len(outcome.erased)} regions"
        self.log.finish(erasure.erasure_id, "done", at, detail)
        return Done("erasure", erasure.erasure_id, "done", detail, outcome.count)

    def erase_maximum(self, due: MaximumDue, at: datetime, principal: Principal) -> Done:
        """Delete one record past its retention maximum (kept if a legal hold binds it)."""
        region = self.runtime.region(due.region)
        with region.db.transaction():
            row = region.db.records.get(due.record_id)
            if row is None:
                return Done("maximum", due.record_id, "done", "already gone")
            if held_refs(self.runtime, [row.subject_ref], at):
                return Done("maximum", due.record_id, "waiting", "a legal hold binds the subject")
            subject = self.region_set.sealer.open(region, row).subject_id
            region.db.records.delete(due.record_id)
            event = LedgerEvent(
                type=EventType.RECORD_ERASED,
                at=at,
                region=due.region,
                record_id=due.record_id,
                subject_id=subject,
                actor=principal.id,
                payload={"reason": "retention_max", "rules": [due.rule]},
            )
            self.region_set.ledger(due.region).append([event])
        return Done("maximum", due.record_id, "done", f"erased under {due.rule}", 1)

    def run(
        self,
        at: datetime,
        principal: Principal,
        progress: Callable[[Done], None] | None = None,
    ) -> list[Done]:
        """Carry out what is due by ``at`` (module docstring); ``progress`` hears each step.
        A step that fails is recorded (``failed``, retried next run) and the rest go on."""
        recover(self.region_set)  # a committed batch being applied must not outlive it
        erasures, maximums = self.due(at)
        results: list[Done] = []
        for e in erasures:
            try:
                done = self.erase_deferred(e, at, principal)
            except Exception as exc:
                detail = f"{type(exc).__name__}: {getattr(exc, 'code', '')}".rstrip(": ")
                self.log.finish(e.erasure_id, "failed", at, detail)
                log.warning(f"deferred erasure {e.erasure_id} failed: {detail}")
                done = Done("erasure", e.erasure_id, "failed", detail)
            results.append(done)
            if progress:
                progress(done)
        for m in maximums:
            done = self.erase_maximum(m, at, principal)
            results.append(done)
            if progress:
                progress(done)
        return results


def open_purge(runtime: Runtime) -> Purge:
    """The purge of ``runtime``'s deployment: its regions, the record sealer and the
    deferred-erasure log in the control store (close ``purge.log`` when done)."""
    sealer = RecordSealer(runtime.settings.deployment.default_phone_region)
    return Purge(RegionSet(runtime, sealer), open_deferred_erasures(runtime.settings))


class PurgeJob:
    """What the scheduler runs every ``PURGE_INTERVAL_SECONDS``: one purge as of now, acting
    as the host administrator of the process; each step logged (ids, never data)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.principal = host_administrator("scheduler")

    def __call__(self) -> list[Done]:
        purge = open_purge(self.runtime)
        try:
            done = purge.run(self.runtime.clock.now(), self.principal)
        finally:
            purge.log.close()
        for d in done:
            log.info(f"retention {d.what} {d.ref}: {d.outcome} ({d.detail})")
        return done


#: How often the scheduler runs the purge (deferred erasures are due on a date, not a minute).
PURGE_INTERVAL_SECONDS = 3600.0
