"""Key backups: export a region's keys wrapped under a passphrase, and restore them.

``export_keys`` wraps every version of every region key kind (``core.key_backup``:
scrypt + AES-256-GCM). ``import_keys`` restores a backup into a region's key store: a
version that is missing is written, one that exists with the same material is skipped,
and one that exists with different material is refused (``keys.mismatch``): a restore
never replaces a key. A backup made for another region is refused too.

Example:
    >>> from onshore.adapters.keystore import MemoryKeyStore, ensure_region_keys
    >>> src, dst = MemoryKeyStore(), MemoryKeyStore()
    >>> ensure_region_keys(src)
    >>> blob = export_keys("vn-hcm", src, "secret", n=2**10)
    >>> import_keys("vn-hcm", dst, blob, "secret").restored
    ['index:1', 'kek:1', 'ledger-hmac:1', 'ledger-signing:1']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from onshore.core.errors import KeysMismatch, KeyStoreUnavailable
from onshore.core.key_backup import SCRYPT_N, open_backup, seal_backup
from onshore.ports import KeyStore, KeyVersion
from onshore.services.key_custody import KINDS, fingerprint, present_keys


@runtime_checkable
class KeyImporter(Protocol):
    """A key store that can take a restored version (``FileKeyStore``, ``MemoryKeyStore``)."""

    def import_version(self, key: KeyVersion) -> bool:
        """Add ``key``; False when that version already exists."""


@dataclass
class ImportOutcome:
    """What a restore did: key ids written and key ids already present (same material)."""

    region: str
    restored: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)


def export_keys(region: str, keys: KeyStore, passphrase: str, *, n: int = SCRYPT_N) -> bytes:
    """A passphrase-wrapped backup of every version of ``region``'s keys."""
    versions = [v for kind in KINDS for v in keys.versions(kind)]
    held = [v.key_id for v in versions if v.cipher is not None]
    if held:
        raise KeyStoreUnavailable(
            f"{held[0]!r} is held in an HSM and cannot leave it: back it up with the HSM's own "
            "replication or backup (docs/operations.md, Keys)",
            details={"region": region, "key": held[0]},
        )
    return seal_backup(region, versions, passphrase, n=n)


def import_keys(region: str, keys: KeyStore, blob: bytes, passphrase: str) -> ImportOutcome:
    """Restore a backup into ``keys`` (see the module docstring)."""
    backup_region, versions = open_backup(blob, passphrase)
    if backup_region != region:
        raise KeysMismatch(
            f"this backup holds the keys of region {backup_region!r}, not {region!r}: "
            "a region's records must never be sealed under another region's key",
            details={"region": region, "key": "backup", "backup_region": backup_region},
        )
    if not isinstance(keys, KeyImporter):
        raise KeyStoreUnavailable(
            "this key store cannot take restored keys", details={"region": region}
        )
    outcome = ImportOutcome(region)
    present = present_keys(keys)
    for v in sorted(versions, key=lambda k: (k.name, k.version)):
        have = present.get(v.key_id)
        if have is not None:
            if fingerprint(have) != fingerprint(v):
                raise KeysMismatch(
                    f"region {region!r} already has a different {v.key_id!r}; a restore "
                    "never replaces a key (move the existing file aside first)",
                    details={"region": region, "key": v.name, "key_id": v.key_id},
                )
            outcome.present.append(v.key_id)
            continue
        if keys.import_version(v):
            outcome.restored.append(v.key_id)
        else:
            outcome.present.append(v.key_id)
    return outcome
