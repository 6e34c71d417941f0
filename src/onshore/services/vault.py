"""The vault: route every record to a region its subject's law allows, sealed and provable.

``put`` / ``put_many`` validate, resolve the subject's residency, classify the fields, ask
the policy engine where the record may live (``services.placement``), seal it with the
region's keys and write it together with its ledger leaf in one region transaction.

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

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from onshore.core import blind_index
from onshore.core.audit import AuditEvent, EventType
from onshore.core.envelope import Sealer, record_aad_v2
from onshore.core.errors import (
    InputError,
    MissingSubject,
    NotSerialisable,
    RecordTooLarge,
)
from onshore.ports import SealedRecord
from onshore.services.audit_log import AuditLog
from onshore.services.erasure import ErasureOutcome
from onshore.services.placement import Placement, Placer
from onshore.services.record_integrity import open_row
from onshore.services.record_size import check_record_size
from onshore.services.region_lookup import new_record_id
from onshore.services.runtime import Region, Runtime, open_runtime
from onshore.settings import Settings, load_settings

_KIND = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")


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


@dataclass(frozen=True, slots=True)
class RecordInput:
    """One record handed to ``put_many``."""

    subject: str
    kind: str
    data: Mapping[str, Any]
    signals: Mapping[str, Any] | None = None
    categories: Mapping[str, Iterable[str]] | None = None
    record_id: str | None = None


@dataclass(slots=True)
class Prepared:
    """A validated, placed record ready to seal (internal to the write path)."""

    record_id: str
    subject: str
    kind: str
    plaintext: bytes
    data: Mapping[str, Any]
    field_categories: dict[str, frozenset[str]]
    placement: Placement


_BODY_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def encode_body(
    subject: str,
    kind: str,
    data: Mapping[str, Any],
    created_at: datetime,
    country: str,
    *,
    stamp: str | None = None,
) -> bytes:
    """The plaintext a record is sealed from (compact JSON; NaN and non-JSON values raise).

    ``stamp`` is ``created_at.isoformat()`` when the caller already has it (a batch shares
    one time, so ``put_many`` formats it once).

    Example:
        >>> from datetime import timezone
        >>> encode_body("u1", "profile", {"a": 1}, datetime(2025, 1, 1, tzinfo=timezone.utc), "VN")
        b'{"s":"u1","k":"profile","d":{"a":1},"t":"2025-01-01T00:00:00+00:00","c":"VN"}'
    """
    t = created_at.isoformat() if stamp is None else stamp
    body = {"s": subject, "k": kind, "d": data, "t": t, "c": country}
    return _BODY_JSON.encode(body).encode()


class Vault:
    """The SDK front door (DESIGN §3).

    ``put``, ``put_many``, ``get``, ``find``, ``records_of``, ``erase`` and ``transfer``.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.placer = Placer(runtime)
        self._logs = {name: AuditLog(name, r.db, r.keys) for name, r in runtime.regions.items()}
        self._payloads: dict[tuple[Any, ...], Mapping[str, Any]] = {}
        self._sorted_categories: dict[frozenset[str], tuple[str, ...]] = {}

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

    def audit_log(self, region: str) -> AuditLog:
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
        """Store a batch (the fast path). Everything is validated and placed before anything
        is written; each region's share is written with its ledger leaves in one transaction,
        and all regions' transactions commit together after every write succeeded.

        Raises ``InputError`` subclasses for bad records, ``NoPermittedRegion`` when a record
        may live in no configured region, ``StoreUnavailable`` when a store is down; in every
        case nothing is written.
        """
        now = self.runtime.clock.now()
        stamp = now.isoformat()
        prepared = [self._prepare(self._coerce(item), now, stamp) for item in items]
        by_region: dict[str, list[Prepared]] = {}
        for p in prepared:
            by_region.setdefault(p.placement.region, []).append(p)
        indexes: dict[str, int] = {}
        with ExitStack() as stack:
            # canonical order: two writers never lock the same regions in opposite orders
            for name, batch in sorted(by_region.items()):
                region = self.runtime.regions[name]
                stack.enter_context(region.db.transaction())
                sealed = self.seal(region, batch, now)
                region.db.records.put_many(sealed)
                events = [
                    AuditEvent(
                        type=EventType.RECORD_PLACED,
                        at=now,
                        region=name,
                        record_id=p.record_id,
                        subject_id=p.subject,
                        actor=actor,
                        payload=self._payload(p),
                    )
                    for p in batch
                ]
                for p, index in zip(batch, self._logs[name].append(events), strict=True):
                    indexes[p.record_id] = index
        return [Receipt(p.record_id, p.placement.region, indexes[p.record_id]) for p in prepared]

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

    @staticmethod
    def _coerce(item: RecordInput | Mapping[str, Any]) -> RecordInput:
        if isinstance(item, RecordInput):
            return item
        if not isinstance(item, Mapping):
            raise InputError("each record must be a mapping with subject, kind and data")
        extra = set(item) - {"subject", "kind", "data", "signals", "categories", "record_id"}
        if extra:
            raise InputError(f"unknown record field {sorted(extra)[0]!r}")
        return RecordInput(
            subject=item.get("subject", ""),
            kind=item.get("kind", ""),
            data=item.get("data", {}),
            signals=item.get("signals"),
            categories=item.get("categories"),
            record_id=item.get("record_id"),
        )

    def _prepare(self, item: RecordInput, now: datetime, stamp: str | None = None) -> Prepared:
        if not isinstance(item.subject, str) or not item.subject.strip():
            raise MissingSubject("a record needs a non-empty subject id")
        if not isinstance(item.kind, str) or not _KIND.fullmatch(item.kind):
            raise InputError(
                "a record's kind must be 1-64 letters, digits or _ . : - (e.g. profile)",
                details={"field": "kind"},
            )
        if not isinstance(item.data, Mapping):
            raise InputError("a record's data must be an object", details={"field": "data"})
        record_id = item.record_id or None  # none given: a region-tagged id once placed
        if record_id is not None and (
            not isinstance(record_id, str) or not 0 < len(record_id) <= 128
        ):
            raise InputError("record_id must be a string of 1 to 128 characters")
        limit = self.runtime.settings.deployment.max_record_bytes  # checked before classifying
        check_record_size(item.subject, item.kind, item.data, limit)
        field_categories = self.placer.categories(item.data, item.categories)
        placement = self.placer.place(item.signals, field_categories, now)
        if not record_id:
            record_id = new_record_id(placement.region)
        try:
            plaintext = encode_body(
                item.subject, item.kind, item.data, now, placement.subject_country, stamp=stamp
            )
        except (TypeError, ValueError) as exc:
            raise NotSerialisable(
                f"record data is not JSON-serialisable: {type(exc).__name__}",
                details={"subject_field": "data"},
            ) from exc
        if len(plaintext) > limit:
            raise RecordTooLarge(
                f"record is {len(plaintext)} bytes, over the {limit}-byte limit",
                details={"size": len(plaintext), "limit": limit},
            )
        return Prepared(
            record_id, item.subject, item.kind, plaintext, item.data, field_categories, placement
        )

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
            event = AuditEvent(
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

        return erase_subject(self, subject, actor=actor)

    def transfer(
        self, record_id: str, to_region: str, *, purpose: str, actor: str | None = None
    ) -> Receipt:
        """Move a record to another region if the policy engine allows the target country.
        See ``services.transfer``."""
        from onshore.services.transfer import transfer_record

        return transfer_record(self, record_id, to_region, purpose=purpose, actor=actor)
