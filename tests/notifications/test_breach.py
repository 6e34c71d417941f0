"""A takedown that breaches its 24 hours: a signed webhook and an e-mail reach real local
servers, the breach is one ledger leaf and a metric, due-soon comes first, and nothing is
sent twice (next check, second worker, two workers at once)."""

from __future__ import annotations

import threading
from datetime import timedelta

from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.core.ledger import EventType
from onshore.services.runtime import Runtime
from onshore.services.scheduler import DeadlineScheduler, open_scheduler
from onshore.services.takedowns import TakedownService

from .conftest import ENV, SMTP_USER, T0, Mailbox, Receiver, receive_takedown

H = timedelta(hours=1)


def scheduler(runtime: Runtime, registry: CollectorRegistry, worker: str) -> DeadlineScheduler:
    return open_scheduler(runtime, registry=registry, environ=ENV, worker=worker)


def breaches_in_ledger(runtime: Runtime, svc: TakedownService, case_id: str) -> int:
    region = svc.cases.get(case_id).region
    return sum(
        1
        for e in svc.cases.ledger(region).history(case_id)
        if e.leaf.type is EventType.CASE_DEADLINE_BREACHED
    )


def test_a_breached_takedown_reaches_a_webhook_and_an_inbox(
    runtime: Runtime, clock: FixedClock, receiver: Receiver, mailbox: Mailbox
) -> None:
    registry = CollectorRegistry()
    svc = TakedownService(runtime, registry=CollectorRegistry())
    case = receive_takedown(svc)
    assert case.due_at == T0 + 24 * H
    sched = scheduler(runtime, registry, "w1")
    try:
        clock.at = T0 + 10 * H  # 14 hours left: not yet due soon (window 6 h)
        assert sched.run_once() == []
        clock.at = T0 + 24 * H + timedelta(seconds=1)
        sent = sched.run_once()
    finally:
        sched.close()

    assert sorted((s.key.channel, s.key.event, s.outcome) for s in sent) == [
        ("email", "breached", "sent"),
        ("ledger", "breached", "sent"),
        ("webhook:ops", "breached", "sent"),
    ]
    # the webhook: signed (verified by the receiver), no personal data
    [event] = receiver.accepted
    assert receiver.refused == []
    assert event["type"] == "case.deadline_breached"
    assert (event["kind"], event["case_id"], event["region"], event["state"]) == (
        "takedown", case.case_id, case.region, "received",
    )  # fmt: skip
    assert event["due_at"] == "2026-08-04T02:00:00Z"
    assert event["deadline"] == "VN-D147-takedown"
    assert set(event) == {"id", "type", "kind", "case_id", "region", "state", "deadline",
                          "due_at", "sent_at"}  # fmt: skip
    # the e-mail: logged in with the password from its file, to the list and the roles that
    # can take the next step, plain text naming the case and how to act
    assert mailbox.logins == [SMTP_USER]
    [(rcpt, msg)] = mailbox.messages
    # received -> validate is taken by an operator or a legal reviewer (or an admin)
    assert rcpt == ["oncall@platform.example", "legal@platform.example", "tns@platform.example"]
    assert case.case_id in msg["Subject"] and "breached" in msg["Subject"]
    body = msg.get_payload(decode=True).decode()
    assert "Kind:     takedown" in body and "due 2026-08-04T02:00:00Z" in body
    assert f"onshore takedowns show {case.case_id}" in body
    for personal in ("abei.example", "Authority of Broadcasting", "social.example", "CV-2026"):
        assert personal not in body and personal not in str(event)
    # the ledger leaf and the metrics
    assert breaches_in_ledger(runtime, svc, case.case_id) == 1
    sample = registry.get_sample_value
    assert sample("onshore_case_deadline_breaches_total", {"kind": "takedown"}) == 1
    assert sample("onshore_notifications_total", {"channel": "webhook", "outcome": "sent"}) == 1
    assert sample("onshore_notifications_total", {"channel": "email", "outcome": "sent"}) == 1


def test_due_soon_fires_before_the_deadline_then_the_breach(
    runtime: Runtime, clock: FixedClock, receiver: Receiver, mailbox: Mailbox
) -> None:
    svc = TakedownService(runtime, registry=CollectorRegistry())
    case = receive_takedown(svc)
    sched = scheduler(runtime, CollectorRegistry(), "w1")
    try:
        clock.at = T0 + 19 * H  # 5 hours left
        soon = sched.run_once()
        assert sorted((s.key.channel, s.key.event) for s in soon) == [
            ("email", "due_soon"), ("webhook:ops", "due_soon"),
        ]  # fmt: skip
        assert [e["type"] for e in receiver.accepted] == ["case.deadline_due_soon"]
        assert "is due soon" in mailbox.messages[0][1]["Subject"]
        assert breaches_in_ledger(runtime, svc, case.case_id) == 0  # due soon is no breach
        clock.at = T0 + 20 * H
        assert sched.run_once() == []  # still due soon: told once
        clock.at = T0 + 25 * H
        assert {s.key.event for s in sched.run_once()} == {"breached"}
    finally:
        sched.close()
    assert [e["type"] for e in receiver.accepted] == [
        "case.deadline_due_soon", "case.deadline_breached",
    ]  # fmt: skip
    assert len(mailbox.messages) == 2


