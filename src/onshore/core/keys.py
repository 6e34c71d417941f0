"""Key values: a version of a named region key, and an AES-GCM cipher held by a key store.

These are values the pure core works with (``onshore.core.envelope`` wraps data keys with a
``KeyVersion``); the key store ports in ``onshore.ports.keys`` hand them out.

Example:
    >>> KeyVersion("kek", 2, bytes(32)).key_id
    'kek:2'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@runtime_checkable
class KeyCipher(Protocol):
    """AES-256-GCM under a key that never leaves its key store (an HSM's key object).

    The same calls as ``cryptography``'s ``AESGCM``, so envelope code treats both alike.
    """

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        """``ciphertext || tag`` of ``data`` under ``nonce`` and ``aad``."""

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        """The plaintext; raises ``DecryptionFailed`` when ``data`` does not authenticate."""

    def __hash__(self) -> int:
        """Hashable (by identity is enough): unwrapped data keys are cached per cipher."""


@dataclass(frozen=True, slots=True)
class KeyVersion:
    """One version of a named key: ``name`` (``kek``, ``index``...), ``version`` and material.

    A key held in hardware has no ``material`` (empty bytes) and a ``cipher`` instead:
    wrapping and unwrapping then happen inside the key store (``onshore.core.envelope``).
    """

    name: str
    version: int
    material: bytes
    cipher: KeyCipher | None = field(default=None, compare=False, repr=False)

    @property
    def key_id(self) -> str:
        """``name:version``, as stored beside what the key protects."""
        return f"{self.name}:{self.version}"
