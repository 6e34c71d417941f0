"""Key backups: a region's key versions wrapped under a passphrase (scrypt + AES-256-GCM).

A backup is one JSON document::

    {"format": "onshore-key-backup/v1", "region": "vn-hcm",
     "kdf": {"name": "scrypt", "n": 131072, "r": 8, "p": 1, "salt": "<base64>"},
     "nonce": "<base64>", "ciphertext": "<base64>"}

The ciphertext is AES-256-GCM under the scrypt-derived key, with the header (format,
region and KDF parameters, canonical JSON) as AAD, so a backup cannot be relabelled for
another region or have its KDF weakened unnoticed. The plaintext is the JSON list of
``{"key_id", "material"}`` (material base64). A wrong passphrase or any edit raises
``DecryptionFailed``; a malformed document raises ``InputError``.

Example:
    >>> from onshore.core.keys import KeyVersion
    >>> blob = seal_backup("vn-hcm", [KeyVersion("kek", 1, b"k" * 32)], "pass", n=2**10)
    >>> region, keys = open_backup(blob, "pass")
    >>> region, keys[0].key_id, keys[0].material == b"k" * 32
    ('vn-hcm', 'kek:1', True)
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from onshore.core.errors import DecryptionFailed, InputError
from onshore.core.keys import KeyVersion

FORMAT = "onshore-key-backup/v1"
#: scrypt cost: 2**17 (128 MiB of memory with r=8) as OWASP recommends for scrypt.
SCRYPT_N = 2**17
_MIN_N = 2**10
_MAX_N = 2**20


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise InputError(f"key backup: {what} must be base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise InputError(f"key backup: {what} is not base64") from exc


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    if not passphrase:
        raise InputError("a key backup needs a non-empty passphrase")
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _header(region: str, kdf: dict[str, Any]) -> bytes:
    head = {"format": FORMAT, "region": region, "kdf": kdf}
    return json.dumps(head, sort_keys=True, separators=(",", ":")).encode()


def seal_backup(
    region: str, keys: Sequence[KeyVersion], passphrase: str, *, n: int = SCRYPT_N
) -> bytes:
    """The backup document of ``keys`` for ``region`` (UTF-8 JSON bytes)."""
    salt = secrets.token_bytes(16)
    kdf = {"name": "scrypt", "n": n, "r": 8, "p": 1, "salt": _b64(salt)}
    key = _derive(passphrase, salt, n, 8, 1)
    body = json.dumps(
        [{"key_id": k.key_id, "material": _b64(k.material)} for k in keys],
        separators=(",", ":"),
    ).encode()
    nonce = secrets.token_bytes(12)
    ciphertext = AESGCM(key).encrypt(nonce, body, _header(region, kdf))
    doc = {
        "format": FORMAT,
        "region": region,
        "kdf": kdf,
        "nonce": _b64(nonce),
        "ciphertext": _b64(ciphertext),
    }
    return (json.dumps(doc, indent=1) + "\n").encode()


def open_backup(blob: bytes, passphrase: str) -> tuple[str, list[KeyVersion]]:
    """``(region, key versions)`` from a backup; see the module docstring for errors."""
    try:
        doc = json.loads(blob)
    except ValueError as exc:
        raise InputError("key backup is not JSON") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(f"not an onshore key backup (format {FORMAT!r} expected)")
    region, kdf = doc.get("region"), doc.get("kdf")
    if not isinstance(region, str) or not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
        raise InputError("key backup: region or kdf is malformed")
    n, r, p = kdf.get("n"), kdf.get("r"), kdf.get("p")
    if not (
        isinstance(n, int) and _MIN_N <= n <= _MAX_N and n & (n - 1) == 0 and r == 8 and p == 1
    ):
        raise InputError("key backup: unsupported scrypt parameters")
    salt = _unb64(kdf.get("salt"), "salt")
    key = _derive(passphrase, salt, n, 8, 1)
    nonce = _unb64(doc.get("nonce"), "nonce")
    ciphertext = _unb64(doc.get("ciphertext"), "ciphertext")
    try:
        body = AESGCM(key).decrypt(nonce, ciphertext, _header(region, kdf))
    except (InvalidTag, ValueError):
        raise DecryptionFailed(
            "key backup does not open: wrong passphrase, or the file was altered",
            details={"region": region},
        ) from None
    out = []
    for item in json.loads(body):
        name, _, version = str(item["key_id"]).rpartition(":")
        out.append(KeyVersion(name, int(version), _unb64(item["material"], "material")))
    return region, out
