"""Passwords: argon2id hashes (``argon2-cffi``), a length rule, and a constant-ish-time check
for names that do not exist.

Only the hash is stored (``$argon2id$v=19$m=...,t=...,p=...$salt$hash``: it carries its own
parameters). When the configured parameters change, a stored hash made with the old ones is
replaced at the user's next successful sign-in (``needs_rehash``). ``verify(None, ...)``
checks the password against a dummy hash, so an unknown user name costs as much time as a
wrong password.

Example:
    >>> pw = Passwords(time_cost=1, memory_kib=8, parallelism=1, min_length=8)
    >>> stored = pw.hash("correct horse")
    >>> stored.startswith("$argon2id$"), pw.verify(stored, "correct horse"), pw.verify(stored, "x")
    (True, True, False)
    >>> pw.verify(None, "anything")
    False
"""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from onshore.core.errors import InputError
from onshore.settings.identities import IdentitySettings

#: Longest password accepted (characters): long enough for any passphrase, short enough
#: that hashing one is not a denial of service.
MAX_LENGTH = 1024


class Passwords:
    """Hash and check passwords with one set of argon2id parameters."""

    def __init__(
        self, *, time_cost: int, memory_kib: int, parallelism: int, min_length: int = 12
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self.min_length = min_length
        self._dummy: str | None = None
        self._dummy_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: IdentitySettings) -> Passwords:
        """The hasher the ``[identities]`` table configures."""
        return cls(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            min_length=settings.password_min_length,
        )

    def check(self, password: str) -> None:
        """``InputError`` unless ``password`` is a string of an acceptable length (the
        message never holds the password)."""
        if not isinstance(password, str) or not self.min_length <= len(password) <= MAX_LENGTH:
            raise InputError(
                f"a password is {self.min_length} to {MAX_LENGTH} characters",
                details={"field": "password", "min_length": self.min_length},
            )

    def hash(self, password: str) -> str:
        """The argon2id hash of an acceptable ``password`` (see ``check``)."""
        self.check(password)
        return self._hasher.hash(password)

    def hash_unchecked(self, password: str) -> str:
        """The hash of a password already in use (re-hashing it with new parameters: the
        length rule may have changed since it was set)."""
        return self._hasher.hash(password)

    def _dummy_hash(self) -> str:
        with self._dummy_lock:
            if self._dummy is None:
                self._dummy = self._hasher.hash("onshore: no such user")
            return self._dummy

    def verify(self, stored: str | None, password: str) -> bool:
        """True when ``password`` matches ``stored``; with no stored hash (unknown user, or a
        user without a password) a dummy hash is checked and the answer is False."""
        candidate = password if isinstance(password, str) else ""
        if len(candidate) > MAX_LENGTH:
            candidate = candidate[:MAX_LENGTH]  # still spend the time; a match is impossible
            stored = None
        try:
            ok = self._hasher.verify(stored or self._dummy_hash(), candidate)
        except (VerificationError, InvalidHashError):
            return False
        return ok and stored is not None

    def needs_rehash(self, stored: str) -> bool:
        """True when ``stored`` was made with other parameters than the configured ones."""
        try:
            return self._hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True
