"""Signed webhooks: deadline events POSTed as JSON, and how a receiver checks them.

Each delivery is one JSON object (``id``, ``type``, ``kind``, ``case_id``, ``region``,
``state``, ``deadline``, ``due_at``, ``sent_at``; never personal data) with two headers:

- ``Onshore-Event-Id: <id>`` (the same id on every retry of one event);
- ``Onshore-Signature: t=<unix seconds>,v1=<hex>``, where ``v1`` is HMAC-SHA256 under the
  endpoint's secret over ``<t>.`` followed by the exact body bytes.

A delivery is retried with exponential backoff (``services.backoff``) on a connection error,
a timeout, 408, 429 and any 5xx; other answers end it at once. The signature's time is the
sender's wall clock at each try (a fresh signature per try).

A receiver calls :func:`verify_signature`: it refuses a bad signature
(``WebhookSignatureInvalid``) and a replay (``WebhookReplayed``: a timestamp outside the
tolerance, or an event id it has seen).

Example:
    >>> body = b'{"id":"evt_1","type":"case.deadline_breached"}'
    >>> header = signature_header(b"s3cret", 1_800_000_000, body)
    >>> seen: set[str] = set()
    >>> verify_signature(b"s3cret", header, body, now=1_800_000_010, tolerance=300,
    ...                  seen_ids=seen)["id"]
    'evt_1'
    >>> verify_signature(b"s3cret", header, body, now=1_800_000_011, tolerance=300,
    ...                  seen_ids=seen)
    Traceback (most recent call last):
    onshore.core.errors.WebhookReplayed: event 'evt_1' was already received
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, MutableSet
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from onshore.core.errors import WebhookReplayed, WebhookSignatureInvalid
from onshore.services.backoff import Backoff, Tried

SIGNATURE_HEADER = "Onshore-Signature"
EVENT_ID_HEADER = "Onshore-Event-Id"
#: The answers worth another try; any other non-2xx answer ends a delivery.
_RETRY_STATUSES = frozenset({408, 425, 429})


def _secret(secret: bytes | str) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def sign(secret: bytes | str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 (hex) over ``<timestamp>.`` and ``body``."""
    return hmac.new(_secret(secret), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: bytes | str, timestamp: int, body: bytes) -> str:
    """The ``Onshore-Signature`` value for ``body`` signed at ``timestamp``."""
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def _parse(header: str) -> tuple[int, list[str]]:
    stamp: int | None = None
    sigs: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            stamp = int(value)
        elif name == "v1" and value:
            sigs.append(value)
    if stamp is None or not sigs:
        raise WebhookSignatureInvalid("the signature header is not t=<unix>,v1=<hex>")
    return stamp, sigs


def verify_signature(
    secret: bytes | str,
    header: str | None,
    body: bytes,
    now: float | datetime,
    tolerance: float,
    seen_ids: MutableSet[str],
) -> dict[str, Any]:
    """Check a delivery as its receiver; return the event (the decoded body).

    Refuses a missing, malformed or wrong signature (``WebhookSignatureInvalid``), a
    timestamp more than ``tolerance`` seconds from ``now`` and an event id already in
    ``seen_ids`` (``WebhookReplayed``); an accepted event's id is added to ``seen_ids``
    (keep it for at least ``tolerance`` seconds; older ones are refused by time anyway).
    """
    if not header:
        raise WebhookSignatureInvalid(f"the {SIGNATURE_HEADER} header is missing")
    stamp, sigs = _parse(header)
    expected = sign(secret, stamp, body)
    if not any(hmac.compare_digest(expected, s) for s in sigs):
        raise WebhookSignatureInvalid("the signature does not match the body")
    at = now.timestamp() if isinstance(now, datetime) else float(now)
    if abs(at - stamp) > tolerance:
        raise WebhookReplayed(
            "the signature's timestamp is outside the tolerance",
            details={"age_seconds": int(at - stamp), "tolerance_seconds": tolerance},
        )
    try:
        event = json.loads(body)
        event_id = event["id"]
    except (ValueError, TypeError, KeyError):
        raise WebhookSignatureInvalid("the signed body is not an onshore event") from None
    if not isinstance(event_id, str) or not event_id:
        raise WebhookSignatureInvalid("the signed body has no event id")
    if event_id in seen_ids:
        raise WebhookReplayed(f"event {event_id!r} was already received")
    seen_ids.add(event_id)
    return dict(event)


class DeliveryError(Exception):
    """One failed try (``retry``: worth another one); its text holds no secret."""

    def __init__(self, detail: str, *, retry: bool) -> None:
        super().__init__(detail)
        self.retry = retry


class _Retryable(DeliveryError):
    pass


@dataclass(frozen=True)
class Webhook:
    """One endpoint: its name, URL, signing secret and the events it receives."""

    name: str
    url: str
    secret: bytes
    events: frozenset[str]
    timeout: float = 10.0

    def __repr__(self) -> str:  # never the secret
        return f"Webhook(name={self.name!r}, url={self.url!r})"


def encode(event: Mapping[str, Any]) -> bytes:
    """The body of a delivery (compact JSON, keys sorted)."""
    return json.dumps(event, sort_keys=True, separators=(",", ":")).encode()


def deliver(
    hook: Webhook,
    event: Mapping[str, Any],
    backoff: Backoff,
    *,
    wall: Callable[[], float] = time.time,
) -> Tried[int]:
    """POST ``event`` to ``hook`` under ``backoff``; the value is the HTTP status."""
    body = encode(event)

    def attempt() -> int:
        stamp = int(wall())
        request = urllib.request.Request(
            hook.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "onshore-webhooks",
                EVENT_ID_HEADER: str(event["id"]),
                SIGNATURE_HEADER: signature_header(hook.secret, stamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=hook.timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            retry = exc.code >= 500 or exc.code in _RETRY_STATUSES
            cls = _Retryable if retry else DeliveryError
            raise cls(f"HTTP {exc.code}", retry=retry) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            detail = f"cannot reach the endpoint: {type(reason).__name__}"
            raise _Retryable(detail, retry=True) from None

    return backoff.run(attempt, retry_on=(_Retryable,))
