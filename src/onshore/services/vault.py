"""The vault: route every record to a region its subject's law allows, sealed and provable.

``put`` / ``put_many`` validate, resolve the subject's residency, classify the fields, ask
the policy engine where the record may live (``services.intake``, ``services.placement``),
seal it with the region's keys and write it together with its ledger leaf: in one region
transaction, or, for a batch spanning regions, by the two-phase batch commit
(``services.batch_commit``, recovered by ``services.batch_recovery`` when the vault opens).
Caller-chosen record ids are idempotent (``services.idempotency``); ``update`` changes a
record explicitly (``services.record_update``).

Example:
    >>> import tempfile
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> vault = Vault.open(Settings.model_validate(cfg), create_keys=True)
    >>> receipt = vault.put("user-1", "profile", {"phone": "+84912345678", "name": "Lan"})
    >>> receipt.region
    'vn-hcm'
    >>> found = vault.find(by={"phone_number": "0912 345 678"})
    >>> [r.record_id for r in found] == [receipt.record_id]
    True
    >>> vault.close()
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from onshore.core import blind_index
from onshore.core.envelope import Sealer, record_aad_v2
from onshore.core.errors import (
    InputError,
)
from onshore.core.ledger import EventType, LedgerEvent
from onshore.ports import SealedRecord
from onshore.services.batch_commit import BatchWriter
from onshore.services.batch_recovery import RecoveryReport, recover
from onshore.services.erasure import ErasureOutcome
from onshore.services.intake import Prepared, RecordInput, coerce, encode_body, prepare
from onshore.services.ledger import Ledger
from onshore.services.placement import Placer
from onshore.services.record_integrity import open_row
from onshore.services.runtime import Region, Runtime, open_runtime
from onshore.settings import Settings, load_settings

__all__ = [
    "Prepared",
    "Receipt",
    "Record",
    "RecordInput",
    "Vault",
    "encode_body",
]


@dataclass(frozen=True, slots=True)
class Receipt:
    """Where a record went: its id, region and the ledger index of its placement leaf."""

    record_id: str
    region: str
    ledger_index: int


@dataclass(frozen=True, slots=True)
class Record:
    """A record as the vault returns it (decrypted)."""

    record_id: str
    subject_id: str
    kind: str
    data: dict[str, Any]
    created_at: datetime
    region: str
    categories: tuple[str, ...]
    subject_country: str


class Vault:
    """The SDK front door (DESIGN §3).

    ``put``, ``put_many``, ``get``, ``find``, ``records_of``, ``erase`` and ``transfer``.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.placer = Placer(runtime)
        self._logs = {name: Ledger(name, r.db, r.keys) for name, r in runtime.regions.items()}
        self._sorted_categories: dict[frozenset[str], tuple[str, ...]] = {}
        self._writer = BatchWriter(self)
        recover(self)

    @classmethod
    def open(
        cls, path_or_settings: str | Path | Settings | None = None, *, create_keys: bool = False
    ) -> Vault:
        """Open the vault of a configuration file, a ``Settings`` value, or the default."""
        settings = (
            path_or_settings
            if isinstance(path_or_settings, Settings)
            else load_settings(path_or_settings)
        )
        return cls(open_runtime(settings, create_keys=create_keys))

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every region's database."""
        self.runtime.close()

    def ledger(self, region: str) -> Ledger:
        """The ledger of ``region``."""
        self.runtime.region(region)
        return self._logs[region]

    # -- writing -----------------------------------------------------------------------

    def put(
        self,
        subject: str,
        kind: str,
        data: Mapping[str, Any],
        signals: Mapping[str, Any] | None = None,
        *,
        categories: Mapping[str, Iterable[str]] | None = None,
        record_id: str | None = None,
        actor: str | None = None,
    ) -> Receipt:
        """Store one record in a region its subject's law allows; see ``put_many``."""
        item = RecordInput(subject, kind, data, signals, categories, record_id)
        return self.put_many([item], actor=actor)[0]

    def put_many(
        self, items: Iterable[RecordInput | Mapping[str, Any]], *, actor: str | None = None
    ) -> list[Receipt]:
        """Store a batch (the fast path): all of it, in every region it spans, or none of it.

        Everything is validated and placed before anything is written. A batch within one
        region is written with its ledger leaves in one transaction; a batch spanning
        regions commits in two phases (``services.batch_commit``), so a crash at any point
        leaves each batch whole or absent once recovered. A caller-chosen ``record_id`` that
        is already stored with the same content returns its original receipt and writes
        nothing (retries are safe); with different content it raises ``RecordConflict``.

        Raises ``InputError`` subclasses for bad records, ``NoPermittedRegion`` when a record
        may live in no configured region, ``StoreUnavailable`` when a store is down; in every
        case nothing is written.
        """
        now = self.runtime.clock.now()
        stamp = now.isoformat()
        prepared = [prepare(self.placer, coerce(item), now, stamp) for item in items]
        return self._writer.write(prepared, now, actor)

    def update(
        self,
        record_id: str,
        data: Mapping[str, Any],
        *,
        kind: str | None = None,
        categories: Mapping[str, Iterable[str]] | None = None,
        actor: str | None = None,
    ) -> Receipt:
        """Replace a stored record's data (and optionally its kind) where it lives, as a
        ``record_updated`` ledger leaf in the same transaction. The policy packs must still
        allow the new categories in the record's region (``PolicyDenied`` otherwise)."""
        from onshore.services.record_update import update_record

        return update_record(self, record_id, data, kind=kind, categories=categories, actor=actor)

    def recover(self, *, stale_after: timedelta | None = None) -> RecoveryReport:
        """Resolve unfinished cross-region batches (runs at open; see
        ``services.batch_recovery``); ``stale_after`` overrides when an undecided share is
        aborted (``timedelta(0)``: at once, when no other process is writing)."""
        if stale_after is None:
            return recover(self)
        return recover(self, stale_after=stale_after)

    def seal(self, region: Region, batch: Sequence[Prepared], now: datetime) -> list[SealedRecord]:
        """Seal a batch for ``region`` under one fresh data key, with its blind-index terms."""
        sealer = Sealer(region.keys.current("kek"), region.name)
        index_key = region.keys.current("index").material
        phone_region = self.runtime.settings.deployment.default_phone_region
        name = region.name
        terms_for = blind_index.terms_for
        # a subject's records and a category set recur within a batch: compute each once
        refs: dict[str, bytes] = {}
        sorted_cats = self._sorted_categories
        out = []
        for p in batch:
            ref = refs.get(p.subject)
            if ref is None:
                ref = refs[p.subject] = blind_index.subject_ref(index_key, p.subject)
            fields = p.field_categories
            union = frozenset().union(*fields.values()) if fields else frozenset()
            categories = sorted_cats.get(union)
            if categories is None:
                if len(sorted_cats) > 4096:
                    sorted_cats.clear()
                categories = sorted_cats[union] = tuple(sorted(union))
            terms = terms_for(p.data, fields, index_key, default_region=phone_region)
            # every stored field is bound into the ciphertext's AAD (core.envelope, v2)
            aad = record_aad_v2(name, p.record_id, ref, p.kind, now, categories, terms)
            key_id, wrapped, nonce, ciphertext = sealer.seal(p.record_id, p.plaintext, aad=aad)
            out.append(
                SealedRecord(
                    p.record_id,
                    name,
                    ref,
                    p.kind,
                    now,
                    categories,
                    key_id,
                    wrapped,
                    nonce,
                    ciphertext,
                    terms,
                )
            )
        return out

    # -- reading -----------------------------------------------------------------------

    def open_sealed(self, region: Region, sealed: SealedRecord) -> Record:
        """Decrypt a sealed record of ``region`` (no ledger event: callers decide).

        Every stored field is checked first (``services.record_integrity``): an edited,
        moved or swapped row raises ``StoreIntegrityError`` naming region and record.
        """
        body = open_row(region, sealed)
        return Record(
            record_id=sealed.record_id,
            subject_id=body["s"],
            kind=body["k"],
            data=body["d"],
            created_at=sealed.created_at,
            region=region.name,
            categories=sealed.categories,
            subject_country=body["c"],
        )

    def locate(self, record_id: str) -> tuple[Region, SealedRecord]:
        """The region holding ``record_id`` and its sealed form (``services.region_lookup``):
        the region its id names is asked first; ``RecordNotFound`` when no region has it,
        ``StoreUnavailable`` naming the region when a region that may hold it is down."""
        from onshore.services.region_lookup import locate

        return locate(self.runtime, record_id)

    def get(
        self,
        record_id: str,
        *,
        caller_region: str | None = None,
        purpose: str | None = None,
        actor: str | None = None,
    ) -> Record:
        """Decrypt one record. A read from another region (``caller_region``) needs a
        ``purpose`` and is recorded on the holding region's ledger."""
        region, sealed = self.locate(record_id)
        if caller_region is not None and caller_region != region.name:
            self.runtime.region(caller_region)
            if not purpose:
                raise InputError(
                    "a read from another region needs a purpose", details={"field": "purpose"}
                )
            event = LedgerEvent(
                type=EventType.RECORD_READ,
                at=self.runtime.clock.now(),
                region=region.name,
                record_id=record_id,
                actor=actor,
                payload={
                    "from_region": region.name,
                    "to_region": caller_region,
                    "purpose": purpose,
                },
            )
            with region.db.transaction():
                self._logs[region.name].append([event])
        return self.open_sealed(region, sealed)

    def find(self, by: Mapping[str, str]) -> list[Record]:
        """Records whose identifiers match every ``by`` entry, searched through the blind
        indexes of every region (no plaintext is compared). Every hit is checked
        (``StoreIntegrityError`` on an edited row). A region that is down raises
        ``PartialResults`` (``store.partial``) naming it, carrying the other regions'
        records in ``.records``; see ``services.region_lookup``."""
        from onshore.services.region_lookup import find_records

        return find_records(self, by)

    def records_of(self, subject: str) -> list[Record]:
        """Every record of ``subject`` in every region, each checked, and checked complete
        against the ledger (``services.record_integrity``). A region that is down raises
        ``PartialResults`` naming it, carrying the other regions' records."""
        from onshore.services.region_lookup import subject_records

        return subject_records(self, subject)

    # -- erasure and transfer ------------------------------------------------------------

    def erase(self, subject: str, *, actor: str | None = None) -> ErasureOutcome:
        """Delete every record of ``subject`` (legal holds retain theirs); each deletion is a
        ledger leaf in the same transaction. See ``services.erasure``."""
        from onshore.services.erasure import erase_subject

        recover(self)  # a committed batch still being applied must not outlive the erasure
        return erase_subject(self, subject, actor=actor)

    def transfer(
        self, record_id: str, to_region: str, *, purpose: str, actor: str | None = None
    ) -> Receipt:
        """Move a record to another region if the policy engine allows the target country.
        See ``services.transfer``."""
        from onshore.services.transfer import transfer_record

        return transfer_record(self, record_id, to_region, purpose=purpose, actor=actor)
