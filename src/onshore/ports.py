"""Ports: the Protocols that adapters implement and services depend on.

Every port has an in-memory adapter and a shared conformance suite (``tests/conformance``)
that every backend runs. A region owns one ``RegionDatabase``; its record store and its
audit log share that database's transaction, so a change and the ledger leaf recording it
commit together or not at all.

Example:
    >>> from onshore.adapters import open_database
    >>> db = open_database("memory://")
    >>> isinstance(db, RegionDatabase)
    True
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class SealedRecord:
    """A record as a store keeps it: ciphertext and keyed hashes, never plaintext.

    ``subject_ref`` and ``index_terms`` are HMAC-SHA-256 values under the region's index
    key; ``wrapped_key`` is the record's data key wrapped by region key ``key_id``.
    """

    record_id: str
    region: str
    subject_ref: bytes
    kind: str
    created_at: datetime
    categories: tuple[str, ...]
    key_id: str
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes
    index_terms: tuple[bytes, ...] = ()


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

    def page(self, after: str | None, limit: int) -> list[SealedRecord]:
        """Up to ``limit`` records with ``record_id > after``, ordered by id (keyset paging)."""

    def rewrap(self, record_id: str, key_id: str, wrapped_key: bytes) -> None:
        """Replace a record's wrapped data key (key rotation); the ciphertext is untouched."""


@dataclass(frozen=True, slots=True)
class KeyVersion:
    """One version of a named key: ``name`` (``kek``, ``index``...), ``version`` and material."""

    name: str
    version: int
    material: bytes

    @property
    def key_id(self) -> str:
        """``name:version``, as stored beside what the key protects."""
        return f"{self.name}:{self.version}"


@runtime_checkable
class KeyStore(Protocol):
    """A region's keys. Material never leaves the region's own key store."""

    def current(self, name: str) -> KeyVersion:
        """The newest version of ``name``; raises ``KeyMissing`` when there is none."""

    def get(self, key_id: str) -> KeyVersion:
        """A version by its ``name:version`` id; raises ``KeyMissing``."""

    def create(self, name: str, size: int = 32) -> KeyVersion:
        """Create version 1 of ``name`` with fresh random material (no-op when it exists)."""

    def rotate(self, name: str, size: int = 32) -> KeyVersion:
        """Add a new version of ``name``; older versions stay readable."""

    def versions(self, name: str) -> list[KeyVersion]:
        """Every version of ``name``, oldest first."""


@runtime_checkable
class AuditLogStore(Protocol):
    """The append-only ledger of one region (entries, leaf hashes, payloads, checkpoints).

    The ledger issue owns the full contract; the vault relies on ``append`` joining the
    database's open transaction.
    """

    def append(self, entries: Sequence[bytes], leaf_hashes: Sequence[bytes]) -> int:
        """Append entries (with their precomputed leaf hashes); return the first new index."""

    def size(self) -> int:
        """Number of leaves."""


@runtime_checkable
class RegionDatabase(Protocol):
    """One region's database: its stores share one transaction."""

    url: str
    records: RecordStore
    ledger: AuditLogStore

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
