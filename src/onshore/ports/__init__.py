"""Ports: the Protocols that adapters implement and services depend on.

Every port has an in-memory adapter and a shared conformance suite (``tests/conformance``)
that every backend runs. A region owns one ``RegionDatabase``; its record store and its
audit log share that database's transaction, so a change and the ledger leaf recording it
commit together or not at all.

The store ports are here, the key ports in ``ports.keys`` (re-exported here). Two ports serve
tools rather than stores and have no in-memory adapter: the scan readers (``ports.sources``)
and backup snapshots (``ports.snapshots``). The values the ports carry that the pure core
also works with (``SealedRecord``, ``Case``, ``CaseEvent``, ``KeyVersion``) are defined in
``onshore.core`` and re-exported here, so core never imports a port.

Example:
    >>> from onshore.adapters import open_database
    >>> db = open_database("memory://")
    >>> isinstance(db, RegionDatabase)
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from onshore.core.cases.case import Case as Case  # values the ports carry, re-exported
from onshore.core.cases.case import CaseEvent as CaseEvent
from onshore.core.cases.listing import CaseQuery
from onshore.core.sealed_record import SealedRecord as SealedRecord
from onshore.ports.audience import AudienceStore as AudienceStore
from onshore.ports.keys import (
    HsmKeyStore as HsmKeyStore,
)
from onshore.ports.keys import (  # the key ports, re-exported: every port is in onshore.ports
    KeyCipher as KeyCipher,
)
from onshore.ports.keys import (
    KeyFingerprintStore as KeyFingerprintStore,
)
from onshore.ports.keys import (
    KeyStore as KeyStore,
)
from onshore.ports.keys import (
    KeyVersion as KeyVersion,
)
from onshore.ports.tokens import TokenInfo as TokenInfo
from onshore.ports.tokens import TokenStore as TokenStore
from onshore.ports.users import Owner as Owner
from onshore.ports.users import ServiceAccount as ServiceAccount
from onshore.ports.users import User as User
from onshore.ports.users import UserStore as UserStore


@runtime_checkable
class RecordStore(Protocol):
    """Sealed records of one region. Every method joins the database's open transaction."""

    def put(self, record: SealedRecord) -> None:
        """Insert or replace by ``record_id`` (putting the same record twice keeps one)."""

    def put_many(self, records: Sequence[SealedRecord]) -> None:
        """Insert or replace many in one transaction: all of them or none."""

    def get(self, record_id: str) -> SealedRecord | None:
        """The record, or None."""

    def find(self, term: bytes) -> list[SealedRecord]:
        """Records carrying blind-index ``term``, oldest first."""

    def delete(self, record_id: str) -> bool:
        """Remove a record and its index terms; False when it was not there."""

    def by_subject(self, subject_ref: bytes) -> Iterator[SealedRecord]:
        """The subject's records, oldest first."""

    def count(self) -> int:
        """How many records the store holds."""

    def count_subjects(self) -> int:
        """How many distinct subjects (keyed ``subject_ref`` values) the records belong to."""

    def page(self, after: str | None, limit: int) -> list[SealedRecord]:
        """Up to ``limit`` records with ``record_id > after``, ordered by id (keyset paging)."""

    def iter_record_ids(self, page_size: int = 10_000) -> Iterator[str]:
        """Every stored record id, ascending, read ``page_size`` ids at a time (ids only: no
        ciphertext is read). Used by ``onshore ledger audit`` to reconcile the store."""

    def rewrap(self, record_id: str, key_id: str, wrapped_key: bytes) -> None:
        """Replace a record's wrapped data key (key rotation); the ciphertext is untouched."""

    def existing(self, record_ids: Sequence[str]) -> set[str]:
        """Which of ``record_ids`` the store holds (one query per chunk, for batch retries)."""


