"""A region's keys in an HSM over PKCS#11: the kek never leaves the token.

``Pkcs11KeyStore`` implements ``onshore.ports.KeyStore`` over a PKCS#11 token (SoftHSM2 in
the tests; a hardware HSM, a cloud HSM or a KMS with a PKCS#11 library in production; see
docs/operations.md, "Keys"). It needs the optional dependency ``python-pkcs11``
(python-pkcs11, installed with onshore), imported only when such a store is opened.

- ``kek`` versions are AES-256 secret-key objects generated inside the token, labelled
  ``PREFIX/kek/vN`` (found by label), ``CKA_SENSITIVE`` and not
  ``CKA_EXTRACTABLE``: their value cannot be read or wrapped out. A ``kek`` version comes
  back with empty ``material`` and a ``cipher`` that runs ``CKM_AES_GCM`` inside the token,
  so data keys are wrapped and unwrapped there (``onshore.core.envelope``; same wire format
  as the file store, same AADs binding region and key version).
- The other keys (``index``, ``ledger-hmac``, ``ledger-signing``) are used for every record
  written or searched (several HMACs per record) and Ed25519 is not offered by every HSM or
  KMS. They are generated in process, sealed by the token (AES-GCM under the newest kek
  version, inside the token) and kept sealed in the region's ``keys_dir``
  (``NAME.vN.key`` holding ``MAGIC || kek version || nonce || ciphertext``). Copying the
  directory without the token yields nothing; the plain material exists only in the memory
  of a process logged in to the token.

The token's kek objects are handled by ``onshore.adapters.pkcs11_kek.TokenKeks``; this
module seals the other keys with them and implements the port.

Sessions: one logged-in read-write session per store, used under a lock (a PKCS#11
session runs one operation at a time). A session or device error closes it and the next
call opens a new one, so an HSM restart needs no restart of onshore.
"""

from __future__ import annotations

import os
import secrets
import struct
from collections.abc import Mapping
from pathlib import Path

from onshore.adapters.keystore import FileKeyStore, check_key_name, parse_key_id
from onshore.adapters.pkcs11_kek import TokenKeks
from onshore.adapters.pkcs11_uri import Pkcs11Config
from onshore.core.errors import (
    ConfigError,
    DecryptionFailed,
    InputError,
    KeyMissing,
    KeyStoreUnavailable,
)
from onshore.ports import KeyVersion

#: Keys held inside the token (never in process memory).
HSM_KEYS = frozenset({"kek"})
#: First bytes of a sealed key file.
SEALED_MAGIC = b"onshore-sealed-key/v1\n"
_SEAL_AAD = b"onshore/sealed-key/v1"
_NONCE = 12


