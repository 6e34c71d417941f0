"""The backup file: a plaintext header (manifest and key wrapping) then AES-256-GCM chunks.

Layout (version 1)::

    MAGIC  u32 header_length  header (canonical JSON)
    { u32 length  AES-GCM(data_key, nonce, chunk, aad) }*   (the last one flagged)

- ``data_key`` is a fresh 256-bit key per backup, wrapped by the region's ``kek``
  (``header["encryption"]["wrapped_key"]``, bound to the region and the kek version);
- ``nonce = prefix(7) || counter(4, big-endian) || last(1)``: chunks cannot be reordered,
  dropped, or the file cut short (the stream must end with the chunk flagged last, and
  nothing may follow it);
- ``aad = SHA-256(MAGIC || header)``: the manifest cannot be changed without every chunk
  failing authentication.

Plaintext is cut into chunks of ``CHUNK`` bytes, so memory stays bounded both ways. Every
failure to read is ``BackupInvalid``.

Example:
    >>> import io, os
    >>> key, out = os.urandom(32), io.BytesIO()
    >>> header = new_header({"region": "vn-hcm"}, {"kek": "kek:1"})
    >>> write_backup(out, header, key, [b"hello ", b"world"])
    >>> inp = io.BytesIO(out.getvalue())
    >>> got = read_header(inp)
    >>> got.manifest["region"], b"".join(read_chunks(inp, got, key))
    ('vn-hcm', b'hello world')
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from onshore.core.errors import BackupInvalid

MAGIC = b"ONSHORE-BACKUP/1\n"
#: Plaintext bytes per encrypted chunk.
CHUNK = 1 << 20
_TAG = 16
_MAX_HEADER = 1 << 20
_PREFIX = 7


@dataclass(frozen=True)
class Header:
    """A backup's header as read: its fields and the exact bytes the chunks authenticate."""

    fields: dict[str, Any]
    raw: bytes

    @property
    def manifest(self) -> dict[str, Any]:
        """What the backup claims to hold (region, schema version, counts, ledger)."""
        value: dict[str, Any] = self.fields["manifest"]
        return value

    @property
    def encryption(self) -> dict[str, Any]:
        """How its data key is wrapped and its chunks sealed."""
        value: dict[str, Any] = self.fields["encryption"]
        return value


def new_header(manifest: dict[str, Any], encryption: dict[str, Any]) -> dict[str, Any]:
    """A header: the manifest and the encryption parameters (a fresh nonce prefix)."""
    enc = {
        **encryption,
        "alg": "AES-256-GCM",
        "chunk_size": CHUNK,
        "nonce_prefix": base64.b64encode(os.urandom(_PREFIX)).decode(),
    }
    return {"format": 1, "manifest": manifest, "encryption": enc}


def _header_bytes(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


def _prefix(encryption: dict[str, Any]) -> bytes:
    try:
        prefix = base64.b64decode(encryption["nonce_prefix"], validate=True)
    except (KeyError, TypeError, ValueError):
        raise BackupInvalid("backup header has no valid nonce prefix") from None
    if len(prefix) != _PREFIX:
        raise BackupInvalid("backup header has no valid nonce prefix")
    return prefix


def write_backup(
    out: BinaryIO, header: dict[str, Any], data_key: bytes, chunks: Iterable[bytes]
) -> None:
    """Write ``header`` and the plaintext ``chunks`` (any sizes) encrypted under ``data_key``."""
    raw = _header_bytes(header)
    out.write(MAGIC + struct.pack(">I", len(raw)) + raw)
    aad = hashlib.sha256(MAGIC + raw).digest()
    aead, prefix = AESGCM(data_key), _prefix(header["encryption"])
    counter, buf = 0, bytearray()

    def seal(piece: bytes, last: bool) -> None:
        nonlocal counter
        sealed = aead.encrypt(_nonce(prefix, counter, last), piece, aad)
        out.write(struct.pack(">I", len(sealed)) + sealed)
        counter += 1

    for chunk in chunks:
        buf += chunk
        while len(buf) > CHUNK:
            seal(bytes(buf[:CHUNK]), False)
            del buf[:CHUNK]
    seal(bytes(buf), True)


def _read_exact(inp: BinaryIO, n: int, what: str) -> bytes:
    data = inp.read(n)
    if len(data) != n:
        raise BackupInvalid(f"backup is truncated ({what})")
    return data


def read_header(inp: BinaryIO) -> Header:
    """The header of a backup file (not yet authenticated: ``read_chunks`` does that)."""
    if inp.read(len(MAGIC)) != MAGIC:
        raise BackupInvalid("not an onshore backup (bad magic)")
    (length,) = struct.unpack(">I", _read_exact(inp, 4, "header length"))
    if length > _MAX_HEADER:
        raise BackupInvalid("backup header is too large")
    raw = _read_exact(inp, length, "header")
    try:
        header = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BackupInvalid("backup header is not JSON") from None
    if not isinstance(header, dict) or header.get("format") != 1:
        raise BackupInvalid("backup header has an unknown format")
    if not isinstance(header.get("manifest"), dict) or not isinstance(
        header.get("encryption"), dict
    ):
        raise BackupInvalid("backup header lacks its manifest or encryption parameters")
    return Header(header, raw)


def read_chunks(inp: BinaryIO, header: Header, data_key: bytes) -> Iterator[bytes]:
    """Decrypt and authenticate the chunks after the header, in order (``BackupInvalid``)."""
    aad = hashlib.sha256(MAGIC + header.raw).digest()
    aead, prefix = AESGCM(data_key), _prefix(header.encryption)
    counter = 0
    while True:
        head = inp.read(4)
        if len(head) != 4:
            raise BackupInvalid("backup is truncated (its last chunk is missing)")
        (length,) = struct.unpack(">I", head)
        if not _TAG <= length <= CHUNK + _TAG:
            raise BackupInvalid(f"backup chunk {counter} has an impossible length")
        sealed = _read_exact(inp, length, f"chunk {counter}")
        for last in (False, True):
            try:
                piece = aead.decrypt(_nonce(prefix, counter, last), sealed, aad)
            except InvalidTag:
                continue
            break
        else:
            raise BackupInvalid(
                f"backup chunk {counter} failed authentication (tampered, or another key)",
                details={"chunk": counter},
            )
        counter += 1
        yield piece
        if last:
            if inp.read(1):
                raise BackupInvalid("backup has data after its last chunk")
            return
