"""Key custody: a region opens only with the keys its database was written with.

Each region's database records the fingerprint of every key version it was written with
(``key_fingerprints``: ``key_id -> SHA-256("onshore/key-fingerprint/v1" 0 key_id 0
material)``; never the key). :func:`check_region_keys` runs whenever a region's database
is opened:

- a recorded version missing from the key store raises ``KeyMissing`` (``keys.missing``)
  naming the region and the key, pointing at ``onshore keys import``;
- a version whose material does not match its fingerprint (files swapped between regions
  or versions, regenerated, truncated) raises ``KeysMismatch`` (``keys.mismatch``) naming
  the region and the key kind; the region refuses to open, so nothing is sealed under
  the wrong key;
- versions not yet recorded (a new region, a rotation) are recorded; a region that holds
  no records and no ledger leaves takes new keys freely (nothing depends on the old
  ones). When a database that already holds data has no fingerprints yet (written before
  this check existed),
  the keys are first proven against the data: the first record must open with the
  ``kek`` and carry the subject reference the ``index`` key gives, its placement leaf
  must be found under the ``ledger-hmac`` key, and the latest checkpoint must verify
  under the ``ledger-signing`` key. Only then are they recorded.

:func:`check_distinct` refuses two regions holding the same key material (a copied key
file would let one region's records be sealed under another region's key).

Works over any ``KeyStore`` (files, memory, PKCS#11): only ``versions()`` is used.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from datetime import datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from onshore.core import blind_index
from onshore.core.envelope import unseal
from onshore.core.errors import (
    KeyMissing,
    KeysMismatch,
    OnshoreError,
)
from onshore.core.ledger.note import verify_note
from onshore.ports import KeyStore, KeyVersion, RegionDatabase

#: The key kinds every region holds (``onshore.adapters.keystore.REGION_KEYS``).
KINDS = ("kek", "index", "ledger-hmac", "ledger-signing")
_LABEL = b"onshore/key-fingerprint/v1"
#: A key held in hardware (no material) is identified by a known-answer value it computes:
#: AES-GCM of 32 zero bytes under this fixed nonce (never a nonce real data uses: those are
#: random), like an HSM's key check value.
_KCV_NONCE = hashlib.sha256(b"onshore/key-check-value/nonce").digest()[:12]


def identity(key: KeyVersion) -> bytes:
    """What identifies the key's material. A ``kek`` is identified by its known-answer value,
    computed inside the HSM when it is held there (``cipher`` set, no material) and from its
    material otherwise, so a kek moved from a file into an HSM keeps its fingerprint; other
    keys by their material."""
    if key.cipher is not None:
        return b"kcv:" + key.cipher.encrypt(_KCV_NONCE, bytes(32), _LABEL)
    if key.name == "kek" and len(key.material) == 32:
        return b"kcv:" + AESGCM(key.material).encrypt(_KCV_NONCE, bytes(32), _LABEL)
    return key.material


def fingerprint(key: KeyVersion) -> bytes:
    """The fingerprint of one key version (32 bytes; reveals nothing about the key).

    Example:
        >>> k = KeyVersion("kek", 1, bytes(32))
        >>> fingerprint(k) == fingerprint(KeyVersion("kek", 2, bytes(32)))
        False
    """
    return hashlib.sha256(b"\x00".join((_LABEL, key.key_id.encode(), identity(key)))).digest()


def present_keys(keys: KeyStore) -> dict[str, KeyVersion]:
    """Every version of every region key kind in ``keys``, by ``key_id``."""
    out: dict[str, KeyVersion] = {}
    for kind in KINDS:
        for v in keys.versions(kind):
            out[v.key_id] = v
    return out


def holds_data(db: RegionDatabase) -> bool:
    """True when the region's database holds records or ledger leaves (what a new key
    would make unreadable or unverifiable)."""
    return bool(db.records.count() or db.ledger.size())


def _mismatch(region: str, key_id: str, why: str) -> KeysMismatch:
    kind = key_id.rpartition(":")[0] or key_id
    return KeysMismatch(
        f"region {region!r}: key {key_id!r} is not the key this region's data was written "
        f"with ({why}); restore the region's own key (onshore keys import) and retry",
        details={"region": region, "key": kind, "key_id": key_id},
    )


def check_region_keys(region: str, db: RegionDatabase, keys: KeyStore, at: datetime) -> None:
    """Check ``keys`` against the fingerprints ``db`` recorded; record new versions.

    Raises ``KeyMissing`` or ``KeysMismatch`` naming the region and key (see the module
    docstring); records nothing then.
    """
    recorded = db.key_fingerprints.all()
    present = present_keys(keys)
    if recorded and not _matches(recorded, present) and not holds_data(db):
        # nothing was written with the old keys: new ones replace them harmlessly
        db.key_fingerprints.replace([(v.key_id, fingerprint(v)) for v in present.values()], at)
        return
    for key_id, fp in sorted(recorded.items()):
        version = present.get(key_id)
        if version is None:
            raise KeyMissing(
                f"region {region!r} was written with key {key_id!r}, which is missing from "
                "its key store: restore it from a backup (onshore keys import); a new key "
                "would leave the region's records unreadable",
                details={"region": region, "key": key_id.rpartition(":")[0], "key_id": key_id},
            )
        if not hmac.compare_digest(fingerprint(version), fp):
            raise _mismatch(region, key_id, "its fingerprint differs")
    new = [v for key_id, v in present.items() if key_id not in recorded]
    if not new:
        return
    if not recorded and holds_data(db):
        prove_keys(region, db, keys)
    db.key_fingerprints.add([(v.key_id, fingerprint(v)) for v in new], at)


def _matches(recorded: Mapping[str, bytes], present: Mapping[str, KeyVersion]) -> bool:
    return all(
        k in present and hmac.compare_digest(fingerprint(present[k]), fp)
        for k, fp in recorded.items()
    )


def prove_keys(region: str, db: RegionDatabase, keys: KeyStore) -> None:
    """Prove the current keys against a region's existing data (first fingerprinting of a
    database written before key custody); ``KeysMismatch`` naming the key that fails."""
    first = db.records.page(None, 1)
    if first:
        sealed = first[0]
        try:
            body = json.loads(unseal(sealed, keys.get(sealed.key_id)))
        except (OnshoreError, ValueError) as exc:
            if isinstance(exc, KeyMissing):
                raise
            raise _mismatch(region, sealed.key_id, "a stored record does not open") from exc
        subject = body.get("s") if isinstance(body, dict) else None
        refs = {blind_index.subject_ref(v.material, str(subject)) for v in keys.versions("index")}
        if sealed.subject_ref not in refs:
            raise _mismatch(region, keys.current("index").key_id, "subject references differ")
        if db.ledger.size():
            from onshore.core.ledger.leaf import LeafEncoder

            hmac_keys = keys.versions("ledger-hmac")
            found = any(
                db.ledger.find_ref(
                    LeafEncoder(v.material, v.version).ref("record", sealed.record_id)
                )
                for v in hmac_keys
            )
            if not found:
                raise _mismatch(
                    region, keys.current("ledger-hmac").key_id, "ledger references differ"
                )
    latest = db.ledger.latest_checkpoint()
    if latest is not None:
        from onshore.core.ledger.note import verifier_key

        _size, _root, note, key_id, _ = latest
        signing = keys.get(key_id)
        try:
            verify_note(note, verifier_key(f"onshore/{region}", signing.material))
        except OnshoreError as exc:
            raise _mismatch(region, key_id, "the last checkpoint does not verify") from exc


def check_distinct(region_keys: Mapping[str, Iterable[KeyVersion]]) -> None:
    """Raise ``KeysMismatch`` when two regions hold the same key material."""
    seen: dict[bytes, tuple[str, str]] = {}
    for region, versions in region_keys.items():
        for v in versions:
            digest = hashlib.sha256(identity(v)).digest()
            other = seen.get(digest)
            if other is not None and other[0] != region:
                raise KeysMismatch(
                    f"regions {other[0]!r} and {region!r} hold the same key material "
                    f"({other[1]!r} and {v.key_id!r}): each region must have its own keys",
                    details={"region": region, "key": v.name, "other_region": other[0]},
                )
            seen.setdefault(digest, (region, v.key_id))
