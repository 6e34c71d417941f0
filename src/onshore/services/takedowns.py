"""Takedown notices (issue 8): intake to appeal on the generic case machinery.

``TakedownService(runtime)`` is the SDK, and the service of the declared kind
:data:`onshore.core.cases.kinds.takedown.TAKEDOWN`. ``receive(source=, notice=,
principal=)`` opens a case (the same notice reference from the same sender and source opens
one case: ``receive_once`` says whether it was opened now) with its deadline from the packs
(``remove_within`` for the source's request and urgency, e.g. 24 h for an authority order
under Decree 147, 6 h for an urgent one under the 2025 Cybersecurity Law, 48 h for a user
complaint to an account owner); ``act(case, action, principal=, note=)`` moves it through
:data:`onshore.core.cases.takedowns.TAKEDOWNS`, and every step is a ledger leaf (written by
:class:`~onshore.services.cases.CaseService` in the same transaction as the state and
history). The declaration names each step's effects; this service binds them
(:data:`BOUND_EFFECTS`):

- ``validate`` stamps the acknowledgement (time to acknowledge); ``hold_incomplete``
  records what is missing and when the notifier was asked; ``supplement`` merges the
  notifier's answer into the notice.
- ``decide`` records action, ground and territorial scope (checked); ``enforce`` records the
  restriction (nothing is deleted: the content is restricted, ``deleted`` stays false) and
  how long the evidence is kept (the packs' ``retain_min`` for the content, else the
  service's ``evidence_retention_days``), and stamps the time to action.
- ``send_statement`` builds the statement of reasons (DSA Transparency Database fields for
  ``remove``/``restrict``; a decision notice for ``no_action``) and refuses to send one that
  does not validate; ``open_appeal_window`` sets the window (``appeal_window_days``, 180 by
  default: DSA art. 20 asks for at least six months); ``overturn`` restores the content.

Example:
    >>> import tempfile
    >>> from onshore.core.identity import host_administrator
    >>> from onshore.services.runtime import open_runtime
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> rt = open_runtime(Settings.model_validate(cfg), create_keys=True)
    >>> svc = TakedownService(rt)
    >>> case = svc.receive(source="authority_order", notice={"reason": "x",
    ...     "content": [{"url": "https://e.vn/p/1"}], "jurisdictions": ["VN"],
    ...     "sender": {"name": "MIC", "kind": "authority", "email": "a@mic.example"}},
    ...     principal=host_administrator("op"))
    >>> case.state, case.data["priority"], case.data["deadline"]["source"]
    ('received', 'P1', 'VN-D147-takedown')
    >>> rt.close()
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry

from onshore.core.cases.deadline import Deadline
from onshore.core.cases.kind import CaseKind
from onshore.core.cases.kinds.takedown import TAKEDOWN, NoticeIn
from onshore.core.cases.statement_of_reasons import statement_of_reasons
from onshore.core.cases.takedowns import (
    PACK_REQUESTS,
    SOURCES,
    missing_elements,
    priority,
)
from onshore.core.errors import InputError
from onshore.core.identity import Principal
from onshore.core.local_time import receipt_time
from onshore.core.policy import Facts
from onshore.ports import Case
from onshore.services.case_kinds import Opened, case_view, open_once
from onshore.services.cases import CaseService
from onshore.services.runtime import Runtime
from onshore.services.takedown_records import TakedownRecords

__all__ = ["TakedownService", "case_view"]

#: The declaration's effects this service binds (a test checks they are all of them).
BOUND_EFFECTS = frozenset(
    {
        "acknowledge",
        "ask_notifier",
        "merge_supplement",
        "record_decision",
        "restrict",
        "statement_of_reasons",
        "appeal_window",
        "record_appeal",
        "decide_appeal",
        "restore",
    }
)

_NOTICE_KEYS = frozenset(
    {
        "reason",
        "content",
        "sender",
        "recipient",
        "jurisdictions",
        "reference",
        "legal_basis",
        "category",
        "sent_at",
        "language",
    }
)


class TakedownService(TakedownRecords):
    """The takedown workflow (see the module docstring; exports and reports:
    :class:`~onshore.services.takedown_records.TakedownRecords`)."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        registry: CollectorRegistry = REGISTRY,
        appeal_window_days: int = 180,
        evidence_retention_days: int = 730,
        cases: CaseService | None = None,
    ) -> None:
        self.runtime = runtime
        self.appeal_window_days = appeal_window_days
        self.evidence_retention_days = evidence_retention_days
        self.declaration = TAKEDOWN
        self.cases = cases or CaseService(runtime, registry=registry)
        self.cases.register(CaseKind.of(TAKEDOWN))

    # -- intake ---------------------------------------------------------------------------

    def receive(
        self,
        *,
        source: str,
        notice: Mapping[str, Any],
        principal: Principal,
        urgent: bool = False,
        region: str | None = None,
        received_at: datetime | None = None,
    ) -> Case:
        """Log a notice (see ``receive_once``); the case, new or the one already open for
        the same notice."""
        return self.receive_once(
            source=source,
            notice=notice,
            principal=principal,
            urgent=urgent,
            region=region,
            received_at=received_at,
        ).case

    def intake(self, body: NoticeIn, *, principal: Principal) -> Opened:
        """Log the notice of an intake body (the declared kind's intake)."""
        return self.receive_once(
            source=body.source,
            notice=body.notice,
            principal=principal,
            urgent=body.urgent,
            region=body.region,
            received_at=body.received_at,
        )

    def receive_once(
        self,
        *,
        source: str,
        notice: Mapping[str, Any],
        principal: Principal,
        urgent: bool = False,
        region: str | None = None,
        received_at: datetime | None = None,
    ) -> Opened:
        """Log a notice (state ``received``). ``notice`` holds ``reason``, ``content`` (a list
        of ``{"url"|"puid", "content_type", "posted_at"}``), ``sender`` (``name``, ``kind``:
        individual / organization / authority, ``email``/``phone``/``address``, ``country``),
        ``recipient``, ``jurisdictions`` (ISO codes), ``reference``, ``legal_basis``,
        ``category``. Missing required elements do not refuse the notice: validation holds
        it as incomplete, naming them. ``received_at`` is when the notice actually arrived
        (not after now, the entry time); its deadline counts from then."""
        if source not in SOURCES:
            raise InputError(
                f"unknown notice source {source!r}", details={"known": sorted(SOURCES)}
            )
        if not isinstance(notice, Mapping):
            raise InputError("a notice must be an object", details={"field": "notice"})
        extra = sorted(set(notice) - _NOTICE_KEYS)
        if extra:
            raise InputError(
                f"unknown notice field {extra[0]!r}", details={"allowed": sorted(_NOTICE_KEYS)}
            )
        juris = notice.get("jurisdictions") or []
        if not isinstance(juris, list) or not all(
            isinstance(j, str) and len(j) == 2 and j.isupper() for j in juris
        ):
            raise InputError(
                "jurisdictions must be ISO 3166-1 alpha-2 codes", details={"field": "jurisdictions"}
            )
        entered = self.runtime.clock.now()
        now = receipt_time(received_at, entered)  # the clock starts at receipt
        body = {
            **dict(notice),
            "source": source,
            "urgent": bool(urgent),
            "received_at": now.isoformat(),
        }
        deadline = self.deadline(source, urgent=urgent, jurisdictions=juris, at=now)
        data = {
            "notice": body,
            "missing": missing_elements(body),
            "priority": priority(source, urgent=urgent),
            "deadline": deadline.to_dict() if deadline else None,
            "timing": {"received_at": now.isoformat(), "entered_at": entered.isoformat()},
        }
        home = region or self._home_region(juris)
        due = deadline.due if deadline else None
        intake = {"source": source, "notice": dict(notice)}
        return open_once(
            self.cases, TAKEDOWN, intake, home, principal=principal, data=data, due_at=due
        )

    def deadline(
        self, source: str, *, urgent: bool, jurisdictions: Iterable[str], at: datetime
    ) -> Deadline | None:
        """The earliest ``remove_within`` deadline the packs set for a notice from
        ``source`` (the law in force at ``at``), over its jurisdictions."""
        flags = {"urgent"} if urgent else set()
        if source == "trusted_flagger":
            flags.add("trusted_flagger")
        found: Deadline | None = None
        countries: list[str | None] = [*jurisdictions] or [None]
        for country in countries:
            facts = Facts(
                self.runtime.entity,
                subject_country=country,
                request=PACK_REQUESTS[source],
                flags=frozenset(flags),
                events={"authority_request": at, "complaint": at},
            )
            d = self.cases.deadline("remove", facts, at, requirement="remove_within")
            if d is not None and (found is None or d.due < found.due):
                found = d
        return found

    def _home_region(self, jurisdictions: list[str]) -> str:
        for country in jurisdictions:
            for name, r in self.runtime.regions.items():
                if r.country == country:
                    return name
        return self.runtime.settings.deployment.default_region

    # -- transitions ----------------------------------------------------------------------

    def act(
        self,
        case_id: str,
        action: str,
        *,
        principal: Principal,
        note: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Case:
        """Take ``action`` on a notice, with the effects its declaration names (see the
        module docstring)."""
        note = dict(note or {})
        case = self.cases.get(case_id)
        now = self.runtime.clock.now()
        data = case.data
        merge: dict[str, Any] = {}
        kw: dict[str, Any] = {}
        timing = dict(data.get("timing") or {})
        effects = TAKEDOWN.effects_of(action)
        if "acknowledge" in effects:
            timing["acknowledged_at"] = now.isoformat()
            timing["time_to_acknowledge_s"] = _seconds(timing["received_at"], now)
        if "ask_notifier" in effects:
            note["missing"] = missing_elements(data["notice"])
            merge["asked_notifier_at"] = now.isoformat()
        if "merge_supplement" in effects:
            extra = note.get("supplement")
            if not isinstance(extra, Mapping) or not set(extra) <= _NOTICE_KEYS:
                raise InputError(
                    "supplement is an object of notice fields",
                    details={"allowed": sorted(_NOTICE_KEYS)},
                )
            notice = {**data["notice"], **dict(extra)}
            merge["notice"] = notice
            merge["missing"] = missing_elements(notice)
        if "record_decision" in effects:
            decision = note.get("decision")
            if isinstance(decision, Mapping):
                merge["decision"] = {
                    **dict(decision),
                    "decided_by": principal.id,
                    "at": now.isoformat(),
                }
        if "restrict" in effects:
            merge["enforcement"] = self._enforcement(case, note, now)
            timing["actioned_at"] = now.isoformat()
            timing["time_to_action_s"] = _seconds(timing["received_at"], now)
            kw["due_at"] = None
        if "statement_of_reasons" in effects:
            statement = self.statement(case, now)
            note["statement"] = statement
            merge["statement"] = {**statement, "sent_at": now.isoformat()}
            if data.get("decision", {}).get("action") == "no_action":
                timing["actioned_at"] = now.isoformat()
                timing["time_to_action_s"] = _seconds(timing["received_at"], now)
                kw["due_at"] = None
        if "appeal_window" in effects:
            closes = now + timedelta(days=self.appeal_window_days)
            merge["appeal_window"] = {"opens": now.isoformat(), "closes": closes.isoformat()}
            kw["due_at"] = closes
        if "record_appeal" in effects:
            merge["appeal"] = {"grounds": note.get("appeal_grounds"), "at": now.isoformat()}
        if "decide_appeal" in effects:
            merge["appeal"] = {
                **dict(data.get("appeal") or {}),
                "outcome": action,
                "decided_by": principal.id,
                "decided_at": now.isoformat(),
                "reason": note.get("reason"),
            }
        if "restore" in effects and data.get("enforcement"):
            merge["enforcement"] = {
                **data["enforcement"],
                "restored_at": now.isoformat(),
                "state": "restored",
            }
        if timing != data.get("timing"):
            merge["timing"] = timing
        step = self.cases.apply(
            case_id,
            action,
            principal=principal,
            note=note,
            merge=merge,
            expected_version=expected_version,
            **kw,
        )
        return step.case

    def _enforcement(self, case: Case, note: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        decision = case.data.get("decision") or {}
        until, rule = self._retention(case, now)
        scope = decision.get("territorial_scope") if decision.get("action") == "restrict" else None
        return {
            "state": "restricted",
            "mode": "territorial" if scope else "everywhere",
            "territorial_scope": scope or [],
            "restriction_ref": note.get("restriction_ref"),
            "deleted": False,
            "evidence_retained_until": until.isoformat(),
            "retention_source": rule,
            "at": now.isoformat(),
        }

    def _retention(self, case: Case, now: datetime) -> tuple[datetime, str]:
        """Keep the evidence for the longest ``retain_min`` the packs set for user content
        in the case's region, else ``evidence_retention_days``."""
        region = self.runtime.region(case.region)
        juris = (case.data.get("notice") or {}).get("jurisdictions") or [region.country]
        best: tuple[datetime, str] | None = None
        for country in juris:
            facts = Facts(
                self.runtime.entity,
                subject_country=country,
                categories=frozenset({"user_content"}),
                region_country=region.country,
                events={"storage_request": now},
            )
            decision = self.runtime.engine.evaluate("store", facts, now)
            for o in decision.obligations:
                if o.kind == "retain_min" and o.due and (best is None or o.due > best[0]):
                    best = (o.due, o.rule_id)
        return best or (now + timedelta(days=self.evidence_retention_days), "default")

    # -- records that travel ----------------------------------------------------------------

    def statement(self, case: Case, now: datetime | None = None) -> dict[str, Any]:
        """The statement of reasons for the case's decision (not yet validated)."""
        decision = case.data.get("decision") or {}
        if decision.get("action") == "no_action":
            return {
                "decision": "no_action",
                "ground": decision.get("ground"),
                "explanation": decision.get("explanation"),
                "application_date": (now or self.runtime.clock.now()).date().isoformat(),
            }
        return statement_of_reasons(case.data, case.case_id)

    def view(self, case: Case) -> dict[str, Any]:
        """A notice as the CLI and the API show it."""
        return case_view(case, TAKEDOWN)


def _seconds(start_iso: str, end: datetime) -> float:
    return round((end - datetime.fromisoformat(start_iso)).total_seconds(), 3)