def _lp(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack(">I", len(raw)) + raw


class Pkcs11KeyStore:
    """Region keys over a PKCS#11 token (see the module docstring); implements ``KeyStore``.

    ``directory`` holds the sealed non-kek keys; ``env`` is where the PIN variable is read.
    """

    def __init__(
        self, config: Pkcs11Config, directory: Path, *, env: Mapping[str, str] | None = None
    ) -> None:
        self.config = config
        self.prefix = config.label_prefix
        self._plain: dict[tuple[str, int], KeyVersion] = {}
        self._sealed = FileKeyStore(directory)
        self._refuse_plain_files(directory)
        self._keks = TokenKeks(config, config.pin(os.environ if env is None else env))
        self._token = self._keks.token
        self._lock = self._token.lock

    def _refuse_plain_files(self, directory: Path) -> None:
        """Plain key files (a region that used the file store) must be moved, not mixed in:
        an HSM kek:1 is not the file's kek:1 that the records name."""
        for path in sorted(directory.glob("*.key")):
            with path.open("rb") as handle:
                head = handle.read(len(SEALED_MAGIC))
            if head != SEALED_MAGIC:
                raise ConfigError(
                    f"regions.{self.config.region}.keys: {directory} holds plain key files "
                    f"({path.name}); move them into the HSM with "
                    f"`onshore keys move-to-hsm {self.config.region}`",
                    details={"region": self.config.region, "file": path.name},
                )

    def close(self) -> None:
        """Close the store's session (see ``Pkcs11Token.close``)."""
        self._token.close()

    def import_key(self, name: str, version: int, material: bytes) -> KeyVersion:
        """Bring an existing key version in (moving a region from files to the HSM).

        A kek becomes a sensitive, non-extractable AES object in the token (it was outside
        before, so the token reports it ``CKA_NEVER_EXTRACTABLE`` false); other keys are
        sealed into the directory. ``KeyStoreUnavailable`` when that version exists.
        """
        check_key_name(name)
        key_id = f"{name}:{version}"
        with self._lock:
            if name not in HSM_KEYS:
                if not self._sealed.publish(name, version, self._seal(key_id, material)):
                    raise KeyStoreUnavailable(f"key {key_id!r} exists", details={"key": key_id})
                return self._remember(name, version, material)
            return self._keks.import_material(version, material)

    def kek_attributes(self, version: int) -> dict[str, bool]:
        """The protection attributes of ``kek`` version ``version`` as the token reports them
        (``sensitive``, ``extractable``, ``never_extractable``, ``always_sensitive``)."""
        return self._keks.attributes(version)

    # -- sealed keys -----------------------------------------------------------------------

    def _seal_aad(self, key_id: str, kek_version: int) -> bytes:
        return _SEAL_AAD + _lp(self.prefix) + _lp(key_id) + _lp(f"kek:{kek_version}")

    def _seal(self, key_id: str, material: bytes) -> bytes:
        kek = self.create("kek")
        nonce = secrets.token_bytes(_NONCE)
        ct = self._keks.gcm(
            "encrypt", kek.version, nonce, material, self._seal_aad(key_id, kek.version)
        )
        return SEALED_MAGIC + struct.pack(">I", kek.version) + nonce + ct

    def _unseal(self, found: KeyVersion) -> KeyVersion:
        cached = self._plain.get((found.name, found.version))
        if cached is not None:
            return cached
        blob, key_id = found.material, found.key_id
        head = len(SEALED_MAGIC)
        if not blob.startswith(SEALED_MAGIC) or len(blob) < head + 4 + _NONCE + 16:
            raise KeyStoreUnavailable(
                f"key file of {key_id!r} is not sealed by the HSM (a plain key from a file "
                "store? import keys into the HSM store instead of copying files)",
                details={"key": key_id},
            )
        (kek_version,) = struct.unpack(">I", blob[head : head + 4])
        nonce, ct = blob[head + 4 : head + 4 + _NONCE], blob[head + 4 + _NONCE :]
        try:
            material = self._keks.gcm(
                "decrypt", kek_version, nonce, ct, self._seal_aad(key_id, kek_version)
            )
        except DecryptionFailed:
            raise KeyStoreUnavailable(
                f"sealed key {key_id!r} does not open with this HSM (another token, or altered)",
                details={"key": key_id},
            ) from None
        plain = KeyVersion(found.name, found.version, material)
        self._plain[(found.name, found.version)] = plain
        return plain

    # -- KeyStore ------------------------------------------------------------------------

    def current(self, name: str) -> KeyVersion:
        """The newest version of ``name``; ``KeyMissing`` when there is none."""
        check_key_name(name)
        if name in HSM_KEYS:
            numbers = self._keks.versions()
            if not numbers:
                raise KeyMissing(
                    f"key {name!r} is missing from the HSM token", details={"key": name}
                )
            return self._keks.kek(numbers[-1])
        return self._unseal(self._sealed.current(name))

    def get(self, key_id: str) -> KeyVersion:
        """The version ``name:version``; ``KeyMissing`` when there is none."""
        name, version = parse_key_id(key_id)
        if name in HSM_KEYS:
            if version not in self._keks.versions():
                self._keks.forget_listing()
                if version not in self._keks.versions():
                    raise KeyMissing(
                        f"key {key_id!r} is missing from the HSM token", details={"key": key_id}
                    )
            return self._keks.kek(version)
        return self._unseal(self._sealed.get(key_id))

    def create(self, name: str, size: int = 32) -> KeyVersion:
        """Version 1 of ``name`` (kek: generated inside the token), or the current version."""
        check_key_name(name)
        with self._lock:
            if name in HSM_KEYS:
                if size != 32:
                    raise InputError(
                        "an HSM kek is AES-256: size must be 32", details={"size": size}
                    )
                self._keks.forget_listing()
                numbers = self._keks.versions()
                return self._keks.kek(numbers[-1]) if numbers else self._keks.generate(1)
            if not self._sealed.versions(name):
                material = secrets.token_bytes(size)
                self._sealed.publish(name, 1, self._seal(f"{name}:1", material))
            return self.current(name)

    def rotate(self, name: str, size: int = 32) -> KeyVersion:
        """Add version n+1 of ``name``; older versions stay readable."""
        check_key_name(name)
        with self._lock:
            if name in HSM_KEYS:
                if size != 32:
                    raise InputError(
                        "an HSM kek is AES-256: size must be 32", details={"size": size}
                    )
                self._keks.forget_listing()
                numbers = self._keks.versions()
                return self._keks.generate((numbers[-1] if numbers else 0) + 1)
            while True:
                numbers = [v.version for v in self._sealed.versions(name)]
                version = (numbers[-1] if numbers else 0) + 1
                material = secrets.token_bytes(size)
                if self._sealed.publish(name, version, self._seal(f"{name}:{version}", material)):
                    return self._remember(name, version, material)

    def _remember(self, name: str, version: int, material: bytes) -> KeyVersion:
        found = KeyVersion(name, version, material)
        self._plain[(name, version)] = found
        return found

    def versions(self, name: str) -> list[KeyVersion]:
        """Every version of ``name``, oldest first (empty when there is none)."""
        check_key_name(name)
        if name in HSM_KEYS:
            self._keks.forget_listing()
            return [self._keks.kek(n) for n in self._keks.versions()]
        return [self._unseal(v) for v in self._sealed.versions(name)]

    def retire(self, key_id: str) -> None:
        """Take a non-current version of a sealed key out of use (see ``FileKeyStore.retire``).

        HSM keys (``kek``) are not retired: records name their version until rewrapped.
        """
        name, _ = parse_key_id(key_id)
        if name in HSM_KEYS:
            raise KeyStoreUnavailable(
                "kek versions are kept in the HSM; rewrap moves records to the newest",
                details={"key": key_id},
            )
        self._sealed.retire(key_id)
        self._plain = {k: v for k, v in self._plain.items() if f"{k[0]}:{k[1]}" != key_id}
