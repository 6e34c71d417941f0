"""Recovery of cross-region batches: every pending share rolled forward or back.

A pending share (phase 1 of ``services.batch_commit``) is resolved by its batch's decision
in the coordinator region (presumed abort):

- a **commit** decision: the share is applied (records live, leaves appended);
- **no decision**: an abort decision is stored first (so a slow writer cannot commit
  afterwards: the first decision wins), then the share is deleted;
- an **abort** decision: the share is deleted.

``recover`` runs when the vault opens and on demand (``Vault.recover``); ``settle`` runs
lazily before every write, for the regions it writes to. A share with no decision is only
aborted once it is older than ``stale_after`` (a live writer in another process may be
between its phases), or at once when a new write reuses one of its record ids. A region
that is unreachable is skipped and resolved when it is back; a commit decision is deleted
once no region holds a share of its batch, an abort decision after ``ABORT_RETENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from onshore.core.errors import OnshoreError, StoreUnavailable
from onshore.ports import BatchDecision, StagedShare
from onshore.services.batch_apply import apply_share
from onshore.services.region_set import RegionSet

if TYPE_CHECKING:
    from onshore.services.runtime import Region

#: A pending share with no decision is aborted by ``recover`` once this old.
STALE_AFTER = timedelta(seconds=60)
#: How long an abort decision is kept (a writer stalled longer cannot commit after it).
ABORT_RETENTION = timedelta(days=1)


@dataclass
class RecoveryReport:
    """What a recovery did: batch ids rolled forward or back, and what it could not do."""

    rolled_forward: list[str] = field(default_factory=list)
    rolled_back: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    decisions_forgotten: int = 0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready report."""
        return {
            "rolled_forward": self.rolled_forward,
            "rolled_back": self.rolled_back,
            "pending": self.pending,
            "unavailable": self.unavailable,
            "decisions_forgotten": self.decisions_forgotten,
        }


def _outcome(region_set: RegionSet, share: StagedShare, now: datetime, abort: bool) -> str | None:
    """The batch's outcome (aborting it first if allowed and undecided); None when the
    coordinator is unreachable or the batch is undecided and may not be aborted yet."""
    coordinator = region_set.runtime.regions.get(share.coordinator)
    if coordinator is None:
        return None
    batches = coordinator.db.batches
    decision = batches.decision(share.batch_id)
    if decision is not None:
        return decision.outcome
    if not abort:
        return None
    with coordinator.db.transaction():
        return batches.decide(BatchDecision(share.batch_id, "abort", share.regions, now))


def resolve(
    region_set: RegionSet, region: Region, share: StagedShare, now: datetime, *, abort: bool
) -> str:
    """Resolve one pending share: ``forward``, ``back`` or ``pending`` (left as it is)."""
    try:
        outcome = _outcome(region_set, share, now, abort)
    except StoreUnavailable:
        return "pending"
    if outcome is None:
        return "pending"
    if outcome == "commit":
        apply_share(region_set.ledger(region.name), region, share.batch_id)
        return "forward"
    region.db.batches.discard(share.batch_id)
    return "back"


def settle(
    region_set: RegionSet, names: Sequence[str], record_ids: Sequence[str], now: datetime
) -> None:
    """Before a write to ``names``: apply committed shares there, abort stale ones, and
    resolve every share holding one of ``record_ids`` (``StoreUnavailable`` naming the
    coordinator when such a share cannot be resolved, so a record is never written twice)."""
    for name in names:
        region = region_set.runtime.regions[name]
        shares = region.db.batches.shares()
        if not shares:
            continue
        holding = region.db.batches.holding(record_ids) if record_ids else set()
        for share in shares:
            reuse = share.batch_id in holding
            stale = now - share.staged_at >= STALE_AFTER
            if resolve(region_set, region, share, now, abort=reuse or stale) == "pending" and reuse:
                raise StoreUnavailable(
                    "an unfinished batch holds these records and its coordinator region "
                    "cannot be reached; retry when it is back",
                    details={"region": share.coordinator, "reason": "batch_in_doubt"},
                )


def forget_if_done(region_set: RegionSet, coordinator: str, batch_id: str) -> bool:
    """Delete a commit decision once no region holds a share of its batch (best effort)."""
    region = region_set.runtime.regions.get(coordinator)
    if region is None:
        return False
    try:
        decision = region.db.batches.decision(batch_id)
        if decision is None or not _done(region_set, decision):
            return False
        return region.db.batches.forget(batch_id)
    except OnshoreError:
        return False


def _done(region_set: RegionSet, decision: BatchDecision) -> bool:
    for name in decision.regions:
        region = region_set.runtime.regions.get(name)
        if region is not None and region.db.batches.share(decision.batch_id) is not None:
            return False
    return True


def recover(
    region_set: RegionSet, *, stale_after: timedelta = STALE_AFTER, now: datetime | None = None
) -> RecoveryReport:
    """Resolve the pending shares of every reachable region and tidy decisions."""
    now = now or region_set.runtime.clock.now()
    report = RecoveryReport()
    for name, region in region_set.runtime.regions.items():
        try:
            shares = region.db.batches.shares()
        except StoreUnavailable:
            report.unavailable.append(name)
            continue
        for share in shares:
            stale = now - share.staged_at >= stale_after
            try:
                result = resolve(region_set, region, share, now, abort=stale)
            except StoreUnavailable:
                result = "pending"
            {"forward": report.rolled_forward, "back": report.rolled_back}.get(
                result, report.pending
            ).append(share.batch_id)
    for name, region in region_set.runtime.regions.items():
        if name in report.unavailable:
            continue
        try:
            for decision in region.db.batches.decisions():
                old = now - decision.decided_at >= ABORT_RETENTION
                if (decision.outcome == "commit" or old) and _done(region_set, decision):
                    report.decisions_forgotten += region.db.batches.forget(decision.batch_id)
        except StoreUnavailable:
            continue
    return report
