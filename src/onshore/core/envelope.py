"""Envelope encryption of records: AES-256-GCM data keys wrapped by a region's key.

A :class:`Sealer` makes one random 256-bit data key for a batch and wraps it once with the
region's key-encryption key (``kek``). Each record is then encrypted under that data key
with a fresh 96-bit nonce. Two AADs bind the ciphertexts to where they belong:

- the wrapped data key is bound to the region and to the kek's ``key_id``, so a wrapped
  key copied to another region, or presented with another key version, does not open;
- each record's ciphertext is bound to its ``record_id`` and region, so swapping
  ciphertexts between records or regions fails authentication.

Every failure to open (tampered field, wrong region, wrong record id, wrong key) raises
:class:`~onshore.core.errors.DecryptionFailed`; nothing partial is ever returned.

Wire formats (version 1, all lengths in bytes):

- wrapped key: ``nonce(12) || AES-GCM(kek, data_key, aad_wrap)`` (60 bytes in total);
- ``aad_wrap = "onshore/wrap/v1" || lp(region) || lp(kek_key_id)``;
- ``aad_record = "onshore/record/v1" || lp(region) || lp(record_id)``;

A kek held in an HSM (``KeyVersion.cipher``, see ``onshore.adapters.pkcs11_keystore``) is used
the same way, with its AES-GCM computed inside the HSM: the wire format does not change.

where ``lp(s)`` is the UTF-8 bytes of ``s`` prefixed by their length as 4 big-endian
bytes, so no two different (region, id) pairs share an AAD.

Example:
    >>> from onshore.ports import KeyCipher, KeyVersion, SealedRecord
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

import secrets
import struct
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from onshore.core.errors import CryptoError, DecryptionFailed
from onshore.ports import KeyCipher, KeyVersion, SealedRecord

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

    def seal(self, record_id: str, plaintext: bytes) -> tuple[str, bytes, bytes, bytes]:
        """Encrypt one record: ``(key_id, wrapped_key, nonce, ciphertext)``."""
        self._count += 1
        if self._count > MAX_SEALS_PER_KEY:
            raise CryptoError("this data key has sealed its maximum; start a new Sealer")
        nonce = secrets.token_bytes(NONCE_SIZE)
        ciphertext = self._aead.encrypt(nonce, plaintext, record_aad(self.region, record_id))
        return self.key_id, self.wrapped_key, nonce, ciphertext


def unseal(record: SealedRecord, kek: KeyVersion) -> bytes:
    """The plaintext of ``record``, opened with ``kek`` (the version named by ``record.key_id``).

    Raises ``DecryptionFailed`` when ``kek`` is not the record's key version, or when any of
    ``region``, ``record_id``, ``key_id``, ``wrapped_key``, ``nonce`` or ``ciphertext`` was
    altered.
    """
    if record.key_id != kek.key_id:
        raise DecryptionFailed(
            "record is sealed under another key version",
            details={"record_key_id": record.key_id, "given_key_id": kek.key_id},
        )
    data_key = unwrap_key(record.wrapped_key, record.region, kek)
    if len(record.nonce) != NONCE_SIZE:
        raise DecryptionFailed("record nonce has the wrong length")
    try:
        return _aead(data_key).decrypt(
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
