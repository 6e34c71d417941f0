"""Deadline notices: one check of every case's clock, and who is told.

``Notifier.check(now)`` asks :meth:`CaseService.due` for the open cases past their deadline
(``breached``) and those due within the window (``due_soon``) and, for each, notifies every
channel once: ``ledger`` (breaches only: a ``case_deadline_breached`` leaf in the case's
region), ``webhook:<name>`` (a signed POST, ``services.webhooks``) and ``email``
(``services.mailer``). A notice is one ``(case, deadline, event, channel)``; the deadline is
the case's due time, so a new due date is a new deadline. Before sending, the notifier claims
the notice in the control store's notice log (``ports.notices``): restarts and other workers
never send it again. A delivery that fails after its retries is recorded as ``failed`` and
not tried again; a ledger write that fails is released and tried at the next check.

Nothing personal leaves: a notice names the case's kind, id, region, state and deadline,
never the case's data. Metrics: ``onshore_case_deadline_breaches_total{kind}`` and
``onshore_notifications_total{channel,outcome}``.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter

from onshore.core.errors import OnshoreError, PayloadRejected
from onshore.core.ledger import EventType, LedgerEvent
from onshore.core.ledger.payload import canonical_json, clean_payload, commitment
from onshore.core.timestamps import utc
from onshore.ports import Case
from onshore.ports.notices import NoticeClaim, NoticeKey, NoticeLog
from onshore.services.backoff import Backoff, Tried
from onshore.services.cases import CaseService
from onshore.services.mailer import Mailer, MailError, deadline_message
from onshore.services.webhooks import Webhook, deliver

BREACHED = "breached"
DUE_SOON = "due_soon"
#: The ``type`` of each event in a webhook body.
EVENT_TYPES = {DUE_SOON: "case.deadline_due_soon", BREACHED: "case.deadline_breached"}
#: Who the ledger names (keyed) as the actor of a breach leaf.
ACTOR = "system:notifications"


def due_text(at: datetime) -> str:
    """A due time as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC, to the second)."""
    return utc(at).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Sent:
    """What one check did with one notice: ``sent`` or ``failed`` (after ``attempts``)."""

    key: NoticeKey
    kind: str
    region: str
    outcome: str
    attempts: int = 1
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            **self.key.to_dict(),
            "kind": self.kind,
            "region": self.region,
            "outcome": self.outcome,
            "attempts": self.attempts,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Channels:
    """Where notices go besides the ledger: webhooks, and e-mail when a mailer is set."""

    webhooks: Sequence[Webhook] = ()
    mailer: Mailer | None = None
    mail_to: Sequence[str] = ()
    mail_to_roles: Mapping[str, Sequence[str]] = field(default_factory=dict)
    mail_events: frozenset[str] = frozenset({DUE_SOON, BREACHED})


class NoticeCounters:
    """``onshore_case_deadline_breaches_total`` and ``onshore_notifications_total``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.breaches = Counter(
            "onshore_case_deadline_breaches",
            "Case deadlines breached (each written once to the ledger), by case kind.",
            ["kind"],
            registry=registry,
        )
        self.notices = Counter(
            "onshore_notifications",
            "Deadline notices by channel (ledger, webhook, email) and outcome (sent, failed).",
            ["channel", "outcome"],
            registry=registry,
        )


_COUNTERS: dict[int, NoticeCounters] = {}


def counters_for(registry: CollectorRegistry = REGISTRY) -> NoticeCounters:
    """The notice counters registered in ``registry`` (created once per registry)."""
    found = _COUNTERS.get(id(registry))
    if found is None:
        found = _COUNTERS[id(registry)] = NoticeCounters(registry)
    return found


