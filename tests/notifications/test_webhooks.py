"""Webhooks: a failing endpoint is retried with exponential backoff, then recorded as failed
(and not retried by later checks); a receiver refuses replayed or forged signatures with typed
errors; secrets come from the environment or a file, never from onshore.toml."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from onshore.adapters.clock import FixedClock
from onshore.core.errors import ConfigError, WebhookReplayed, WebhookSignatureInvalid
from onshore.ports.notices import NoticeKey
from onshore.services.backoff import Backoff
from onshore.services.runtime import Runtime, open_runtime
from onshore.services.scheduler import open_scheduler
from onshore.services.takedowns import TakedownService
from onshore.services.webhooks import encode, signature_header, verify_signature
from onshore.settings.notifications import NotificationSettings

from .conftest import ENV, SECRET, T0, Mailbox, Receiver, deployment, receive_takedown

H = timedelta(hours=1)


def test_a_failing_endpoint_is_retried_with_backoff_then_recorded_failed(
    runtime: Runtime, clock: FixedClock, receiver: Receiver, mailbox: Mailbox
) -> None:
    receiver.fail_with = 503
    waits: list[float] = []
    registry = CollectorRegistry()
    svc = TakedownService(runtime, registry=CollectorRegistry())
    case = receive_takedown(svc)
    clock.at = T0 + 25 * H
    sched = open_scheduler(runtime, registry=registry, environ=ENV, worker="w1",
                           backoff=Backoff(4, 0.5, 1.5, sleep=waits.append))  # fmt: skip
    try:
        sent = {s.key.channel: s for s in sched.run_once()}
        hook = sent["webhook:ops"]
        assert (hook.outcome, hook.attempts, hook.detail) == ("failed", 4, "HTTP 503")
        assert receiver.requests == 4 and waits == [0.5, 1.0, 1.5]  # doubling, capped
        ids = {h["Onshore-Event-Id"] for h in receiver.headers}
        assert len(ids) == 1  # one event, retried under its one id
        assert sent["email"].outcome == "sent"  # the other channels are not held up
        row = sched.notifier.log.get(
            NoticeKey(case.case_id, "2026-08-04T02:00:00Z", "breached", "webhook:ops")
        )
        assert row is not None and (row.status, row.attempts) == ("failed", 4)
        receiver.fail_with = None
        assert sched.run_once() == []  # recorded once: not sent again
    finally:
        sched.close()
    assert receiver.requests == 4
    sample = registry.get_sample_value
    assert sample("onshore_notifications_total", {"channel": "webhook", "outcome": "failed"}) == 1


def test_an_endpoint_that_recovers_gets_the_event_on_a_retry(
    runtime: Runtime, clock: FixedClock, receiver: Receiver, mailbox: Mailbox
) -> None:
    receiver.fail_first = 2
    svc = TakedownService(runtime, registry=CollectorRegistry())
    receive_takedown(svc)
    clock.at = T0 + 25 * H
    sched = open_scheduler(runtime, registry=CollectorRegistry(), environ=ENV,
                           backoff=Backoff(5, 0.01, 0.02))  # fmt: skip
    try:
        hook = next(s for s in sched.run_once() if s.key.channel == "webhook:ops")
    finally:
        sched.close()
    assert (hook.outcome, hook.attempts) == ("sent", 3)
    assert len(receiver.accepted) == 1


def test_a_client_error_is_not_retried(
    runtime: Runtime, clock: FixedClock, receiver: Receiver, mailbox: Mailbox
) -> None:
    receiver.fail_with = 410
    svc = TakedownService(runtime, registry=CollectorRegistry())
    receive_takedown(svc)
    clock.at = T0 + 25 * H
    sched = open_scheduler(runtime, registry=CollectorRegistry(), environ=ENV,
                           backoff=Backoff(5, 0.01, 0.02))  # fmt: skip
    try:
        hook = next(s for s in sched.run_once() if s.key.channel == "webhook:ops")
    finally:
        sched.close()
    assert (hook.outcome, hook.attempts, hook.detail) == ("failed", 1, "HTTP 410")


def test_an_unreachable_endpoint_is_recorded_failed(tmp_path: Path, clock: FixedClock) -> None:
    dead = Receiver(url="http://127.0.0.1:9/unreachable")  # discard port: nothing listens
    rt = open_runtime(deployment(tmp_path, dead, None), create_keys=True, clock=clock)
    try:
        receive_takedown(TakedownService(rt, registry=CollectorRegistry()))
        clock.at = T0 + 25 * H
        sched = open_scheduler(rt, registry=CollectorRegistry(), environ=ENV,
                               backoff=Backoff(3, 0.01, 0.01))  # fmt: skip
        try:
            sent = {s.key.channel: s for s in sched.run_once()}
        finally:
            sched.close()
    finally:
        rt.close()
    assert sent["webhook:ops"].outcome == "failed" and sent["webhook:ops"].attempts == 3
    assert "cannot reach the endpoint" in (sent["webhook:ops"].detail or "")
    assert sent["ledger"].outcome == "sent"  # the breach is on record all the same


BODY = encode({"id": "evt_abc", "type": "case.deadline_breached", "case_id": "tkd-1"})


def test_verify_signature_accepts_a_fresh_event_once() -> None:
    now = time.time()
    header = signature_header(SECRET, int(now), BODY)
    seen: set[str] = set()
    assert verify_signature(SECRET, header, BODY, now, 300, seen)["id"] == "evt_abc"
    with pytest.raises(WebhookReplayed) as replay:  # the same delivery sent again
        verify_signature(SECRET, header, BODY, now + 1, 300, seen)
    assert replay.value.code == "webhook.replayed"


def test_verify_signature_refuses_an_old_signature_even_for_a_new_id() -> None:
    now = time.time()
    old = signature_header(SECRET, int(now) - 301, BODY)
    with pytest.raises(WebhookReplayed) as exc:
        verify_signature(SECRET, old, BODY, now, 300, set())
    assert exc.value.details["tolerance_seconds"] == 300


@pytest.mark.parametrize(
    ("header", "body"),
    [
        (None, BODY),
        ("v1=abc", BODY),
        ("t=abc,v1=abc", BODY),
        (signature_header("another secret", 1_800_000_000, BODY), BODY),
        (signature_header(SECRET, 1_800_000_000, BODY), BODY.replace(b"tkd-1", b"tkd-2")),
        (signature_header(SECRET, 1_800_000_000, b'{"no":"id"}'), b'{"no":"id"}'),
    ],
    ids=["missing", "no-time", "bad-time", "wrong-secret", "tampered-body", "not-an-event"],
)
def test_verify_signature_refuses_forgeries(header: str | None, body: bytes) -> None:
    with pytest.raises(WebhookSignatureInvalid) as exc:
        verify_signature(SECRET, header, body, 1_800_000_000, 300, set())
    assert exc.value.code == "webhook.signature_invalid"


def test_a_delivery_replayed_to_the_receiver_is_refused(
    runtime: Runtime, clock: FixedClock, receiver: Receiver, mailbox: Mailbox
) -> None:
    import urllib.error
    import urllib.request

    receive_takedown(TakedownService(runtime, registry=CollectorRegistry()))
    clock.at = T0 + 25 * H
    sched = open_scheduler(runtime, registry=CollectorRegistry(), environ=ENV)
    try:
        sched.run_once()
    finally:
        sched.close()
    [event] = receiver.accepted
    captured = receiver.headers[0]
    request = urllib.request.Request(receiver.url, data=encode(event), method="POST", headers={
        "Onshore-Signature": captured["Onshore-Signature"],
        "Onshore-Event-Id": captured["Onshore-Event-Id"]})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=5)
    assert answer.value.code == 401
    assert receiver.refused == ["webhook.replayed"]


def test_secrets_are_named_never_written_inline(tmp_path: Path) -> None:
    hook = {"name": "ops", "url": "https://hooks.example/x"}
    with pytest.raises(ValidationError, match="environment variable or a file"):
        NotificationSettings.model_validate({"webhooks": [hook]})
    with pytest.raises(ValidationError, match="secret"):
        NotificationSettings.model_validate({"webhooks": [{**hook, "secret": "inline"}]})
    with pytest.raises(ValidationError, match="password"):
        NotificationSettings.model_validate({"smtp": {
            "host": "mail", "sender": "a@b.example", "to": ["c@d.example"], "username": "u",
            "password": "inline"}})  # fmt: skip
    settings = deployment(tmp_path, Receiver(url="https://hooks.example/x"), None)
    rt = open_runtime(settings, create_keys=True)
    try:
        with pytest.raises(ConfigError, match="TEST_ONSHORE_HOOK_SECRET is not set") as exc:
            open_scheduler(rt, registry=CollectorRegistry(), environ={})
        assert SECRET not in str(exc.value)
    finally:
        rt.close()
