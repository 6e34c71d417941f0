"""The ``Idempotency-Key`` of creating requests: the first request with a key runs, a retry
with the same key and the same request gets the first response back, and anything else with
that key is refused.

This is the generic, header-driven companion of ``services.idempotency`` (a record id put
again returns its original receipt): it covers every creating POST, records without a
caller-chosen id included, tokens, metrics and case intake. An entry is keyed by (principal
id, operation, key), so two callers never see each other's keys. ``begin`` answers:

- a ``Claim`` when the key is new (or its entry expired, or its first request was never
  answered within ``lease``): run the request, then ``finish`` (a 2xx response is kept for
  ``expiry``) or ``abandon`` (anything else: a retry runs again);
- a ``Replay`` of the kept response when the fingerprint (method, path, query and body)
  matches the first request's;
- ``IdempotencyKeyReused`` (422) when it does not; ``IdempotencyInProgress`` (409) while the
  first request is still being processed.

The store never holds a key or a response in the clear: an entry is filed under the SHA-256
of the key, and the kept body is sealed with AES-256-GCM under a key derived from the
caller's key (HKDF-SHA256, bound to the principal and the operation). Only a caller who
sends the key again can read the response back, so a token's secret in the response to
``POST /v1/tokens`` is no more readable from the control store than the token itself.

Example:
    >>> from datetime import timedelta
    >>> from onshore.adapters.memory.idempotency import MemoryIdempotencyStore
    >>> from onshore.ports.idempotency import StoredResponse
    >>> from onshore.services.runtime.clocks import system_clock
    >>> keys = IdempotencyKeys(MemoryIdempotencyStore(), system_clock())
    >>> fp = fingerprint("POST", "/v1/records", "", b'{"a": 1}')
    >>> claim = keys.begin("usr_1", "POST /v1/records", "k-1", fp)
    >>> keys.finish(claim, StoredResponse(201, b"{}", "application/json"))
    >>> keys.begin("usr_1", "POST /v1/records", "k-1", fp).response.status
    201
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from onshore.core.errors import (
    IdempotencyInProgress,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    StoreIntegrityError,
)
from onshore.ports import Clock
from onshore.ports.idempotency import IdempotencyEntry, IdempotencyStore, StoredResponse

#: The characters a key may hold (UUIDs, ULIDs, base64 and dotted names all fit).
KEY_CHARS = r"A-Za-z0-9\-_.:+/="
KEY_PATTERN = rf"^[{KEY_CHARS}]+$"
_KEY = re.compile(KEY_PATTERN)
#: How often expired entries are deleted (at most), as a side effect of ``begin``.
PURGE_EVERY = timedelta(minutes=1)


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """A hash of what makes a request this request: its method, path, query and body (a
    JSON body in canonical form, so whitespace and key order do not matter).

    Example:
        >>> fingerprint("POST", "/x", "", b'{"a":1,"b":2}') == fingerprint(
        ...     "POST", "/x", "", b'{ "b": 2, "a": 1 }')
        True
    """
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8", "surrogatepass")
    except (ValueError, RecursionError, UnicodeError):
        canonical = body
    h = hashlib.sha256()
    for part in (method.upper().encode(), path.encode("utf-8", "surrogatepass"), query.encode()):
        h.update(len(part).to_bytes(8, "big") + part)
    h.update(canonical)
    return h.hexdigest()


def _filed_under(key: str) -> str:
    return hashlib.sha256(b"onshore idempotency key\0" + key.encode()).hexdigest()


def _aead(key: str, principal: str, operation: str) -> AESGCM:
    info = b"\0".join((b"onshore idempotency response v1", principal.encode(), operation.encode()))
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(key.encode())
    return AESGCM(derived)


def seal(key: str, entry: IdempotencyEntry, response: StoredResponse) -> StoredResponse:
    """``response`` with its body sealed for ``entry`` under ``key`` (see module)."""
    nonce = secrets.token_bytes(12)
    sealed = _aead(key, entry.principal, entry.operation).encrypt(nonce, response.body, None)
    return dataclasses.replace(response, body=nonce + sealed)


def unseal(key: str, entry: IdempotencyEntry, response: StoredResponse) -> StoredResponse:
    """The kept ``response`` of ``entry`` readable again; ``StoreIntegrityError`` when it was
    altered."""
    aead = _aead(key, entry.principal, entry.operation)
    try:
        body = aead.decrypt(response.body[:12], response.body[12:], None)
    except (InvalidTag, ValueError) as exc:
        raise StoreIntegrityError("a kept idempotent response fails its check") from exc
    return dataclasses.replace(response, body=body)


@dataclass(frozen=True, slots=True)
class Claim:
    """The key is this request's: run it, then ``finish`` or ``abandon``."""

    entry: IdempotencyEntry
    key: str = dataclasses.field(repr=False)


