"""TOTP second factor (RFC 6238, ``pyotp``): 30-second steps, 6 digits, SHA-1, as every
authenticator app expects.

A code is accepted in the step before, the current one or the one after (clock drift), and
only once: the store keeps the last accepted step and refuses that step or any earlier one
(``UserStore.use_totp_step``), so a code seen over a shoulder cannot be replayed.

Example:
    >>> from datetime import datetime, timezone
    >>> import pyotp
    >>> secret = new_secret()
    >>> now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> code = pyotp.TOTP(secret).at(now)
    >>> matching_step(secret, code, now) == int(now.timestamp()) // STEP_SECONDS
    True
    >>> matching_step(secret, "000000" if code != "000000" else "111111", now) is None
    True
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

#: Length of a TOTP time step (seconds).
STEP_SECONDS = 30
#: Steps accepted either side of the current one.
WINDOW = 1


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 random bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app enrols from (shown once).

    Example:
        >>> provisioning_uri(new_secret(), "lan", "onshore").startswith("otpauth://totp/")
        True
    """
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step ``code`` is valid for within ``WINDOW`` steps of ``now`` (the latest
    when several match), or None."""
    if not isinstance(code, str):
        return None
    code = code.replace(" ", "")
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found
