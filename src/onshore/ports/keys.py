"""The key ports: a region's key versions, the store that holds them (files, memory, an HSM
over PKCS#11) and the fingerprints a region records of the keys it was written with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from onshore.core.keys import KeyCipher as KeyCipher  # values of the key ports, re-exported
from onshore.core.keys import KeyVersion as KeyVersion


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
class HsmKeyStore(KeyStore, Protocol):
    """A key store in hardware (PKCS#11) that existing key versions can be imported into."""

    def import_key(self, name: str, version: int, material: bytes) -> KeyVersion:
        """Bring version ``version`` of ``name`` with ``material`` into the store."""

    def close(self) -> None:
        """Log out of the token and release it."""


@runtime_checkable
class KeyFingerprintStore(Protocol):
    """Fingerprints of the keys a region's database was written with (never the keys).

    A fingerprint is a SHA-256 over the key's id and material
    (``onshore.services.key_custody.fingerprint``). Joins the database's open transaction.
    """

    def all(self) -> dict[str, bytes]:
        """Every recorded ``key_id -> fingerprint``."""

    def add(self, items: Sequence[tuple[str, bytes]], at: datetime) -> None:
        """Record ``(key_id, fingerprint)`` pairs; a key id already recorded is kept as it was."""

    def replace(self, items: Sequence[tuple[str, bytes]], at: datetime) -> None:
        """Forget every recorded fingerprint and record ``items`` (a region with no data)."""
