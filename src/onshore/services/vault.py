"""The vault: route every record to a region its subject's law allows, sealed and provable.

``put`` / ``put_many`` validate, resolve the subject's residency, classify the fields, ask
the policy engine where the record may live (``services.intake``, ``services.placement``),
seal it with the region's keys and write it together with its ledger leaf: in one region
transaction, or, for a batch spanning regions, by the two-phase batch commit
(``services.batch_commit``, recovered by ``services.batch_recovery`` when the vault opens).
Caller-chosen record ids are idempotent (``services.idempotency``); ``update`` changes a
record explicitly (``services.record_update``).

The vault composes and delegates: it owns a ``services.region_set.RegionSet`` (the regions,
one ledger each, and the ``services.record_sealer.RecordSealer``) and a ``Placer``, and
hands them to the paths above, which never import this module.

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

from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from onshore.core.errors import InputError
from onshore.core.ledger import EventType, LedgerEvent
from onshore.ports import SealedRecord
from onshore.services.batch_commit import BatchWriter
from onshore.services.batch_recovery import RecoveryReport, recover
from onshore.services.erasure import ErasureOutcome, erase_subject
from onshore.services.intake import Prepared, RecordInput, coerce, encode_body, prepare
from onshore.services.ledger import Ledger
from onshore.services.placement import Placer
from onshore.services.record import Receipt, Record
from onshore.services.record_sealer import RecordSealer
from onshore.services.record_update import update_record
from onshore.services.region_lookup import find_records, locate, subject_records
from onshore.services.region_set import RegionSet
from onshore.services.runtime import Region, Runtime, open_runtime
from onshore.services.transfer import transfer_record
from onshore.settings import Settings, load_settings

__all__ = [
    "Prepared",
    "Receipt",
    "Record",
    "RecordInput",
    "Vault",
    "encode_body",
]


class Vault:
    """The SDK front door (DESIGN §3).

    ``put``, ``put_many``, ``get``, ``find``, ``records_of``, ``erase`` and ``transfer``.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.placer = Placer(runtime)
        #: The regions with their ledgers and the record sealer, handed to every path the
        #: vault delegates to (``services.region_set``).
        self.region_set = RegionSet(
            runtime, RecordSealer(runtime.settings.deployment.default_phone_region)
        )
        self._writer = BatchWriter(self.region_set)
        recover(self.region_set)

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
        return self.region_set.ledger(region)

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
        return update_record(
            self.region_set,
            self.placer,
            record_id,
            data,
            kind=kind,
            categories=categories,
            actor=actor,
        )

    def recover(self, *, stale_after: timedelta | None = None) -> RecoveryReport:
        """Resolve unfinished cross-region batches (runs at open; see
        ``services.batch_recovery``); ``stale_after`` overrides when an undecided share is
        aborted (``timedelta(0)``: at once, when no other process is writing)."""
        if stale_after is None:
            return recover(self.region_set)
        return recover(self.region_set, stale_after=stale_after)

    # -- reading -----------------------------------------------------------------------

    def open_sealed(self, region: Region, sealed: SealedRecord) -> Record:
        """Decrypt a sealed record read from ``region``'s store (no ledger event: callers
        decide); every stored field is checked first (``StoreIntegrityError`` naming region
        and record). See ``services.record_sealer``."""
        return self.region_set.sealer.open(region, sealed)

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
        region, sealed = locate(self.runtime, record_id)
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
                self.region_set.ledger(region.name).append([event])
        return self.open_sealed(region, sealed)

    def find(self, by: Mapping[str, str]) -> list[Record]:
        """Records whose identifiers match every ``by`` entry, searched through the blind
        indexes of every region (no plaintext is compared). Every hit is checked
        (``StoreIntegrityError`` on an edited row). A region that is down raises
        ``PartialResults`` (``store.partial``) naming it, carrying the other regions'
        records in ``.records``; see ``services.region_lookup``."""
        return find_records(self.runtime, self.region_set.sealer, by)

    def records_of(self, subject: str) -> list[Record]:
        """Every record of ``subject`` in every region, each checked, and checked complete
        against the ledger (``services.record_integrity``). A region that is down raises
        ``PartialResults`` naming it, carrying the other regions' records."""
        return subject_records(self.runtime, self.region_set.sealer, subject)

    # -- erasure and transfer ------------------------------------------------------------

    def erase(self, subject: str, *, actor: str | None = None) -> ErasureOutcome:
        """Delete every record of ``subject`` (legal holds retain theirs); each deletion is a
        ledger leaf in the same transaction. See ``services.erasure``."""
        recover(self.region_set)  # a committed batch being applied must not outlive it
        return erase_subject(self.region_set, subject, actor=actor)

    def transfer(
        self, record_id: str, to_region: str, *, purpose: str, actor: str | None = None
    ) -> Receipt:
        """Move a record to another region if the policy engine allows the target country.
        See ``services.transfer``."""
        return transfer_record(
            self.region_set, self.placer, record_id, to_region, purpose=purpose, actor=actor
        )
