"""Cases: open one in a region, move it through its lifecycle, list what is due.

``CaseService(runtime)`` is generic: each case kind registers a :class:`CaseKind` (its
lifecycle table and custom guards). ``apply(case_id, action, actor=, role=)`` checks the
table (``IllegalTransition``), the caller's role (``RoleNotPermitted``) and the guards
(``GuardFailed``, ``SeparationOfDuties``), then writes the new state, the history event and
a ``CASE_TRANSITION`` ledger leaf in ONE region transaction: all three or none. The leaf's
payload holds only the case kind, states, action and role; the case id goes into the
leaf as a keyed hash (``record_id``), so ``Ledger.history(case_id)`` finds a case's
leaves without the ledger naming it. Concurrent writers are safe: the store's
compare-and-set on ``version`` makes the loser raise ``CaseConflict``.

Deadlines come from the policy packs (``deadline()`` asks ``runtime.engine`` for
``respond_within``/``remove_within`` obligations, whose dates the engine computes with
:mod:`onshore.core.policy.duration`, working days included). ``due()`` lists overdue and
due-soon cases; ``refresh_gauges()`` exports them as Prometheus gauges.

Example:
    >>> import tempfile
    >>> from onshore.core.cases.lifecycle import Lifecycle, Transition
    >>> from onshore.services.runtime import open_runtime
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> rt = open_runtime(Settings.model_validate(cfg), create_keys=True)
    >>> demo = Lifecycle("demo", "open", frozenset({"closed"}),
    ...     (Transition("open", "close", "closed", frozenset({"operator"})),))
    >>> svc = CaseService(rt, [CaseKind(demo)])
    >>> case = svc.open("demo", "vn-hcm", actor="lan", role="operator", data={})
    >>> svc.apply(case.case_id, "close", actor="lan", role="operator").case.state
    'closed'
    >>> rt.close()
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, cast

from prometheus_client import REGISTRY, CollectorRegistry, Gauge

from onshore.core.cases.guards import Guard, GuardContext, check_guards
from onshore.core.cases.lifecycle import OPEN_ACTION, OPENED_FROM, Lifecycle
from onshore.core.cases.listing import CaseQuery, encode_cursor
from onshore.core.errors import (
    CaseConflict,
    CaseNotFound,
    InputError,
    RoleNotPermitted,
)
from onshore.core.ledger import EventType, LedgerEvent
from onshore.core.policy import Facts
from onshore.ports import Case, CaseEvent, CasePage
from onshore.services.ledger import Ledger
from onshore.services.runtime import Region, Runtime

_KEEP: Any = object()


@dataclass(frozen=True)
class CaseKind:
    """A case kind: its lifecycle table and the custom guards its table names."""

    lifecycle: Lifecycle
    guards: Mapping[str, Guard] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The kind's name (the lifecycle's)."""
        return self.lifecycle.name


@dataclass(frozen=True, slots=True)
class Step:
    """What ``apply``/``open`` wrote: the stored case, its history event, its ledger leaf."""

    case: Case
    event: CaseEvent
    ledger_index: int


@dataclass(frozen=True, slots=True)
class Opening:
    """One case for ``CaseService.open_many``: the arguments ``open`` takes per case."""

    kind: str
    data: Mapping[str, Any]
    case_id: str | None = None
    due_at: datetime | None = None
    note: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Deadline:
    """A due date and where it came from (a pack rule id, or ``request``)."""

    due: datetime
    source: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"due": self.due.isoformat(), "source": self.source, "description": self.description}


@dataclass(frozen=True, slots=True)
class DueReport:
    """Open cases past their deadline and those due within the window."""

    overdue: list[Case]
    due_soon: list[Case]


class _Metrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.open = Gauge("onshore_cases_open", "Open cases by kind and state.",
                          ["kind", "state"], registry=registry)  # fmt: skip
        self.overdue = Gauge("onshore_cases_overdue", "Open cases past their deadline.",
                             ["kind"], registry=registry)  # fmt: skip
        self.due_soon = Gauge("onshore_cases_due_soon", "Open cases due within the window.",
                              ["kind"], registry=registry)  # fmt: skip


_METRICS: dict[int, _Metrics] = {}


def metrics_for(registry: CollectorRegistry = REGISTRY) -> _Metrics:
    """The case gauges registered in ``registry`` (created once per registry)."""
    found = _METRICS.get(id(registry))
    if found is None:
        found = _METRICS[id(registry)] = _Metrics(registry)
    return found


