"""Browser sessions: start one at sign-in, resume it from its cookie, end it at sign-out.

A session's secret (the ``onshore_session`` cookie's value, 256 random bits) is shown to the
browser only; the control store keeps its SHA-256 digest. A session ends when it has been
idle longer than the idle timeout or is older than the absolute timeout (``[sessions]``);
an ended session is deleted when it is next presented, and every sign-in purges those
past their time. Each sign-in starts a new session (a new secret), so an id planted in a
browser before sign-in is worth nothing after it (session fixation).

The CSRF token of a session is derived from its secret (HMAC-SHA256), so it needs no
storage, changes with every session, and only a holder of the cookie can compute it.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from onshore.adapters.clock import FixedClock
    >>> from onshore.adapters.memory.sessions import MemorySessionStore
    >>> clock = FixedClock(datetime(2026, 1, 1, tzinfo=timezone.utc))
    >>> sessions = Sessions(MemorySessionStore(), clock)
    >>> started = sessions.start("usr_1", "password")
    >>> sessions.resume(started.secret).user_id
    'usr_1'
    >>> clock.at += timedelta(minutes=31)
    >>> sessions.resume(started.secret)
    Traceback (most recent call last):
    ...
    onshore.core.errors.SessionExpired: the session has expired; sign in again
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from onshore.core.errors import SessionExpired, Unauthenticated
from onshore.ports import Clock
from onshore.ports.sessions import SessionRecord, SessionStore

#: Longest a secret may be (longer cookie values are refused before hashing).
MAX_SECRET = 128


@dataclass(frozen=True, slots=True)
class StartedSession:
    """A new session: its record, its secret (for the cookie) and its CSRF token."""

    record: SessionRecord
    secret: str
    csrf_token: str


def digest(secret: str) -> bytes:
    """SHA-256 of a session secret: the only form that is stored.

    Example:
        >>> len(digest("x"))
        32
    """
    return hashlib.sha256(secret.encode("utf-8")).digest()


def csrf_token(secret: str) -> str:
    """The CSRF token of the session whose secret is ``secret``.

    Example:
        >>> csrf_token("a") == csrf_token("a") != csrf_token("b")
        True
    """
    mac = hmac.new(secret.encode("utf-8"), b"onshore csrf token", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def csrf_matches(secret: str, presented: str | None) -> bool:
    """True when ``presented`` is the CSRF token of ``secret`` (constant-time)."""
    if not presented:
        return False
    return hmac.compare_digest(csrf_token(secret).encode(), presented.encode("utf-8", "replace"))


class Sessions:
    """Start, resume and end browser sessions over a ``SessionStore``."""

    def __init__(
        self,
        store: SessionStore,
        clock: Clock,
        *,
        idle: timedelta = timedelta(minutes=30),
        absolute: timedelta = timedelta(hours=12),
    ) -> None:
        self.store = store
        self.clock = clock
        self.idle = idle
        self.absolute = absolute
        self._touch_every = min(idle / 30, timedelta(minutes=1))

    def start(self, user_id: str, method: str) -> StartedSession:
        """A new session for ``user_id`` signed in by ``method`` (``password``/``oidc``)."""
        now = self.clock.now()
        self.store.purge(now - self.absolute, now - self.idle)
        secret = secrets.token_urlsafe(32)
        record = SessionRecord("ses_" + secrets.token_hex(8), user_id, method, now, now)
        self.store.insert(record, digest(secret))
        return StartedSession(record, secret, csrf_token(secret))

    def resume(self, secret: str) -> SessionRecord:
        """The live session of ``secret``, its activity recorded; ``Unauthenticated`` when
        there is none, ``SessionExpired`` (and the session deleted) when it timed out."""
        if not secret or len(secret) > MAX_SECRET:
            raise Unauthenticated("the session is not valid", details={"reason": "invalid"})
        record = self.store.by_digest(digest(secret))
        if record is None:
            raise Unauthenticated("the session is not valid", details={"reason": "invalid"})
        now = self.clock.now()
        if now - record.created_at >= self.absolute or now - record.last_seen_at >= self.idle:
            self.store.delete(record.session_id)
            reason = "absolute" if now - record.created_at >= self.absolute else "idle"
            raise SessionExpired(
                "the session has expired; sign in again", details={"reason": reason}
            )
        if now - record.last_seen_at >= self._touch_every:
            self.store.touch(record.session_id, now)
        return record

    def end(self, secret: str) -> SessionRecord | None:
        """Delete the session of ``secret`` (sign-out); the ended session, or None."""
        if not secret or len(secret) > MAX_SECRET:
            return None
        record = self.store.by_digest(digest(secret))
        if record is not None:
            self.store.delete(record.session_id)
        return record

    def end_user(self, user_id: str) -> int:
        """Delete every session of ``user_id`` (a disabled user); how many there were."""
        return self.store.delete_user(user_id)

    def close(self) -> None:
        """Close the store."""
        self.store.close()
