"""Running a migration plan: records re-sealed in their destination, verified, then erased
at the source, batch by batch, resumable after a crash at any point.

A plan (``services.migration_plan``) is stored in the control store with every record
``planned`` (``MigrationStore``), then executed in batches of records sharing a source and a
destination:

1. **Look.** Each record is read in both regions. Absent from the source and present in the
   destination: it moved already (a crash came after step 4); absent from both: it was
   erased meanwhile (``gone``). Otherwise the source row is decrypted in the source region.
2. **Copy.** Records the destination lacks are re-sealed under the destination's keys (new
   data key, blind-index terms under its index key, same id, kind and creation time) and
   written there with a ``record_transferred`` leaf each, in one destination transaction.
3. **Verify.** Every record is read back from the destination and decrypted; its subject,
   kind, data, country and creation time must equal the source's (``MigrationVerifyFailed``
   otherwise, and nothing is erased).
4. **Erase.** The source rows are deleted with a ``record_transferred`` leaf each (the same
   payload as the destination's), in one source transaction.
5. **Mark.** The batch's records are marked ``moved`` in the control store.

A record is thus never in zero regions (it is erased only after its copy committed and read
back) and, once a batch completes, readable in one. A crash between steps 2 and 4 leaves
the batch's records in both regions until the run is resumed: step 1 then finds them in the
destination, verifies them and erases the source, so resuming is always correct. The
failpoints ``migrate.*`` (``onshore.failpoints``) sit between every step. The decrypted
records stay in memory for one batch and are never logged.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from types import MappingProxyType
from typing import Any

from onshore import failpoints
from onshore.core.classify import classify_fields
from onshore.core.errors import MigrationVerifyFailed
from onshore.core.ledger import EventType, LedgerEvent
from onshore.ports.region_moves import MigrationStore, MoveItem, MovePlan
from onshore.services.intake import Prepared, encode_body
from onshore.services.migration_plan import MigrationOptions, MigrationPlan
from onshore.services.placement import Placer
from onshore.services.record import Record
from onshore.services.region_set import RegionSet
from onshore.services.runtime import Region

for _name, _where in {
    "migrate.after_plan_stored": "a migration plan is stored, no record moved yet",
    "migrate.before_target_commit": "a batch's copies are written in the destination, "
    "its transaction not yet committed",
    "migrate.after_target_commit": "a batch's copies are committed in the destination, "
    "the source not yet erased",
    "migrate.after_verify": "a batch's copies are read back and verified, the source not "
    "yet erased",
    "migrate.before_source_commit": "a batch's source rows are deleted, the transaction not "
    "yet committed",
    "migrate.after_source_commit": "a batch is erased at the source, the control store not "
    "yet told",
    "migrate.after_mark": "a batch is marked moved in the control store",
}.items():
    failpoints.register(_name, _where)

#: The key under which stored categories that classification does not find again are kept
#: for the re-sealed row (no data field has it, so no blind-index term comes from it).
_STORED = "\x00stored"


@dataclass
class BatchOutcome:
    """What one batch did: records copied, erased at the source, found gone."""

    copied: int = 0
    moved: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)


def new_plan_id() -> str:
    """A fresh plan id (``mig_`` and 12 hex digits)."""
    return "mig_" + uuid.uuid4().hex[:12]


def store_plan(store: MigrationStore, plan: MigrationPlan, now: datetime) -> MovePlan:
    """Store ``plan`` with every record ``planned``; its ``MovePlan``."""
    stored = MovePlan(new_plan_id(), now, plan.options.to_json(), "running")
    store.create(stored, plan.moves)
    failpoints.hit("migrate.after_plan_stored")
    return stored


def _same(a: Record, b: Record) -> bool:
    return (a.subject_id, a.kind, a.data, a.subject_country, a.created_at) == (
        b.subject_id,
        b.kind,
        b.data,
        b.subject_country,
        b.created_at,
    )


class MigrationRunner:
    """Executes stored plans against a vault's regions (see the module docstring)."""

    def __init__(self, region_set: RegionSet, store: MigrationStore, actor: str | None) -> None:
        self.region_set = region_set
        self.store = store
        self.actor = actor
        self._placer = Placer(region_set.runtime)
        self._payloads: dict[tuple[str, str, str, str], Mapping[str, Any]] = {}

    def run(
        self,
        plan: MovePlan,
        *,
        batch: int = 200,
        progress: Callable[[BatchOutcome], None] | None = None,
    ) -> None:
        """Move every ``planned`` record of ``plan`` in batches of up to ``batch`` records;
        the plan is marked done at the end. Safe to call again after any crash."""
        options = MigrationOptions.from_json(plan.options)
        while True:
            items = self.store.pending(plan.plan_id, batch)
            if not items:
                break
            for (source, target), group in groupby(
                items, key=lambda i: (i.from_region, i.to_region)
            ):
                outcome = self.move_batch(plan.plan_id, options, source, target, list(group))
                if progress is not None:
                    progress(outcome)
        self.store.finish(plan.plan_id, self.region_set.runtime.clock.now())

    def move_batch(
        self,
        plan_id: str,
        options: MigrationOptions,
        source_name: str,
        target_name: str,
        items: list[MoveItem],
    ) -> BatchOutcome:
        """Steps 1-5 of the module docstring for records sharing a source and a target."""
        runtime = self.region_set.runtime
        source, target = runtime.region(source_name), runtime.region(target_name)
        outcome = BatchOutcome()
        records: dict[str, Record] = {}
        missing: list[str] = []
        rules: dict[str, str] = {i.record_id: i.rule for i in items}
        present = target.db.records.existing([i.record_id for i in items])
        for item in items:  # 1. look
            rid = item.record_id
            here = source.db.records.get(rid)
            if here is None:
                (outcome.moved if rid in present else outcome.gone).append(rid)
                continue
            records[rid] = self.region_set.sealer.open(source, here)
            if rid not in present:
                missing.append(rid)
        now = runtime.clock.now()
        if missing:  # 2. copy
            self._copy(plan_id, options, source, target, [records[r] for r in missing], rules, now)
            outcome.copied = len(missing)
        for rid, record in records.items():  # 3. verify
            sealed = target.db.records.get(rid)
            copy = self.region_set.sealer.open(target, sealed) if sealed is not None else None
            if copy is None or not _same(record, copy):
                raise MigrationVerifyFailed(
                    f"the copy of record {rid!r} in {target.name} does not read back as the "
                    f"source; nothing was erased in {source.name}",
                    details={"record_id": rid, "region": target.name, "plan": plan_id},
                )
        failpoints.hit("migrate.after_verify")
        if records:  # 4. erase at the source
            events = [
                self._event(
                    source.name, plan_id, source.name, target.name, r, rules[r.record_id], now
                )
                for r in records.values()
            ]
            with source.db.transaction():
                for rid in records:
                    source.db.records.delete(rid)
                self.region_set.ledger(source.name).append(events)
                failpoints.hit("migrate.before_source_commit")
            failpoints.hit("migrate.after_source_commit")
            outcome.moved.extend(records)
        self.store.mark(plan_id, outcome.moved, "moved")  # 5. mark
        if outcome.gone:
            self.store.mark(plan_id, outcome.gone, "gone")
        failpoints.hit("migrate.after_mark")
        return outcome

    def _copy(
        self,
        plan_id: str,
        options: MigrationOptions,
        source: Region,
        target: Region,
        records: list[Record],
        rules: Mapping[str, str],
        now: datetime,
    ) -> None:
        """Step 2: re-seal ``records`` for ``target`` and write them with their leaves."""
        prepared = []
        for r in records:
            stored = frozenset(r.categories)
            placement = self._placer.check(r.subject_country, stored, target, options.at)
            fields = dict(classify_fields(r.data))
            extra = stored - frozenset().union(*fields.values()) if fields else stored
            if extra:
                fields[_STORED] = frozenset(extra)
            body = encode_body(r.subject_id, r.kind, r.data, r.created_at, r.subject_country)
            prepared.append(
                Prepared(r.record_id, r.subject_id, r.kind, body, r.data, fields, placement)
            )
        events = [
            self._event(target.name, plan_id, source.name, target.name, r, rules[r.record_id], now)
            for r in records
        ]
        # one sealing call per creation time: the sealer stamps a batch with one time
        created_at = {r.record_id: r.created_at for r in records}
        by_time = sorted(prepared, key=lambda p: created_at[p.record_id])
        with target.db.transaction():
            for created, group in groupby(by_time, key=lambda p: created_at[p.record_id]):
                sealed = self.region_set.sealer.seal(target, list(group), created)
                target.db.records.put_many(sealed)
            self.region_set.ledger(target.name).append(events)
            failpoints.hit("migrate.before_target_commit")
        failpoints.hit("migrate.after_target_commit")

    def _event(
        self,
        region: str,
        plan_id: str,
        source: str,
        target: str,
        record: Record,
        rule: str,
        now: datetime,
    ) -> LedgerEvent:
        key = (plan_id, source, target, rule)
        payload = self._payloads.get(key)
        if payload is None:  # one read-only payload per group: validated and hashed once
            if len(self._payloads) > 1000:
                self._payloads.clear()
            payload = self._payloads[key] = MappingProxyType(
                {
                    "from_region": source,
                    "to_region": target,
                    "purpose": "migration",
                    "reason": "region_retired" if rule.startswith("retired:") else "rule_change",
                    "rules": [r for r in rule.split(",") if not r.startswith("retired:")],
                    "refs": {"migration": plan_id},
                }
            )
        return LedgerEvent(
            type=EventType.RECORD_TRANSFERRED,
            at=now,
            region=region,
            record_id=record.record_id,
            subject_id=record.subject_id,
            actor=self.actor,
            payload=payload,
        )