@dataclass(frozen=True, slots=True)
class Replay:
    """The key already answered this request: send ``response`` again."""

    response: StoredResponse


class IdempotencyKeys:
    """Idempotency keys over a store (see module)."""

    def __init__(
        self,
        store: IdempotencyStore,
        clock: Clock,
        *,
        expiry: timedelta = timedelta(hours=24),
        lease: timedelta = timedelta(minutes=2),
        max_key_length: int = 255,
    ) -> None:
        self.store = store
        self.clock = clock
        self.expiry = expiry
        self.lease = lease
        self.max_key_length = max_key_length
        self._purged: datetime | None = None

    def check_key(self, key: str) -> str:
        """``key`` when it is 1 to ``max_key_length`` characters from ``KEY_CHARS``;
        ``IdempotencyKeyInvalid`` (422) otherwise (the key is not echoed).

        Example:
            >>> from onshore.adapters.memory.idempotency import MemoryIdempotencyStore
            >>> from onshore.services.runtime.clocks import system_clock
            >>> IdempotencyKeys(MemoryIdempotencyStore(), system_clock()).check_key("a b")
            Traceback (most recent call last):
            onshore.core.errors.IdempotencyKeyInvalid: an Idempotency-Key holds ...
        """
        details = {"max_length": self.max_key_length, "allowed": KEY_CHARS.replace("\\", "")}
        if not key or len(key) > self.max_key_length:
            raise IdempotencyKeyInvalid(
                f"an Idempotency-Key is 1 to {self.max_key_length} characters", details=details
            )
        if not _KEY.fullmatch(key):
            raise IdempotencyKeyInvalid(
                "an Idempotency-Key holds only letters, digits and - _ . : + / =",
                details=details,
            )
        return key

    def begin(self, principal: str, operation: str, key: str, fingerprint: str) -> Claim | Replay:
        """Claim ``key`` for this request, or replay its response (see module)."""
        self.check_key(key)
        now = self.clock.now()
        self._purge(now)
        entry = IdempotencyEntry(
            principal=principal,
            operation=operation,
            key=_filed_under(key),
            fingerprint=fingerprint,
            claim=secrets.token_hex(16),
            created_at=now,
            lease_until=now + self.lease,
            expires_at=now + self.expiry,
        )
        held = self.store.reserve(entry, now)
        if held is None:
            return Claim(entry, key)
        if held.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used for a different request; use a new key",
                details={"operation": operation},
            )
        if held.response is None:
            wait = max(1, int((held.lease_until - now).total_seconds()))
            raise IdempotencyInProgress(
                "a request with this Idempotency-Key is still being processed",
                details={"operation": operation, "retry_after": wait},
            )
        return Replay(unseal(key, held, held.response))

    def finish(self, claim: Claim, response: StoredResponse) -> None:
        """Keep ``response`` for replay (a 2xx); any other status abandons the claim."""
        if 200 <= response.status < 300:
            self.store.complete(claim.entry, seal(claim.key, claim.entry, response))
        else:
            self.store.release(claim.entry)

    def abandon(self, claim: Claim) -> None:
        """Let the key go: the request failed, and a retry with it runs again."""
        self.store.release(claim.entry)

    def _purge(self, now: datetime) -> None:
        if self._purged is None or now - self._purged >= PURGE_EVERY:
            self._purged = now
            self.store.purge(now)

    def close(self) -> None:
        """Close the store."""
        self.store.close()
