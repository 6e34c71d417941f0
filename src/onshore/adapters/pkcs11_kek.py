"""The kek versions inside a PKCS#11 token: AES-256 objects found by label, used in place.

``TokenKeks`` is the part of ``onshore.adapters.pkcs11_keystore.Pkcs11KeyStore`` that talks
to the token about kek objects: it lists the versions (labelled ``PREFIX/kek/vN``), generates
and imports them as sensitive, non-extractable AES-256 secret keys, and runs ``CKM_AES_GCM``
with them inside the token. A kek version comes back as a ``KeyVersion`` with empty
``material`` and an ``HsmCipher``, so ``onshore.core.envelope`` wraps and unwraps data keys
without the kek ever leaving the token.

Object handles belong to a session: they are forgotten whenever the token's session is
replaced (``Pkcs11Token``'s ``on_reset``), and the listing is re-read at least once a second.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from onshore.adapters.pkcs11_token import Pkcs11Token
from onshore.adapters.pkcs11_uri import Pkcs11Config
from onshore.core.errors import DecryptionFailed, KeyMissing, KeyStoreUnavailable
from onshore.ports import KeyVersion

_LISTING_TTL = 1.0


@dataclass(eq=False)
class HsmCipher:
    """AES-256-GCM with one kek version inside the token (``onshore.ports.KeyCipher``)."""

    keks: TokenKeks
    version: int

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        """``ciphertext || tag`` computed by the token."""
        return self.keks.gcm("encrypt", self.version, nonce, data, aad)

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        """The plaintext, or ``DecryptionFailed`` when the token refuses the tag."""
        return self.keks.gcm("decrypt", self.version, nonce, data, aad)


class TokenKeks:
    """A region's kek versions in a PKCS#11 token, and the token's session they live in.

    ``pin`` logs the session in; the handles of kek objects are cached per session.
    """

    def __init__(self, config: Pkcs11Config, pin: str) -> None:
        self.config = config
        self.prefix = config.label_prefix
        self._objects: dict[int, Any] = {}
        self._ciphers: dict[int, HsmCipher] = {}
        self._checked: set[int] = set()
        self._listing: tuple[float, list[int]] | None = None
        self.token = Pkcs11Token(config, pin, on_reset=self.forget_objects)
        self._p11 = self.token.p11

    def forget_objects(self) -> None:
        """Object handles belong to a session: forget them when it is replaced."""
        self._objects.clear()
        self._listing = None

    def forget_listing(self) -> None:
        """Re-read the versions from the token on the next ``versions()``."""
        self._listing = None

    def _kek_id(self) -> bytes:
        return f"{self.prefix}/kek".encode()

    def _label(self, version: int) -> str:
        return f"{self.prefix}/kek/v{version}"

    def versions(self) -> list[int]:
        """The kek versions in the token, oldest first (a listing at most a second old)."""
        now = time.monotonic()
        if self._listing is not None and now - self._listing[0] < _LISTING_TTL:
            return self._listing[1]
        p11 = self._p11
        head = f"{self.prefix}/kek/v"

        def listing(session: Any) -> list[int]:
            # by label, not CKA_ID: some PKCS#11 libraries (cloud KMS) set their own ids
            found = session.get_objects({p11.Attribute.CLASS: p11.ObjectClass.SECRET_KEY})
            numbers = []
            for obj in found:
                label = str(obj.label)
                tail = label[len(head) :] if label.startswith(head) else ""
                if tail.isdigit() and int(tail) > 0:
                    numbers.append(int(tail))
                    self._objects.setdefault(int(tail), obj)
            return sorted(set(numbers))

        numbers = self.token.call("cannot list keys", listing)
        self._listing = (now, numbers)
        return numbers

    def _object(self, session: Any, version: int) -> Any:
        obj = self._objects.get(version)
        if obj is None:
            p11 = self._p11
            try:
                obj = session.get_key(
                    object_class=p11.ObjectClass.SECRET_KEY, label=self._label(version)
                )
            except p11.exceptions.NoSuchKey:
                raise KeyMissing(
                    f"key 'kek:{version}' is missing from the HSM token",
                    details={"key": f"kek:{version}"},
                ) from None
            self._objects[version] = obj
        return obj

    def gcm(self, op: str, version: int, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        """AES-256-GCM ``op`` (``encrypt`` or ``decrypt``) with kek ``version`` in the token;
        ``DecryptionFailed`` when the token refuses to decrypt."""
        p11 = self._p11
        params = p11.mechanisms.GCMParams(nonce, aad, 128)

        def run(session: Any) -> bytes:
            key = self._object(session, version)
            action = key.encrypt if op == "encrypt" else key.decrypt
            return bytes(action(data, mechanism=p11.Mechanism.AES_GCM, mechanism_param=params))

        try:
            out = self.token.call(f"AES-GCM {op} with kek:{version}", run)
            if op == "encrypt" and version not in self._checked:
                self._self_test(version, nonce, out, aad, data)
            return out
        except p11.exceptions.PKCS11Error as exc:
            if op == "decrypt":
                raise DecryptionFailed(
                    "data key does not open with this key for this region",
                    details={"key_id": f"kek:{version}"},
                ) from None
            raise self.token.unavailable(f"AES-GCM encrypt with kek:{version}", exc) from exc

    def _self_test(self, version: int, nonce: bytes, out: bytes, aad: bytes, data: bytes) -> None:
        """Check once per kek version that the token used our nonce: some HSMs (FIPS modes)
        generate their own GCM IV and ignore the caller's, which would make every wrapped
        key unopenable. Refuse such a token before anything is stored."""
        try:
            back = self.gcm("decrypt", version, nonce, out, aad)
        except DecryptionFailed:
            back = b""
        if back != data:
            raise KeyStoreUnavailable(
                f"HSM of region {self.config.region!r} does not use the caller's AES-GCM nonce "
                "(an HSM-generated IV mode): not supported by this key store",
                details={"region": self.config.region},
            )
        self._checked.add(version)

    def kek(self, version: int) -> KeyVersion:
        """Kek ``version`` as a ``KeyVersion``: no material, a cipher that runs in the token."""
        cipher = self._ciphers.get(version)
        if cipher is None:
            cipher = self._ciphers[version] = HsmCipher(self, version)
        return KeyVersion("kek", version, b"", cipher)

    def _protection(self) -> dict[Any, Any]:
        """The attributes every kek object carries: a private, sensitive, non-extractable
        AES key that only encrypts and decrypts."""
        a = self._p11.Attribute
        return {
            a.ID: self._kek_id(),
            a.TOKEN: True,
            a.PRIVATE: True,
            a.SENSITIVE: True,
            a.EXTRACTABLE: False,
            a.ENCRYPT: True,
            a.DECRYPT: True,
            a.WRAP: False,
            a.UNWRAP: False,
            a.SIGN: False,
            a.VERIFY: False,
            a.DERIVE: False,
        }

    def generate(self, version: int) -> KeyVersion:
        """Generate kek ``version`` inside the token (it never exists outside)."""
        p11 = self._p11
        template = {**self._protection(), p11.Attribute.MODIFIABLE: False}

        def generate(session: Any) -> Any:
            return session.generate_key(
                p11.KeyType.AES, 256, label=self._label(version), store=True, template=template
            )

        self._objects[version] = self.token.call(f"cannot generate kek:{version}", generate)
        self._listing = None
        return self.kek(version)

    def import_material(self, version: int, material: bytes) -> KeyVersion:
        """Create kek ``version`` in the token from existing 256-bit ``material``;
        ``KeyStoreUnavailable`` when that version exists or the material is not 256 bits."""
        key_id = f"kek:{version}"
        self._listing = None
        if version in self.versions() or len(material) != 32:
            raise KeyStoreUnavailable(
                f"kek {key_id!r} exists in the token or is not 256 bits",
                details={"key": key_id},
            )
        p11 = self._p11
        a = p11.Attribute
        attrs = {
            a.CLASS: p11.ObjectClass.SECRET_KEY,
            a.KEY_TYPE: p11.KeyType.AES,
            a.VALUE: material,
            a.LABEL: self._label(version),
            **self._protection(),
        }
        obj = self.token.call(f"cannot import {key_id}", lambda s: s.create_object(attrs))
        self._objects[version] = obj
        self._listing = None
        return self.kek(version)

    def attributes(self, version: int) -> dict[str, bool]:
        """The protection attributes of kek ``version`` as the token reports them
        (``sensitive``, ``extractable``, ``never_extractable``, ``always_sensitive``)."""
        a = self._p11.Attribute

        def read(session: Any) -> dict[str, bool]:
            obj = self._object(session, version)
            return {
                "sensitive": bool(obj[a.SENSITIVE]),
                "extractable": bool(obj[a.EXTRACTABLE]),
                "never_extractable": bool(obj[a.NEVER_EXTRACTABLE]),
                "always_sensitive": bool(obj[a.ALWAYS_SENSITIVE]),
            }

        return self.token.call(f"cannot read kek:{version}", read)