@runtime_checkable
class LedgerStore(Protocol):
    """The append-only ledger of one region: leaves, payloads, record index, tiles, checkpoints.

    Every write joins the database's open transaction (``with db.transaction():``), so a
    change and the leaf recording it commit together. Leaves are ``(index, entry,
    leaf_hash)``; tiles are C2SP tlog-tiles keyed ``(tile level, tile index)`` holding
    ``width * 32`` bytes (``onshore.core.ledger.tiles``); payloads are canonical JSON keyed
    by their SHA-256 commitment. Checkpoint rows are tuples ``(size, root, note, key_id,
    at)``: ``note`` is the C2SP signed note, ``key_id`` the signing key's ``name:version``.
    The conformance suite is ``tests/conformance/test_audit_log_store.py``.
    """

    def append(self, entries: Sequence[bytes], leaf_hashes: Sequence[bytes]) -> int:
        """Append entries (with their precomputed leaf hashes); return the first new index."""

    def size(self) -> int:
        """Number of leaves (one past the highest index)."""

    def leaves(self, start: int, stop: int) -> list[tuple[int, bytes, bytes]]:
        """Stored ``(index, entry, leaf_hash)`` rows with ``start <= index < stop``, in order."""

    def leaf_hashes(self, start: int, stop: int) -> list[bytes]:
        """Leaf hashes of indexes ``start <= index < stop``, in order."""

    def put_payloads(self, items: Sequence[tuple[bytes, bytes]]) -> None:
        """Store ``(commitment, canonical JSON)`` pairs; an existing commitment is kept."""

    def payload(self, commitment: bytes) -> bytes | None:
        """A payload's canonical JSON, or None (never stored, or deleted)."""

    def delete_payload(self, commitment: bytes) -> bool:
        """Delete a payload (crypto-shredding); False when it was not there."""

    def index_refs(self, items: Sequence[tuple[bytes, int]]) -> None:
        """Index ``(record ref, leaf index)`` pairs (keyed hashes of record ids)."""

    def find_ref(self, ref: bytes) -> list[int]:
        """Leaf indexes recorded for a record ref, ascending."""

    def iter_refs(self, page_size: int = 10_000) -> Iterator[tuple[bytes, int]]:
        """Every ``(record ref, leaf index)`` pair of the record index, ordered by ref then
        index, read ``page_size`` pairs at a time (``onshore ledger audit`` checks it)."""

    def tiles(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The stored tiles among ``keys`` (missing ones are left out)."""

    def integrated_size(self) -> int:
        """How many leaves the stored tiles cover."""

    def lock_tree(self) -> None:
        """Serialise this region's tree writers (integration, checkpoint signing) to the end
        of the open transaction, so writer processes sharing the region never interleave
        tile updates (appends are serialised by ``append`` itself)."""

    def save_tiles(self, tiles: Mapping[tuple[int, int], bytes], integrated_size: int) -> None:
        """Upsert tiles and record the new integrated size, in one transaction."""

    def add_checkpoint(
        self, size: int, root: bytes, note: bytes, key_id: str, at: datetime
    ) -> bool:
        """Store a signed checkpoint; False (nothing stored) when one at least as large is
        already stored (a concurrent signer got there first: checkpoints never shrink)."""

    def latest_checkpoint(self) -> tuple[int, bytes, bytes, str, datetime] | None:
        """The most recently stored checkpoint, or None."""

    def checkpoints(self) -> list[tuple[int, bytes, bytes, str, datetime]]:
        """Every stored checkpoint, oldest first."""


@dataclass(frozen=True, slots=True)
class StagedShare:
    """One region's pending share of a cross-region batch (phase 1 of the batch commit).

    ``coordinator`` is the region whose database holds the batch's commit decision;
    ``regions`` every region the batch stages a share in. No personal data: the share's
    rows (sealed records and encoded leaves) are stored beside it in the same region.
    """

    batch_id: str
    coordinator: str
    regions: tuple[str, ...]
    staged_at: datetime


@dataclass(frozen=True, slots=True)
class BatchDecision:
    """The durable outcome of a cross-region batch, kept in its coordinator region.

    ``outcome`` is ``"commit"`` or ``"abort"``; the first decision stored for a batch wins.
    """

    batch_id: str
    outcome: str
    regions: tuple[str, ...]
    decided_at: datetime


@runtime_checkable
class BatchStore(Protocol):
    """Pending shares and commit decisions of cross-region batches in one region.

    Staged rows are opaque bytes to the store (``services.staged_rows`` encodes them); a
    pending share is never visible through the ``RecordStore``. Every method joins the
    database's open transaction. The conformance suite is
    ``tests/conformance/test_batch_store.py``.
    """

    def stage(self, share: StagedShare, rows: Sequence[tuple[str, bytes]]) -> None:
        """Store a pending share with its ``(record_id, body)`` rows, in order."""

    def shares(self) -> list[StagedShare]:
        """Every pending share of this region, oldest first."""

    def share(self, batch_id: str) -> StagedShare | None:
        """The pending share of ``batch_id``, or None."""

    def rows(self, batch_id: str) -> list[bytes]:
        """The bodies of a pending share's rows, in the order they were staged."""

    def holding(self, record_ids: Sequence[str]) -> set[str]:
        """Batch ids of the pending shares that stage any of ``record_ids``."""

    def discard(self, batch_id: str) -> bool:
        """Delete a pending share and its rows; False when there was none."""

    def decide(self, decision: BatchDecision) -> str:
        """Store ``decision`` unless the batch already has one; return the stored outcome."""

    def decision(self, batch_id: str) -> BatchDecision | None:
        """The decision stored for ``batch_id`` (in this, its coordinator region), or None."""

    def decisions(self) -> list[BatchDecision]:
        """Every decision stored here, oldest first."""

    def forget(self, batch_id: str) -> bool:
        """Delete a decision once no region holds a share of its batch."""


@runtime_checkable
class RegionDatabase(Protocol):
    """One region's database: its stores share one transaction."""

    url: str

    @property
    def records(self) -> RecordStore:
        """The region's sealed records."""

    @property
    def ledger(self) -> LedgerStore:
        """The region's audit log."""

    @property
    def cases(self) -> CaseStore:
        """The region's cases (authority requests, takedowns, notifications) and legal holds."""

    @property
    def key_fingerprints(self) -> KeyFingerprintStore:
        """Fingerprints of the keys the region was written with (``services.key_custody``)."""

    @property
    def batches(self) -> BatchStore:
        """Pending shares and commit decisions of cross-region batches."""

    @property
    def audience(self) -> AudienceStore:
        """The region's audience metrics (``services.audience``)."""

    def transaction(self) -> AbstractContextManager[None]:
        """Open (or join) a transaction; commits on exit, rolls back on an exception."""

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` when the database cannot be reached."""

    def close(self) -> None:
        """Release connections."""


class Clock(Protocol):
    """Where services get the time (core never reads the clock)."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


class CountryLookup(Protocol):
    """IP address -> ISO 3166-1 alpha-2 country, offline."""

    def country_of(self, ip: str) -> str | None:
        """The country, or None when unknown, private or malformed."""


# -- cases (authority requests, takedowns, notifications) -------------------------------


@dataclass(frozen=True, slots=True)
class LegalHold:
    """A preservation hold: records of ``subject_ref`` (the region's keyed subject hash) are
    not erased before ``expires_at``. ``extended`` is set once the single extension is used."""

    subject_ref: bytes
    case_id: str
    placed_at: datetime
    expires_at: datetime
    extended: bool = False
    released_at: datetime | None = None

    def active(self, at: datetime) -> bool:
        """True when the hold binds at ``at`` (not released, not expired)."""
        return self.released_at is None and at < self.expires_at


@dataclass(frozen=True, slots=True)
class CasePage:
    """One page of a case listing; pass ``next_cursor`` back as ``after`` for the next."""

    cases: list[Case]
    next_cursor: str | None


@runtime_checkable
class CaseStore(Protocol):
    """Cases, their histories and legal holds in one region. Joins the open transaction.

    Listings use keyset pagination: ``order`` is ``"case_id"`` or ``"due_at"`` (cases with
    no deadline are left out of a ``due_at`` listing); the cursor is opaque.
    """

    def create(self, case: Case) -> None:
        """Insert a new case (version as given, normally 1); ``CaseConflict`` if the id exists."""

    def get(self, case_id: str) -> Case | None:
        """The case, or None."""

    def update(self, case: Case) -> Case:
        """Write state, updated_at, due_at and data if the stored version is ``case.version``;
        return the case with ``version + 1``. ``CaseConflict`` on a stale version,
        ``CaseNotFound`` when there is no such case."""

    def append_event(self, event: CaseEvent) -> None:
        """Append to a case's history; ``CaseConflict`` if ``seq`` is taken,
        ``CaseNotFound`` if the case does not exist."""

    def events(self, case_id: str) -> list[CaseEvent]:
        """The case's history, by ``seq``."""

    def page(self, query: CaseQuery) -> CasePage:
        """Cases matching every filter of ``query``, ``query.limit`` at a time."""

    def counts(self, kind: str | None = None) -> dict[tuple[str, str], int]:
        """Number of cases per ``(kind, state)``."""

    def put_hold(self, hold: LegalHold) -> None:
        """Insert or replace the hold of ``(case_id, subject_ref)``."""

    def holds(
        self,
        *,
        case_id: str | None = None,
        subject_refs: Sequence[bytes] | None = None,
        active_at: datetime | None = None,
    ) -> list[LegalHold]:
        """Holds matching every filter given (``active_at``: only holds binding then),
        ordered by ``(case_id, subject_ref)``."""
