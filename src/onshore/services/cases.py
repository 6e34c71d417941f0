"""Cases: open one in a region, move it through its lifecycle, list what is due.

``CaseService(runtime)`` is generic: each case kind registers a :class:`CaseKind` (its
lifecycle table and custom guards). ``apply(case_id, action, principal=)`` checks the table
(``IllegalTransition``), that the principal holds a role the step allows (the role recorded
is ``principal.acting_role(transition.roles)``; none: ``RoleNotPermitted``) and the guards
(``GuardFailed``; ``SeparationOfDuties`` compares ``principal.id``), then writes the new
state, the history event (actor: ``principal.id``) and a ``CASE_TRANSITION`` ledger leaf in
ONE region transaction: all three or none. The leaf's payload holds only the case kind,
states, action and role; the case id goes into the leaf as a keyed hash (``record_id``), so
``Ledger.history(case_id)`` finds a case's leaves without the ledger naming it. Concurrent
writers are safe: the store's compare-and-set on ``version`` makes the loser raise
``CaseConflict``.

Deadlines come from the policy packs (``deadline()`` asks ``runtime.engine`` for
``respond_within``/``remove_within`` obligations, whose dates the engine computes with
:mod:`onshore.core.policy.duration`, working days included). ``due()`` lists overdue and
due-soon cases; ``refresh_gauges()`` exports them as Prometheus gauges.

Example:
    >>> import tempfile
    >>> from onshore.core.cases.lifecycle import Lifecycle, Transition
    >>> from onshore.core.identity import host_administrator
    >>> from onshore.services.runtime import open_runtime
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> rt = open_runtime(Settings.model_validate(cfg), create_keys=True)
    >>> demo = Lifecycle("demo", "open", frozenset({"closed"}),
    ...     (Transition("open", "close", "closed", frozenset({"operator"})),))
    >>> svc = CaseService(rt, [CaseKind(demo)])
    >>> lan = host_administrator("lan")
    >>> case = svc.open("demo", "vn-hcm", principal=lan, data={})
    >>> step = svc.apply(case.case_id, "close", principal=lan)
    >>> step.case.state, step.event.actor, step.event.role
    ('closed', 'host:lan', 'operator')
    >>> rt.close()
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from prometheus_client import REGISTRY, CollectorRegistry

from onshore.core.cases.deadline import Deadline
from onshore.core.cases.guards import GuardContext, check_guards
from onshore.core.cases.kind import CaseKind
from onshore.core.cases.lifecycle import OPEN_ACTION, OPENED_FROM
from onshore.core.cases.roles import acting_role
from onshore.core.errors import CaseConflict, InputError
from onshore.core.identity import Principal
from onshore.core.ledger import EventType, LedgerEvent
from onshore.ports import Case, CaseEvent
from onshore.services.case_reads import CaseReads, DueReport
from onshore.services.case_steps import Opening, Step
from onshore.services.ledger import Ledger
from onshore.services.runtime import Region, Runtime

# CaseKind, Deadline, Opening and Step live in their own modules; callers import them here too.
__all__ = ["CaseKind", "CaseService", "Deadline", "DueReport", "Opening", "Step"]

_KEEP: Any = object()


class CaseService(CaseReads):
    """Generic case machinery over every region's ``CaseStore`` and ledger (reading and
    deadlines: :class:`~onshore.services.case_reads.CaseReads`)."""

    def __init__(
        self,
        runtime: Runtime,
        kinds: Iterable[CaseKind] = (),
        *,
        registry: CollectorRegistry = REGISTRY,
    ) -> None:
        self.runtime = runtime
        self._kinds: dict[str, CaseKind] = {}
        self._logs = {name: Ledger(name, r.db, r.keys) for name, r in runtime.regions.items()}
        self._registry = registry
        for kind in kinds:
            self.register(kind)

    def register(self, kind: CaseKind) -> None:
        """Add (or replace) a case kind."""
        self._kinds[kind.name] = kind

    def kind(self, name: str) -> CaseKind:
        """The registered kind ``name``; ``InputError`` when unknown."""
        try:
            return self._kinds[name]
        except KeyError:
            raise InputError(
                f"unknown case kind {name!r}", details={"known": sorted(self._kinds)}
            ) from None

    def ledger(self, region: str) -> Ledger:
        """The ledger of ``region``."""
        self.runtime.region(region)
        return self._logs[region]

    # -- writing ------------------------------------------------------------------------

    def open(
        self,
        kind: str,
        region: str,
        *,
        principal: Principal,
        data: Mapping[str, Any],
        case_id: str | None = None,
        due_at: datetime | None = None,
        note: Mapping[str, Any] | None = None,
    ) -> Case:
        """Open a case in its lifecycle's initial state (history event 1 plus a ledger leaf)."""
        return self.open_step(
            kind,
            region,
            principal=principal,
            data=data,
            case_id=case_id,
            due_at=due_at,
            note=note,
        ).case

    def open_step(
        self,
        kind: str,
        region: str,
        *,
        principal: Principal,
        data: Mapping[str, Any],
        case_id: str | None = None,
        due_at: datetime | None = None,
        note: Mapping[str, Any] | None = None,
    ) -> Step:
        """``open``, returning the history event and ledger index too."""
        one = Opening(kind, data, case_id=case_id, due_at=due_at, note=note)
        return self.open_many(region, [one], principal=principal)[0]

    def new_case_id(self, kind: str) -> str:
        """A fresh id for a case of ``kind`` (what ``open`` uses when given none)."""
        return f"{_prefix(kind)}-{uuid.uuid4().hex[:20]}"

    def open_many(
        self, region: str, openings: Sequence[Opening], *, principal: Principal
    ) -> list[Step]:
        """Open several cases in ``region``, each exactly as ``open`` would, in ONE region
        transaction: every case, its history event 1 and its ledger leaf (appended
        together), or none of them (a duplicate id raises ``CaseConflict``)."""
        lives = [self.kind(o.kind).lifecycle for o in openings]
        target = self.runtime.region(region)
        roles = [
            acting_role(principal, self.kind(o.kind).openers, o.kind, OPEN_ACTION) for o in openings
        ]
        staged: list[tuple[Case, CaseEvent]] = []
        for o, life, role in zip(openings, lives, roles, strict=True):
            now = self.runtime.clock.now()
            case = Case(
                case_id=o.case_id or self.new_case_id(o.kind),
                kind=o.kind,
                state=life.initial,
                region=target.name,
                created_at=now,
                updated_at=now,
                due_at=o.due_at,
                data=dict(o.data),
            )
            event = CaseEvent(
                case.case_id,
                1,
                now,
                principal.id,
                role,
                OPEN_ACTION,
                OPENED_FROM,
                life.initial,
                dict(o.note or {}),
            )
            staged.append((case, event))
        if not staged:
            return []
        store = target.db.cases
        with target.db.transaction():
            for case, event in staged:
                store.create(case)
                store.append_event(event)
            leaves = [self._leaf_event(target, case, event) for case, event in staged]
            indexes = self._logs[target.name].append(leaves)
        stored = [store.get(case.case_id) for case, _ in staged]
        return [
            Step(cast(Case, c), e, i) for c, (_, e), i in zip(stored, staged, indexes, strict=True)
        ]

    def apply(
        self,
        case_id: str,
        action: str,
        *,
        principal: Principal,
        note: Mapping[str, Any] | None = None,
        merge: Mapping[str, Any] | None = None,
        due_at: datetime | None = _KEEP,
        expected_version: int | None = None,
    ) -> Step:
        """Take ``action`` on a case; see the module docstring for the checks.

        ``merge`` updates top-level keys of the case's data; ``due_at`` replaces the
        deadline (entering a terminal state clears it); ``expected_version`` turns a stale
        read into ``CaseConflict`` before anything is checked.
        """
        region, case = self.locate(case_id)
        if expected_version is not None and expected_version != case.version:
            raise CaseConflict(
                "the case changed since it was read",
                details={"case_id": case_id, "expected": expected_version, "actual": case.version},
            )
        kind = self.kind(case.kind)
        life = kind.lifecycle
        transition = life.step(case.state, action)
        role = acting_role(principal, transition.roles, life.name, action)
        store = region.db.cases
        now = self.runtime.clock.now()
        note_dict = dict(note or {})
        with region.db.transaction():
            history = tuple(store.events(case_id))
            ctx = GuardContext(case, principal.id, role, note_dict, history, now, action)
            check_guards(transition.guards, ctx, kind.guards)
            data = {**case.data, **(merge or {})}
            due = case.due_at if due_at is _KEEP else due_at
            if life.is_terminal(transition.target):
                due = None
            stored = store.update(
                replace(case, state=transition.target, updated_at=now, due_at=due, data=data)
            )
            seq = history[-1].seq + 1 if history else 1
            event = CaseEvent(
                case_id,
                seq,
                now,
                principal.id,
                role,
                action,
                case.state,
                transition.target,
                note_dict,
            )
            store.append_event(event)
            index = self._leaf(region, stored, event)
        return Step(stored, event, index)

    def update_data(self, case_id: str, merge: Mapping[str, Any], *, due_at: Any = _KEEP) -> Case:
        """Merge data into a case without a transition (bookkeeping: counters, digests).

        Joins an open transaction; compare-and-set on the version read here.
        """
        region, case = self.locate(case_id)
        due = case.due_at if due_at is _KEEP else due_at
        data = {**case.data, **merge}
        return region.db.cases.update(
            replace(case, data=data, due_at=due, updated_at=self.runtime.clock.now())
        )

    def _leaf(self, region: Region, case: Case, event: CaseEvent) -> int:
        [index] = self._logs[region.name].append([self._leaf_event(region, case, event)])
        return index

    def _leaf_event(self, region: Region, case: Case, event: CaseEvent) -> LedgerEvent:
        payload = {
            "case_kind": case.kind,
            "from_state": event.from_state or "none",
            "to_state": event.to_state,
            "transition": event.action,
            "roles": [event.role],
        }
        return LedgerEvent(
            type=EventType.CASE_TRANSITION,
            at=event.at,
            region=region.name,
            record_id=case.case_id,
            actor=event.actor,
            payload=payload,
        )


def _prefix(kind: str) -> str:
    return "".join(ch for ch in kind.lower() if ch.isalnum())[:8] or "case"
