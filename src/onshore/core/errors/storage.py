"""Errors of the stores, the keys that protect them and their backups (``store.*``, ``crypto.*``,
``keys.*``, ``backup.*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onshore.core.errors.base import OnshoreError


class StoreError(OnshoreError):
    """A storage backend failed."""

    code = "store.error"


class StoreUnavailable(StoreError):
    """A store cannot be reached; nothing was written."""

    code = "store.unavailable"


class StoreIntegrityError(StoreError):
    """A store refused a write that would break its invariants, or a stored row failed its
    integrity check (edited, moved or swapped); nothing was written or returned."""

    code = "store.integrity"


class SchemaOutdated(StoreError):
    """The database's schema is older than this onshore's: run ``onshore db upgrade``."""

    code = "store.schema_outdated"


class SchemaTooNew(StoreError):
    """The database was migrated by a newer onshore; this one refuses to open it."""

    code = "store.schema_too_new"


class MigrationFailed(StoreError):
    """A schema migration failed and was rolled back; the database keeps its old version."""

    code = "store.migration_failed"


class PartialResults(StoreUnavailable):
    """A search over several regions could not reach some of them. ``details`` names the
    regions down (``region``, ``regions``); ``records`` holds the healthy regions' results."""

    code = "store.partial"

    def __init__(
        self,
        message: str,
        *,
        records: list[Any] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.records: list[Any] = list(records or [])


class CryptoError(OnshoreError):
    """Encryption, decryption or key handling failed."""

    code = "crypto.error"


class KeyMissing(CryptoError):
    """Key material a region needs is missing."""

    code = "keys.missing"


class DecryptionFailed(CryptoError):
    """Ciphertext failed authentication (tampered, wrong key, or wrong record/region binding)."""

    code = "crypto.decryption_failed"


class KeyStoreUnavailable(CryptoError):
    """A region's key store cannot be read or written (permissions, missing directory)."""

    code = "keys.unavailable"


class KeyRotationIncomplete(CryptoError):
    """A key version cannot be retired yet: stored data still depends on it."""

    code = "keys.rotation_incomplete"


class KeysMismatch(CryptoError):
    """A region's key files are not the keys its database was written with (swapped,
    regenerated or damaged); the region refuses to open. ``details`` names region and key."""

    code = "keys.mismatch"


class BackupError(OnshoreError):
    """A region backup could not be made, checked or restored."""

    code = "backup.error"


class BackupInvalid(BackupError):
    """A backup file is damaged, tampered with, truncated, or does not match its manifest."""

    code = "backup.invalid"


class BackupDestinationUnknown(BackupError):
    """A backup destination is not declared under ``[backups.*]`` in the configuration."""

    code = "backup.destination_unknown"


class BackupTargetNotEmpty(BackupError):
    """A restore would overwrite a region database that holds data (pass ``--replace``)."""

    code = "backup.target_not_empty"