class CaseService:
    """Generic case machinery over every region's ``CaseStore`` and ledger."""

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
        actor: str,
        role: str,
        data: Mapping[str, Any],
        case_id: str | None = None,
        due_at: datetime | None = None,
        note: Mapping[str, Any] | None = None,
    ) -> Case:
        """Open a case in its lifecycle's initial state (history event 1 plus a ledger leaf)."""
        return self.open_step(kind, region, actor=actor, role=role, data=data, case_id=case_id,
                              due_at=due_at, note=note).case  # fmt: skip

    def open_step(
        self,
        kind: str,
        region: str,
        *,
        actor: str,
        role: str,
        data: Mapping[str, Any],
        case_id: str | None = None,
        due_at: datetime | None = None,
        note: Mapping[str, Any] | None = None,
    ) -> Step:
        """``open``, returning the history event and ledger index too."""
        one = Opening(kind, data, case_id=case_id, due_at=due_at, note=note)
        return self.open_many(region, [one], actor=actor, role=role)[0]

    def new_case_id(self, kind: str) -> str:
        """A fresh id for a case of ``kind`` (what ``open`` uses when given none)."""
        return f"{_prefix(kind)}-{uuid.uuid4().hex[:20]}"

    def open_many(
        self, region: str, openings: Sequence[Opening], *, actor: str, role: str
    ) -> list[Step]:
        """Open several cases in ``region``, each exactly as ``open`` would, in ONE region
        transaction: every case, its history event 1 and its ledger leaf (appended
        together), or none of them (a duplicate id raises ``CaseConflict``)."""
        lives = [self.kind(o.kind).lifecycle for o in openings]
        target = self.runtime.region(region)
        _check_actor(actor, role)
        staged: list[tuple[Case, CaseEvent]] = []
        for o, life in zip(openings, lives, strict=True):
            now = self.runtime.clock.now()
            case = Case(case_id=o.case_id or self.new_case_id(o.kind), kind=o.kind,
                        state=life.initial, region=target.name, created_at=now, updated_at=now,
                        due_at=o.due_at, data=dict(o.data))  # fmt: skip
            event = CaseEvent(case.case_id, 1, now, actor, role, OPEN_ACTION, OPENED_FROM,
                              life.initial, dict(o.note or {}))  # fmt: skip
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
        return [Step(cast(Case, c), e, i)
                for c, (_, e), i in zip(stored, staged, indexes, strict=True)]  # fmt: skip

    def apply(
        self,
        case_id: str,
        action: str,
        *,
        actor: str,
        role: str,
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
        _check_actor(actor, role)
        if role not in transition.roles:
            raise RoleNotPermitted(
                f"role {role!r} may not {action} a {life.name} case",
                details={"action": action, "roles": sorted(transition.roles)},
            )
        store = region.db.cases
        now = self.runtime.clock.now()
        note_dict = dict(note or {})
        with region.db.transaction():
            history = tuple(store.events(case_id))
            ctx = GuardContext(case, actor, role, note_dict, history, now, action)
            check_guards(transition.guards, ctx, kind.guards)
            data = {**case.data, **(merge or {})}
            due = case.due_at if due_at is _KEEP else due_at
            if life.is_terminal(transition.target):
                due = None
            stored = store.update(
                replace(case, state=transition.target, updated_at=now, due_at=due, data=data)
            )
            seq = history[-1].seq + 1 if history else 1
            event = CaseEvent(case_id, seq, now, actor, role, action, case.state,
                              transition.target, note_dict)  # fmt: skip
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
        return LedgerEvent(type=EventType.CASE_TRANSITION, at=event.at, region=region.name,
                          record_id=case.case_id, actor=event.actor, payload=payload)  # fmt: skip

    # -- reading ------------------------------------------------------------------------

    def locate(self, case_id: str) -> tuple[Region, Case]:
        """The region holding ``case_id`` and the case; ``CaseNotFound`` otherwise."""
        for region in self.runtime.regions.values():
            found = region.db.cases.get(case_id)
            if found is not None:
                return region, found
        raise CaseNotFound("no case with that id", details={"case_id": case_id})

    def get(self, case_id: str) -> Case:
        """The case (searched in every region)."""
        return self.locate(case_id)[1]

    def history(self, case_id: str) -> list[CaseEvent]:
        """The case's history, oldest first."""
        region, _ = self.locate(case_id)
        return region.db.cases.events(case_id)

    def page(
        self,
        *,
        kind: str | None = None,
        states: Sequence[str] | None = None,
        region: str | None = None,
        due_before: datetime | None = None,
        created_from: datetime | None = None,
        created_before: datetime | None = None,
        order: str = "case_id",
        after: str | None = None,
        limit: int = 100,
    ) -> CasePage:
        """One page of cases over every region (or one): the regions' pages merged by key."""
        regions = [self.runtime.region(region)] if region else list(self.runtime.regions.values())
        merged: list[Case] = []
        more = False
        for r in regions:
            query = CaseQuery(
                kind=kind,
                states=states,
                due_before=due_before,
                created_from=created_from,
                created_before=created_before,
                order=order,
                after=after,
                limit=limit,
            )
            got = r.db.cases.page(query)
            merged.extend(got.cases)
            more = more or got.next_cursor is not None
        merged.sort(key=lambda c: (c.due_at, c.case_id) if order == "due_at" else (c.case_id,))
        chunk = merged[:limit]
        cursor = None
        if (more or len(merged) > limit) and chunk:
            cursor = encode_cursor(order, chunk[-1].due_at, chunk[-1].case_id)
        return CasePage(chunk, cursor)

    def iter_cases(self, **filters: Any) -> Iterable[Case]:
        """Every case matching ``page`` filters, page by page."""
        after = None
        while True:
            page = self.page(after=after, limit=500, **filters)
            yield from page.cases
            if page.next_cursor is None:
                return
            after = page.next_cursor

    # -- deadlines ------------------------------------------------------------------------

    def deadline(
        self, op: str, facts: Facts, at: datetime, *, requirement: str = "respond_within"
    ) -> Deadline | None:
        """The earliest ``requirement`` deadline the packs give for ``op`` on ``facts``
        (start events come from ``facts.events``), or None when no rule sets one."""
        decision = self.runtime.engine.evaluate(op, facts, at)
        owed = [o for o in decision.obligations if o.kind == requirement and o.due is not None]
        if not owed:
            return None
        first = min(owed, key=lambda o: cast(datetime, o.due))
        assert first.due is not None
        return Deadline(first.due, first.rule_id, first.description)

    def due(
        self, *, kind: str | None = None, within: timedelta = timedelta(hours=24),
        now: datetime | None = None,
    ) -> DueReport:  # fmt: skip
        """Open cases (not in a terminal state) past due, and due within ``within``."""
        now = now or self.runtime.clock.now()
        overdue: list[Case] = []
        soon: list[Case] = []
        for name in [kind] if kind else sorted(self._kinds):
            life = self.kind(name).lifecycle
            open_states = [s for s in life.states if not life.is_terminal(s)]
            for case in self.iter_cases(kind=name, states=open_states, order="due_at",
                                        due_before=now + within):  # fmt: skip
                assert case.due_at is not None
                (overdue if case.due_at <= now else soon).append(case)
        return DueReport(overdue, soon)

    def refresh_gauges(
        self, *, now: datetime | None = None, within: timedelta = timedelta(hours=24)
    ) -> None:
        """Set ``onshore_cases_open``, ``onshore_cases_overdue``, ``onshore_cases_due_soon``."""
        m = metrics_for(self._registry)
        totals: dict[tuple[str, str], int] = {}
        for region in self.runtime.regions.values():
            for key, n in region.db.cases.counts().items():
                totals[key] = totals.get(key, 0) + n
        for name, kind in self._kinds.items():
            life = kind.lifecycle
            for state in life.states:
                if not life.is_terminal(state):
                    m.open.labels(kind=name, state=state).set(totals.get((name, state), 0))
        report = self.due(within=within, now=now)
        for name in self._kinds:
            m.overdue.labels(kind=name).set(sum(1 for c in report.overdue if c.kind == name))
            m.due_soon.labels(kind=name).set(sum(1 for c in report.due_soon if c.kind == name))


def _check_actor(actor: str, role: str) -> None:
    if not isinstance(actor, str) or not actor.strip():
        raise InputError("a case action needs an actor", details={"field": "actor"})
    if not isinstance(role, str) or not role.strip():
        raise InputError("a case action needs a role", details={"field": "role"})


def _prefix(kind: str) -> str:
    return "".join(ch for ch in kind.lower() if ch.isalnum())[:8] or "case"