class Notifier:
    """Checks every case kind's clocks and notifies each channel once (module docstring)."""

    def __init__(
        self,
        cases: CaseService,
        log: NoticeLog,
        channels: Channels,
        *,
        window: timedelta,
        backoff: Backoff,
        lease: timedelta = timedelta(minutes=10),
        worker: str | None = None,
        registry: CollectorRegistry = REGISTRY,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.cases = cases
        self.log = log
        self.channels = channels
        self.window = window
        self.backoff = backoff
        self.lease = lease
        self.worker = worker or f"worker-{uuid.uuid4().hex[:12]}"
        self.counters = counters_for(registry)
        self._wall = wall

    def check(self, now: datetime | None = None) -> list[Sent]:
        """One pass over every case kind: what was sent (or failed) in this pass."""
        now = now or self.cases.runtime.clock.now()
        report = self.cases.due(within=self.window, now=now)
        out: list[Sent] = []
        for case in report.overdue:
            out.extend(self._notify(case, BREACHED, now))
        if self.window > timedelta(0):
            for case in report.due_soon:
                out.extend(self._notify(case, DUE_SOON, now))
        self.cases.refresh_gauges(now=now, within=self.window)
        return out

    # -- one case -----------------------------------------------------------------------

    def _targets(self, case: Case, event: str) -> list[str]:
        targets = ["ledger"] if event == BREACHED else []
        targets += [f"webhook:{h.name}" for h in self.channels.webhooks if event in h.events]
        if self.channels.mailer and event in self.channels.mail_events and self._rcpt(case):
            targets.append("email")
        return targets

    def _notify(self, case: Case, event: str, now: datetime) -> list[Sent]:
        assert case.due_at is not None
        out: list[Sent] = []
        for channel in self._targets(case, event):
            key = NoticeKey(case.case_id, due_text(case.due_at), event, channel)
            claim = self.log.claim(key, self.worker, now, now - self.lease)
            if claim is None:
                continue
            sent = self._send(case, claim, now)
            if sent is None:  # nothing happened: released for the next check
                continue
            self.log.finish(
                key,
                self.worker,
                "sent" if sent.outcome == "sent" else "failed",
                now,
                attempts=sent.attempts,
                detail=sent.detail,
            )
            self.counters.notices.labels(channel=channel.split(":")[0], outcome=sent.outcome).inc()
            out.append(sent)
        return out

    def _send(self, case: Case, claim: NoticeClaim, now: datetime) -> Sent | None:
        key = claim.key
        if key.channel == "ledger":
            try:
                self._breach(case, claim, now)
            except OnshoreError:  # nothing was written: the next check tries again
                self.log.release(key, self.worker)
                self.counters.notices.labels(channel="ledger", outcome="failed").inc()
                return None
            return Sent(key, case.kind, case.region, "sent")
        if key.channel == "email":
            tried: Tried[Any] = self._mail(case, key.event)
        else:
            hook = next(h for h in self.channels.webhooks if f"webhook:{h.name}" == key.channel)
            tried = deliver(hook, self.event_body(case, key, now), self.backoff, wall=self._wall)
        outcome = "sent" if tried.ok else "failed"
        detail = None if tried.ok else str(tried.error) or type(tried.error).__name__
        return Sent(key, case.kind, case.region, outcome, tried.attempts, detail)

    # -- the channels -------------------------------------------------------------------

    def deadline_name(self, case: Case) -> str:
        """The rule (or ``request``) that set the case's current deadline, else ``due_at``."""
        d = case.data.get("deadline")
        if isinstance(d, Mapping) and isinstance(d.get("source"), str) and d.get("due"):
            try:
                same = utc(datetime.fromisoformat(str(d["due"]))) == case.due_at
                clean_payload({"deadline": d["source"]})
            except (ValueError, PayloadRejected):
                return "due_at"
            if same:
                return str(d["source"])
        return "due_at"

    def breach_payload(self, case: Case) -> dict[str, Any]:
        """The ledger payload of a breach: kind, deadline, due time, state (no personal data)."""
        assert case.due_at is not None
        return {
            "case_kind": case.kind,
            "deadline": self.deadline_name(case),
            "due_at": due_text(case.due_at),
            "state": case.state,
        }

    def _breach(self, case: Case, claim: NoticeClaim, now: datetime) -> None:
        payload = self.breach_payload(case)
        ledger = self.cases.ledger(case.region)
        if claim.reclaimed:  # the worker before us may have written it before it died
            want = commitment(canonical_json(clean_payload(payload)))
            for entry in ledger.history(case.case_id):
                leaf = entry.leaf
                if (
                    leaf.type == EventType.CASE_DEADLINE_BREACHED
                    and leaf.payload_commitment == want
                ):
                    return
        region = self.cases.runtime.region(case.region)
        event = LedgerEvent(
            type=EventType.CASE_DEADLINE_BREACHED,
            at=now,
            region=case.region,
            record_id=case.case_id,
            actor=ACTOR,
            payload=payload,
        )
        with region.db.transaction():
            ledger.append([event])
        self.counters.breaches.labels(kind=case.kind).inc()

    def event_body(self, case: Case, key: NoticeKey, now: datetime) -> dict[str, Any]:
        """The JSON a webhook receives for ``key`` (its id is stable across retries)."""
        digest = hashlib.sha256("|".join(key.to_dict().values()).encode()).hexdigest()
        return {
            "id": f"evt_{digest[:32]}",
            "type": EVENT_TYPES[key.event],
            "kind": case.kind,
            "case_id": case.case_id,
            "region": case.region,
            "state": case.state,
            "deadline": self.deadline_name(case),
            "due_at": key.deadline,
            "sent_at": due_text(now),
        }

    def _rcpt(self, case: Case) -> list[str]:
        ch = self.channels
        roles: set[str] = set()
        try:
            life = self.cases.kind(case.kind).lifecycle
            roles = {r for t in life.available(case.state) for r in t.roles}
        except OnshoreError:
            pass
        found = list(ch.mail_to) + [a for r in sorted(roles) for a in ch.mail_to_roles.get(r, ())]
        return list(dict.fromkeys(found))

    def _mail(self, case: Case, event: str) -> Tried[None]:
        assert self.channels.mailer is not None and case.due_at is not None
        mailer = self.channels.mailer
        subject, body = deadline_message(
            kind=case.kind,
            case_id=case.case_id,
            region=case.region,
            state=case.state,
            deadline=self.deadline_name(case),
            due_at=due_text(case.due_at),
            event=event,
        )
        recipients = self._rcpt(case)
        return self.backoff.run(
            lambda: mailer.send(recipients, subject, body), retry_on=(MailError,)
        )
