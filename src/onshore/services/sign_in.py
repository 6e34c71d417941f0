"""Signing a user in: name + password (+ TOTP), with lockout and backoff.

The checks, in order, each a typed error:

1. No such user: the password is checked against a dummy hash (so the answer takes as long
   as for a wrong password) and the answer is ``auth.invalid_credentials``, the same as for a
   wrong password: it never tells whether a name exists.
2. Locked (too many failures): ``auth.locked`` (HTTP 429, ``Retry-After``), without checking
   the password.
3. Wrong password: the failure is counted; ``auth.invalid_credentials``. From the
   ``lockout_threshold``-th failure in a row the user is locked for ``lockout_base_seconds``,
   doubling with each further failure up to ``lockout_max_seconds``.
4. Disabled: ``auth.user_disabled`` (only told to whoever knows the password).
5. TOTP enrolled: no code ``auth.totp_required``; a wrong, stale or already used code
   ``auth.totp_invalid`` (counted as a failure, so codes cannot be guessed either).
6. Success: the failure count and lock are cleared; a hash made with other argon2
   parameters than the configured ones is replaced.

Failures are logged (``onshore.identity``) with the user's id, the count and the lock, never
the password, the code or the name typed (it may be a password typed in the wrong field).
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from datetime import datetime, timedelta

from onshore.core.errors import (
    AccountLocked,
    InvalidCredentials,
    TotpInvalid,
    TotpRequired,
    UserConflict,
    UserDisabled,
)
from onshore.ports import Clock, User, UserStore
from onshore.services.passwords import Passwords
from onshore.services.totp import matching_step
from onshore.settings.identities import IdentitySettings

log = logging.getLogger("onshore.identity")


def lock_seconds(failures: int, settings: IdentitySettings) -> int:
    """How long ``failures`` failed sign-ins in a row lock a user (0: not locked).

    Example:
        >>> s = IdentitySettings()
        >>> [lock_seconds(n, s) for n in (4, 5, 6, 7, 20)]
        [0, 30, 60, 120, 900]
    """
    over = failures - settings.lockout_threshold
    if over < 0:
        return 0
    if over > 32:  # any larger doubling is past every sensible maximum
        return settings.lockout_max_seconds
    return min(settings.lockout_base_seconds << over, settings.lockout_max_seconds)


def _invalid() -> InvalidCredentials:
    return InvalidCredentials("the name or the password is wrong")


class SignIn:
    """Check a user's credentials against the user store (see module)."""

    def __init__(
        self, store: UserStore, clock: Clock, passwords: Passwords, settings: IdentitySettings
    ) -> None:
        self.store = store
        self.clock = clock
        self.passwords = passwords
        self.settings = settings

    def _locked(self, user: User, now: datetime) -> AccountLocked | None:
        if user.locked_until is None or user.locked_until <= now:
            return None
        wait = max(1, math.ceil((user.locked_until - now).total_seconds()))
        return AccountLocked(
            f"too many failed sign-ins; try again in {wait} s", details={"retry_after": wait}
        )

    def _fail(self, user: User, now: datetime, reason: str) -> None:
        failures = self.store.record_failure(user.user_id)
        seconds = lock_seconds(failures, self.settings)
        until = now + timedelta(seconds=seconds) if seconds else None
        if until is not None:
            self.store.lock(user.user_id, until)
        log.warning(
            "sign-in failed",
            extra={
                "user_id": user.user_id,
                "reason": reason,
                "failures": failures,
                "locked_until": until.isoformat() if until else None,
            },
        )

    def check(self, name: str, password: str, totp: str | None = None) -> User:
        """The user ``name`` when ``password`` (and ``totp``) are right; typed errors
        otherwise (see module)."""
        user = self.store.user_by_name(name) if isinstance(name, str) else None
        if user is None:
            self.passwords.verify(None, password)
            log.warning("sign-in failed", extra={"reason": "unknown_name"})
            raise _invalid()
        now = self.clock.now()
        locked = self._locked(user, now)
        if locked is not None:
            log.warning("sign-in refused", extra={"user_id": user.user_id, "reason": "locked"})
            raise locked
        if not self.passwords.verify(user.password_hash, password):
            self._fail(user, now, "password")
            raise _invalid()
        if user.disabled:
            log.warning("sign-in refused", extra={"user_id": user.user_id, "reason": "disabled"})
            raise UserDisabled("the user is disabled")
        if user.totp_secret is not None:
            if totp is None or totp == "":
                raise TotpRequired(
                    "this user signs in with a TOTP code too", details={"field": "totp"}
                )
            step = matching_step(user.totp_secret, totp, now)
            if step is None or not self.store.use_totp_step(user.user_id, step):
                self._fail(user, now, "totp" if step is None else "totp_replayed")
                raise TotpInvalid(
                    "the TOTP code is wrong, expired or already used", details={"field": "totp"}
                )
        self.store.record_success(user.user_id)
        self._rehash(user, password)
        return user

    def _rehash(self, user: User, password: str) -> None:
        """Replace a hash made with other parameters (best effort: a concurrent change wins)."""
        if user.password_hash is None or not self.passwords.needs_rehash(user.password_hash):
            return
        fresh = replace(user, password_hash=self.passwords.hash_unchecked(password))
        try:
            self.store.update_user(fresh, user.updated_at)
        except UserConflict:
            return
