"""Envelope encryption of records: AES-256-GCM data keys wrapped by a region's key.

A :class:`Sealer` makes one random 256-bit data key for a batch and wraps it once with the
region's key-encryption key (``kek``). Each record is then encrypted under that data key
with a fresh 96-bit nonce. Two AADs bind the ciphertexts to where they belong:

- the wrapped data key is bound to the region and to the kek's ``key_id``, so a wrapped
  key copied to another region, or presented with another key version, does not open;
- each record's ciphertext is bound to every stored field beside it (version 2: record id,
  region, subject reference, kind, created-at, categories and blind-index terms), so
  swapping ciphertexts between records or regions, or editing any of those columns, fails
  authentication. Rows sealed before version 2 bound only region and record id; they still
  open (``unseal`` tries the version 2 AAD, then the version 1 AAD: a ciphertext only ever
  authenticates under the one AAD it was sealed with, so the fallback is no downgrade).
  The key version is bound through the wrapped key's AAD, so key rotation can re-wrap a
  data key without re-encrypting records.

Every failure to open (tampered field, wrong region, wrong record id, wrong key) raises
:class:`~onshore.core.errors.DecryptionFailed`; nothing partial is ever returned.

Wire formats (version 1, all lengths in bytes):

- wrapped key: ``nonce(12) || AES-GCM(kek, data_key, aad_wrap)`` (60 bytes in total);
- ``aad_wrap = "onshore/wrap/v1" || lp(region) || lp(kek_key_id)``;
- ``aad_record = "onshore/record/v1" || lp(region) || lp(record_id)`` (rows before v2);
- ``aad_record_v2 = "onshore/record/v2" || lp(region) || lp(kind) || lp(created_at as
  microseconds since the epoch, decimal) || lp(number of categories) || lp(category)...
  || lp(record_id) || lpb(subject_ref) || lpb(SHA-256 of the index terms, each
  length-prefixed)`` (the fields a batch shares come first, so their prefix is built once);

A kek held in an HSM (``KeyVersion.cipher``, see ``onshore.adapters.pkcs11_keystore``) is used
the same way, with its AES-GCM computed inside the HSM: the wire format does not change.

where ``lp(s)`` is the UTF-8 bytes of ``s`` prefixed by their length as 4 big-endian
bytes (``lpb`` the same for raw bytes), so no two different field tuples share an AAD.

Example:
    >>> from onshore.core.keys import KeyCipher, KeyVersion
    >>> from onshore.core.sealed_record import SealedRecord
    >>> from datetime import datetime, timezone
    >>> kek = KeyVersion("kek", 1, bytes(32))
    >>> sealer = Sealer(kek, "vn-hcm")
    >>> key_id, wrapped, nonce, ct = sealer.seal("r1", b"hello")
    >>> rec = SealedRecord("r1", "vn-hcm", b"s", "user", datetime.now(timezone.utc), (),
    ...                    key_id, wrapped, nonce, ct)
    >>> unseal(rec, kek)
    b'hello'
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from onshore.core.errors import CryptoError, DecryptionFailed
from onshore.core.keys import KeyCipher, KeyVersion
from onshore.core.sealed_record import SealedRecord

#: Bytes in an AES-GCM nonce (96 bits, the size GCM is designed for).
NONCE_SIZE = 12
#: Bytes in a data key and in a kek (AES-256).
KEY_SIZE = 32
#: Bytes in a wrapped data key: nonce, encrypted key, GCM tag.
WRAPPED_SIZE = NONCE_SIZE + KEY_SIZE + 16
#: Records one data key may seal. Random 96-bit nonces stay far below the 2**-32
#: collision bound NIST SP 800-38D sets for up to 2**32 messages per key.
MAX_SEALS_PER_KEY = 2**32

_WRAP_LABEL = b"onshore/wrap/v1"
_RECORD_LABEL = b"onshore/record/v1"
_RECORD_LABEL_V2 = b"onshore/record/v2"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _lp(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack(">I", len(raw)) + raw


def wrap_aad(region: str, kek_key_id: str) -> bytes:
    """The AAD that binds a wrapped data key to its region and kek version.

    Example:
        >>> wrap_aad("vn-hcm", "kek:1")
        b'onshore/wrap/v1\\x00\\x00\\x00\\x06vn-hcm\\x00\\x00\\x00\\x05kek:1'
    """
    return _WRAP_LABEL + _lp(region) + _lp(kek_key_id)


def record_aad(region: str, record_id: str) -> bytes:
    """The AAD that binds a record's ciphertext to its region and record id.

    Example:
        >>> record_aad("sg-1", "r1")
        b'onshore/record/v1\\x00\\x00\\x00\\x04sg-1\\x00\\x00\\x00\\x02r1'
    """
    return _RECORD_LABEL + _lp(region) + _lp(record_id)


def _lpb(raw: bytes) -> bytes:
    return struct.pack(">I", len(raw)) + raw


def epoch_micros(at: datetime) -> int:
    """``at`` (timezone-aware) as whole microseconds since the Unix epoch.

    Example:
        >>> epoch_micros(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC))
        1000000
    """
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def terms_digest(index_terms: Sequence[bytes]) -> bytes:
    """SHA-256 of the blind-index terms, each prefixed by its length (order matters).

    Example:
        >>> terms_digest(()) == hashlib.sha256(b"").digest()
        True
    """
    return hashlib.sha256(b"".join(_lpb(t) for t in index_terms)).digest()


def record_aad_v2(
    region: str,
    record_id: str,
    subject_ref: bytes,
    kind: str,
    created_at: datetime,
    categories: Sequence[str],
    index_terms: Sequence[bytes],
) -> bytes:
    """The version 2 AAD: binds a ciphertext to every stored field of its row.

    Example:
        >>> at = datetime(2025, 1, 1, tzinfo=UTC)
        >>> a = record_aad_v2("sg-1", "r1", b"s", "profile", at, ("email",), ())
        >>> a == record_aad_v2("sg-1", "r1", b"s", "profile", at, ("phone_number",), ())
        False
    """
    head = _aad_head(region, kind, created_at, tuple(categories))
    rid = record_id.encode("utf-8")
    if index_terms:
        digest = _sha256(b"".join(_pack_len(len(t)) + t for t in index_terms)).digest()
    else:
        digest = _EMPTY_DIGEST
    return b"".join(
        (
            head,
            _pack_len(len(rid)),
            rid,
            _pack_len(len(subject_ref)),
            subject_ref,
            _DIGEST_LEN,
            digest,
        )
    )


@lru_cache(maxsize=1024)
def _aad_head(region: str, kind: str, created_at: datetime, categories: tuple[str, ...]) -> bytes:
    """The AAD fields a batch shares (region, kind, time, categories), built once."""
    parts = [
        _RECORD_LABEL_V2,
        _lp(region),
        _lp(kind),
        _lp(str(epoch_micros(created_at))),
        _lp(str(len(categories))),
    ]
    parts.extend(_lp(c) for c in categories)
    return b"".join(parts)


_sha256 = hashlib.sha256
_pack_len = struct.Struct(">I").pack
_EMPTY_DIGEST = hashlib.sha256(b"").digest()
_DIGEST_LEN = _pack_len(32)


def sealed_aad(record: SealedRecord) -> bytes:
    """The version 2 AAD of a stored row (what ``unseal`` authenticates it against)."""
    return record_aad_v2(
        record.region,
        record.record_id,
        record.subject_ref,
        record.kind,
        record.created_at,
        record.categories,
        record.index_terms,
    )


def _kek_aead(material: bytes, key_id: str) -> AESGCM:
    if len(material) != KEY_SIZE:
        raise CryptoError(f"key {key_id!r} is not a 256-bit key", details={"key_id": key_id})
    return AESGCM(material)


def _kek_cipher(kek: KeyVersion) -> AESGCM | KeyCipher:
    """The kek's AES-GCM: in process from its material, or its key store's (an HSM)."""
    if kek.cipher is not None:
        return kek.cipher
    return _kek_aead(kek.material, kek.key_id)


def wrap_key(data_key: bytes, region: str, kek: KeyVersion) -> bytes:
    """Wrap ``data_key`` with ``kek`` for ``region`` (fresh nonce each time).

    Example:
        >>> kek = KeyVersion("kek", 1, bytes(32))
        >>> len(wrap_key(bytes(32), "vn-hcm", kek)) == WRAPPED_SIZE
        True
    """
    nonce = secrets.token_bytes(NONCE_SIZE)
    return nonce + _kek_cipher(kek).encrypt(nonce, data_key, wrap_aad(region, kek.key_id))


def unwrap_key(wrapped_key: bytes, region: str, kek: KeyVersion) -> bytes:
    """The data key inside ``wrapped_key``; raises ``DecryptionFailed`` when it does not open.

    Example:
        >>> kek = KeyVersion("kek", 1, bytes(32))
        >>> unwrap_key(wrap_key(b"k" * 32, "vn-hcm", kek), "vn-hcm", kek) == b"k" * 32
        True
    """
    if kek.cipher is not None:
        return _unwrap_hsm(bytes(wrapped_key), region, kek.key_id, kek.cipher)
    return _unwrap_cached(bytes(wrapped_key), region, kek.key_id, kek.material)


@lru_cache(maxsize=256)
def _unwrap_hsm(wrapped_key: bytes, region: str, key_id: str, cipher: KeyCipher) -> bytes:
    # A key store's cipher (an HSM) is one object per key version: cache by its identity.
    return _unwrap(wrapped_key, region, key_id, cipher)


@lru_cache(maxsize=256)
def _unwrap_cached(wrapped_key: bytes, region: str, key_id: str, material: bytes) -> bytes:
    # Records of one batch share a wrapped key: unwrapping it once serves the whole batch.
    # Failures raise, so they are never cached.
    return _unwrap(wrapped_key, region, key_id, _kek_aead(material, key_id))


def _unwrap(wrapped_key: bytes, region: str, key_id: str, aead: AESGCM | KeyCipher) -> bytes:
    if len(wrapped_key) != WRAPPED_SIZE:
        raise DecryptionFailed("wrapped data key has the wrong length")
    try:
        data_key = aead.decrypt(
            wrapped_key[:NONCE_SIZE], wrapped_key[NONCE_SIZE:], wrap_aad(region, key_id)
        )
    except InvalidTag:
        raise DecryptionFailed(
            "data key does not open with this key for this region", details={"key_id": key_id}
        ) from None
    return data_key


@lru_cache(maxsize=256)
def _aead(data_key: bytes) -> AESGCM:
    return AESGCM(data_key)


class Sealer:
    """Seals a batch of records under one fresh data key, wrapped once by ``kek``.

    ``key_id`` and ``wrapped_key`` are what every record sealed by this instance stores.
    Use one Sealer per batch (or per record when records must not share a data key).

    Example:
        >>> s = Sealer(KeyVersion("kek", 2, bytes(32)), "sg-1")
        >>> s.key_id
        'kek:2'
        >>> key_id, wrapped, nonce, ct = s.seal("r1", b"x")
        >>> (key_id, wrapped == s.wrapped_key, len(nonce), len(ct))
        ('kek:2', True, 12, 17)
    """

    __slots__ = ("_aead", "_count", "key_id", "region", "wrapped_key")

    def __init__(self, kek: KeyVersion, region: str) -> None:
        data_key = AESGCM.generate_key(bit_length=256)
        self.region = region
        self.key_id = kek.key_id
        self.wrapped_key = wrap_key(data_key, region, kek)
        self._aead = AESGCM(data_key)
        self._count = 0

    def seal(
        self, record_id: str, plaintext: bytes, *, aad: bytes | None = None
    ) -> tuple[str, bytes, bytes, bytes]:
        """Encrypt one record: ``(key_id, wrapped_key, nonce, ciphertext)``.

        ``aad`` is the row's version 2 AAD (:func:`record_aad_v2`); without it the record
        is bound to region and record id only (version 1, kept for callers of that form).
        """
        self._count += 1
        if self._count > MAX_SEALS_PER_KEY:
            raise CryptoError("this data key has sealed its maximum; start a new Sealer")
        nonce = secrets.token_bytes(NONCE_SIZE)
        if aad is None:
            aad = record_aad(self.region, record_id)
        ciphertext = self._aead.encrypt(nonce, plaintext, aad)
        return self.key_id, self.wrapped_key, nonce, ciphertext


def unseal(record: SealedRecord, kek: KeyVersion) -> bytes:
    """The plaintext of ``record``, opened with ``kek`` (the version named by ``record.key_id``).

    Raises ``DecryptionFailed`` when ``kek`` is not the record's key version, or when any of
    ``region``, ``record_id``, ``key_id``, ``wrapped_key``, ``nonce`` or ``ciphertext`` was
    altered (and, for rows sealed with the version 2 AAD, any other stored field).
    """
    return unseal_versioned(record, kek)[1]


def unseal_versioned(record: SealedRecord, kek: KeyVersion) -> tuple[int, bytes]:
    """``(aad_version, plaintext)``: 2 for rows bound field by field, 1 for older rows.

    Example:
        >>> from datetime import datetime
        >>> kek = KeyVersion("kek", 1, bytes(32))
        >>> at = datetime(2025, 1, 1, tzinfo=UTC)
        >>> aad = record_aad_v2("sg-1", "r1", b"s", "k", at, (), ())
        >>> key_id, w, n, ct = Sealer(kek, "sg-1").seal("r1", b"hi", aad=aad)
        >>> unseal_versioned(SealedRecord("r1", "sg-1", b"s", "k", at, (), key_id, w, n, ct), kek)
        (2, b'hi')
    """
    if record.key_id != kek.key_id:
        raise DecryptionFailed(
            "record is sealed under another key version",
            details={"record_key_id": record.key_id, "given_key_id": kek.key_id},
        )
    data_key = unwrap_key(record.wrapped_key, record.region, kek)
    if len(record.nonce) != NONCE_SIZE:
        raise DecryptionFailed("record nonce has the wrong length")
    aead = _aead(data_key)
    try:
        return 2, aead.decrypt(record.nonce, record.ciphertext, sealed_aad(record))
    except InvalidTag:
        pass
    try:
        return 1, aead.decrypt(
            record.nonce, record.ciphertext, record_aad(record.region, record.record_id)
        )
    except InvalidTag:
        raise DecryptionFailed(
            "record ciphertext failed authentication", details={"record_id": record.record_id}
        ) from None


def rewrap(wrapped_key: bytes, region: str, old: KeyVersion, new: KeyVersion) -> bytes:
    """Re-wrap a data key from ``old`` to ``new`` (key rotation); ciphertexts stay as they are.

    Example:
        >>> old, new = KeyVersion("kek", 1, bytes(32)), KeyVersion("kek", 2, b"\\x01" * 32)
        >>> w = wrap_key(b"d" * 32, "vn-hcm", old)
        >>> unwrap_key(rewrap(w, "vn-hcm", old, new), "vn-hcm", new) == b"d" * 32
        True
    """
    return wrap_key(unwrap_key(wrapped_key, region, old), region, new)