def test_nothing_is_resent_by_the_next_check_a_restart_or_a_second_worker(
    runtime: Runtime, clock: FixedClock, receiver: Receiver, mailbox: Mailbox
) -> None:
    svc = TakedownService(runtime, registry=CollectorRegistry())
    case = receive_takedown(svc)
    clock.at = T0 + 30 * H
    first = scheduler(runtime, CollectorRegistry(), "w1")
    try:
        assert len(first.run_once()) == 3
        assert first.run_once() == []
    finally:
        first.close()
    restarted = scheduler(runtime, CollectorRegistry(), "w1-restarted")
    second = scheduler(runtime, CollectorRegistry(), "w2")
    try:
        assert restarted.run_once() == []
        assert second.run_once() == []
    finally:
        restarted.close()
        second.close()
    assert len(receiver.accepted) == 1 and receiver.requests == 1
    assert len(mailbox.messages) == 1
    assert breaches_in_ledger(runtime, svc, case.case_id) == 1
    # a new deadline is a new notice: the case's due date moves, the next check tells again
    svc.cases.update_data(case.case_id, {}, due_at=T0 + 29 * H)
    again = scheduler(runtime, CollectorRegistry(), "w3")
    try:
        assert {s.key.channel for s in again.run_once()} == {"ledger", "webhook:ops", "email"}
    finally:
        again.close()


def test_two_workers_checking_at_once_send_each_notice_once(
    runtime: Runtime, clock: FixedClock, receiver: Receiver, mailbox: Mailbox
) -> None:
    svc = TakedownService(runtime, registry=CollectorRegistry())
    cases = [receive_takedown(svc) for _ in range(4)]
    clock.at = T0 + 30 * H
    workers = [scheduler(runtime, CollectorRegistry(), f"w{i}") for i in range(3)]
    results: dict[int, int] = {}
    barrier = threading.Barrier(len(workers))

    def run(i: int) -> None:
        barrier.wait()
        results[i] = len(workers[i].run_once())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for w in workers:
        w.close()
    assert sum(results.values()) == 3 * len(cases)  # ledger, webhook, e-mail per case
    assert sorted(e["case_id"] for e in receiver.accepted) == sorted(c.case_id for c in cases)
    assert len(mailbox.messages) == len(cases)
    for c in cases:
        assert breaches_in_ledger(runtime, svc, c.case_id) == 1


def test_a_closed_case_is_not_notified(
    runtime: Runtime, clock: FixedClock, receiver: Receiver, mailbox: Mailbox
) -> None:
    svc = TakedownService(runtime, registry=CollectorRegistry())
    case = receive_takedown(svc)
    svc.cases.update_data(case.case_id, {}, due_at=None)  # e.g. a terminal state clears it
    clock.at = T0 + 48 * H
    sched = scheduler(runtime, CollectorRegistry(), "w1")
    try:
        assert sched.run_once() == []
    finally:
        sched.close()
    assert receiver.requests == 0 and mailbox.messages == []


def test_a_dead_workers_notices_are_taken_over_after_the_lease_without_a_second_leaf(
    runtime: Runtime, clock: FixedClock, receiver: Receiver, mailbox: Mailbox
) -> None:
    from onshore.core.ledger import LedgerEvent
    from onshore.ports.notices import NoticeKey
    from onshore.services.notifier import ACTOR

    svc = TakedownService(runtime, registry=CollectorRegistry())
    case = receive_takedown(svc)
    clock.at = T0 + 30 * H
    survivor = scheduler(runtime, CollectorRegistry(), "survivor")
    try:
        # a worker claimed the breach's ledger leaf and its webhook, wrote the leaf, and died
        log, due = survivor.notifier.log, "2026-08-04T02:00:00Z"
        for channel in ("ledger", "webhook:ops"):
            key = NoticeKey(case.case_id, due, "breached", channel)
            assert log.claim(key, "dead", clock.at, clock.at - timedelta(minutes=10))
        event = LedgerEvent(type=EventType.CASE_DEADLINE_BREACHED, at=clock.at,
                            region=case.region, record_id=case.case_id, actor=ACTOR,
                            payload=survivor.notifier.breach_payload(case))  # fmt: skip
        with runtime.region(case.region).db.transaction():
            svc.cases.ledger(case.region).append([event])
        # within the lease the claims are the dead worker's: only the e-mail goes
        clock.at += timedelta(minutes=5)
        assert [s.key.channel for s in survivor.run_once()] == ["email"]
        assert receiver.requests == 0
        # after the lease the survivor takes them over; the leaf is not written twice
        clock.at += timedelta(minutes=6)
        taken = {s.key.channel: s.outcome for s in survivor.run_once()}
        assert taken == {"ledger": "sent", "webhook:ops": "sent"}
        assert survivor.run_once() == []
    finally:
        survivor.close()
    assert breaches_in_ledger(runtime, svc, case.case_id) == 1
    assert len(receiver.accepted) == 1
