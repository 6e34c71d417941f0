"""The batch commit: every record of a ``put_many`` batch is stored in all its regions, or none.

A batch whose records all go to one region is written with its ledger leaves in one
transaction of that region's database (the fast path). A batch spanning regions commits in
two phases with presumed abort; its coordinator is the first region in canonical (sorted)
order:

1. **Stage.** In canonical order, each other region's share is sealed in that region and
   staged as a pending share tagged with the batch id (``RegionDatabase.batches``): the
   sealed rows and their encoded placement leaves, one transaction per region. A pending
   share is invisible to ``get``, ``find`` and ``records_of``.
2. **Decide.** In one transaction of the coordinator region, the commit decision (batch id
   and the staged regions' names, no personal data) is stored and the coordinator's own
   share is written live with its leaves. Its commit is the batch's commit point: the
   coordinator's records commit exactly when the decision does, so they need no staging.
   A decision is stored only if the batch has none yet, so a recovery that aborted the
   batch first wins: nothing of the coordinator's share is written and the writer reports
   the batch aborted.
3. **Apply.** Each staged share is made live in one region transaction: the records are
   written, their leaves appended and the pending share deleted. Applying a share that is
   no longer pending does nothing, so the writer and a recovery never apply it twice
   (``services.batch_apply``).

A crash anywhere leaves shares that ``services.batch_recovery`` resolves: rolled forward
when the coordinator holds a commit decision, rolled back otherwise. Failpoints
``vault.before_commit`` (inside every write-path transaction, before it commits) and
``vault.after_region_commit`` (after each of those commits) let the reliability suite
kill the process at every step.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from onshore.core.errors import OnshoreError, StoreUnavailable
from onshore.core.ledger import EventType, LedgerEvent
from onshore.core.ledger.leaf import EncodedEvent
from onshore.ports import BatchDecision, SealedRecord, StagedShare
from onshore.services import failpoints, idempotency
from onshore.services.batch_apply import apply_share
from onshore.services.batch_recovery import forget_if_done, settle
from onshore.services.intake import Prepared
from onshore.services.record import Receipt
from onshore.services.region_set import RegionSet
from onshore.services.staged_rows import encode_row

if TYPE_CHECKING:
    from onshore.services.runtime import Region


class BatchWriter:
    """Writes prepared batches into a vault's regions (see the module docstring)."""

    def __init__(self, region_set: RegionSet) -> None:
        self.region_set = region_set
        self._payloads: dict[tuple[Any, ...], Mapping[str, Any]] = {}

    def write(
        self, prepared: Sequence[Prepared], now: datetime, actor: str | None
    ) -> list[Receipt]:
        """Store ``prepared`` (validated and placed); one receipt per item, in order."""
        batch = idempotency.unique(prepared)
        if not batch:
            return []
        by_region: dict[str, list[Prepared]] = {}
        for p in batch.values():
            by_region.setdefault(p.placement.region, []).append(p)
        supplied = [p.record_id for p in batch.values() if p.supplied_id]
        settle(self.region_set, sorted(by_region), supplied, now)
        if len(by_region) == 1:
            [(name, share)] = by_region.items()
            receipts = self._write_one(self.region_set.runtime.regions[name], share, now, actor)
        else:
            receipts = self._two_phase(by_region, now, actor)
        return [receipts[p.record_id] for p in prepared]

    # -- the fast path ----------------------------------------------------------------

    def _write_one(
        self, region: Region, batch: list[Prepared], now: datetime, actor: str | None
    ) -> dict[str, Receipt]:
        with region.db.transaction():
            receipts = self._write_live(region, batch, now, actor)
            failpoints.hit("vault.before_commit")
        failpoints.hit("vault.after_region_commit")
        return receipts

    def _write_live(
        self, region: Region, batch: list[Prepared], now: datetime, actor: str | None
    ) -> dict[str, Receipt]:
        """Seal and write the records not stored yet, with their leaves (inside the open
        transaction); a receipt for every record of ``batch``."""
        fresh, receipts = idempotency.split(self.region_set, region, batch)
        return {**receipts, **self._write_fresh(region, fresh, now, actor)}

    def _write_fresh(
        self, region: Region, fresh: list[Prepared], now: datetime, actor: str | None
    ) -> dict[str, Receipt]:
        """Seal and write ``fresh`` (checked not stored yet) with their leaves."""
        receipts: dict[str, Receipt] = {}
        if not fresh:
            return receipts
        region.db.records.put_many(self.region_set.sealer.seal(region, fresh, now))
        log = self.region_set.ledger(region.name)
        indexes = log.append(self._events(region.name, fresh, now, actor))
        for p, index in zip(fresh, indexes, strict=True):
            receipts[p.record_id] = Receipt(p.record_id, region.name, index)
        return receipts

    # -- two phases ---------------------------------------------------------------------

    def _two_phase(
        self, by_region: dict[str, list[Prepared]], now: datetime, actor: str | None
    ) -> dict[str, Receipt]:
        regions = self.region_set.runtime.regions
        names = tuple(sorted(by_region))
        batch_id = uuid.uuid4().hex
        coordinator = regions[names[0]]
        receipts: dict[str, Receipt] = {}
        staged: dict[str, list[tuple[SealedRecord, EncodedEvent]]] = {}
        deciding = False
        try:
            for name in names[1:]:
                rows, done = self._stage(
                    regions[name], batch_id, names, by_region[name], now, actor
                )
                receipts.update(done)
                if rows:
                    staged[name] = rows
            with coordinator.db.transaction():
                fresh, done = idempotency.split(self.region_set, coordinator, by_region[names[0]])
                receipts.update(done)
                deciding = True
                outcome = "commit"
                if staged:
                    decision = BatchDecision(batch_id, "commit", tuple(staged), now)
                    outcome = coordinator.db.batches.decide(decision)
                if outcome == "commit":  # the coordinator's share commits with the decision
                    receipts.update(self._write_fresh(coordinator, fresh, now, actor))
                failpoints.hit("vault.before_commit")
            failpoints.hit("vault.after_region_commit")
        except BaseException:
            if not deciding:  # nothing decided: take back what was staged (best effort)
                self._discard(batch_id, staged)
            raise
        if outcome != "commit":
            self._discard(batch_id, staged)
            raise StoreUnavailable(
                "a recovery aborted this batch before it committed; nothing was stored, retry",
                details={"region": coordinator.name, "reason": "batch_aborted"},
            )
        if staged:
            receipts.update(self._apply_all(batch_id, coordinator.name, staged))
        return receipts

    def _stage(
        self,
        region: Region,
        batch_id: str,
        names: tuple[str, ...],
        batch: list[Prepared],
        now: datetime,
        actor: str | None,
    ) -> tuple[list[tuple[SealedRecord, EncodedEvent]], dict[str, Receipt]]:
        """Phase 1 in one region: check ids, seal, encode leaves, stage the share."""
        with region.db.transaction():
            fresh, done = idempotency.split(self.region_set, region, batch)
            if not fresh:
                return [], done
            sealed = self.region_set.sealer.seal(region, fresh, now)
            leaves = self.region_set.ledger(region.name).encode(
                self._events(region.name, fresh, now, actor)
            )
            rows = list(zip(sealed, leaves, strict=True))
            share = StagedShare(batch_id, names[0], names, now)
            region.db.batches.stage(share, [(s.record_id, encode_row(s, leaf)) for s, leaf in rows])
            failpoints.hit("vault.before_commit")
        failpoints.hit("vault.after_region_commit")
        return rows, done

    def _apply_all(
        self,
        batch_id: str,
        coordinator: str,
        staged: dict[str, list[tuple[SealedRecord, EncodedEvent]]],
    ) -> dict[str, Receipt]:
        """Phase 2: every staged region, each in its own transaction. A region that fails
        keeps its share pending (recovery applies it); the error is raised after the rest."""
        regions = self.region_set.runtime.regions
        receipts: dict[str, Receipt] = {}
        error: OnshoreError | None = None
        for name, rows in staged.items():
            region = regions[name]
            try:
                indexes = apply_share(self.region_set.ledger(name), region, batch_id, rows)
            except OnshoreError as exc:
                error = error or exc
                continue
            for sealed, _ in rows:
                rid = sealed.record_id
                receipts[rid] = (
                    Receipt(rid, name, indexes[rid])
                    if indexes is not None
                    else idempotency.receipt_of(self.region_set, region, rid)
                )
        if error is not None:
            raise StoreUnavailable(
                "the batch is committed but a region could not apply its share yet; it is "
                "applied when the region is reachable again (retry for the receipts)",
                details={**error.details, "reason": "batch_in_doubt"},
            ) from error
        forget_if_done(self.region_set, coordinator, batch_id)
        return receipts

    def _discard(self, batch_id: str, staged: Mapping[str, object]) -> None:
        for name in staged:
            # on failure the share stays pending: recovery rolls it back (no decision)
            with contextlib.suppress(OnshoreError):
                self.region_set.runtime.regions[name].db.batches.discard(batch_id)

    # -- ledger events --------------------------------------------------------------------

    def _events(
        self, region: str, batch: Sequence[Prepared], now: datetime, actor: str | None
    ) -> list[LedgerEvent]:
        return [
            LedgerEvent(
                type=EventType.RECORD_PLACED,
                at=now,
                region=region,
                record_id=p.record_id,
                subject_id=p.subject,
                actor=actor,
                payload=self._payload(p),
            )
            for p in batch
        ]

    def _payload(self, p: Prepared) -> Mapping[str, Any]:
        """The placement leaf's payload, one read-only object per distinct placement (so the
        ledger validates and hashes it once per batch, not once per record)."""
        pl = p.placement
        res = pl.residency
        key = (
            pl.region,
            pl.subject_country,
            pl.categories,
            pl.decision_rules,
            p.kind,
            res.decided_by if res else None,
            res.confidence if res else None,
        )
        payload = self._payloads.get(key)
        if payload is None:
            if len(self._payloads) > 10_000:
                self._payloads.clear()
            payload = self._payloads[key] = MappingProxyType(pl.ledger_payload(p.kind))
        return payload
