"""What a case's page shows, assembled from the case services: its fields, its history as a
timeline, its clocks with the rule that sets each, the actions the viewer may take, the
two-person rule's approvals, its attachments and downloads.

:func:`case_page` reads one case through the kind's service (:class:`KindService`: the
same service, and the same ``view`` of the case, as the JSON API) and returns a
:class:`CasePage` of plain values; the console's templates draw it, translated. Nothing
here formats a time or a word for a reader: times stay aware datetimes.

The actions are generated from the case kind's declaration: the transitions leaving the
case's state whose roles the viewer holds. Each guard of such a transition that can be
judged before the form is filled (it looks only at the case, its history and the time: the
two-person rule, "nothing collected yet") is checked now, and a failing one is shown as the
reason the action is not open to the viewer. Guards that read the note (a reason code, a
channel) are checked when the form is sent, by the service, exactly as for the JSON API.

Example:
    >>> [r.key for r in flatten({"a": {"b": 1}})]
    ['a.b']
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from onshore.core.cases.declaration import CaseKindDeclaration
from onshore.core.cases.guards import Guard, GuardContext, check_guards
from onshore.core.cases.lifecycle import OPEN_ACTION, Transition
from onshore.core.cases.note_form import FormField, form_fields
from onshore.core.errors import CaseNotFound, GuardFailed, SeparationOfDuties
from onshore.core.identity import Principal
from onshore.ports import Case, CaseEvent
from onshore.services.case_clocks import ClockView, clocks
from onshore.services.case_files import Attachment, package_dir, package_view
from onshore.services.case_kinds import KindService

#: Who an id names (a user's or a service account's name), None when unknown.
NameOf = Callable[[str], str | None]

#: Data keys the page shows elsewhere (the clock) rather than among the fields.
_NOT_FIELDS = frozenset({"deadline"})


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One field of the case (a dotted path into its data) and its value as text."""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class TimelineStep:
    """One step of the history: who (id and name), when, in which role, which transition
    (from, action, to) and the rule of the lifecycle table it followed (its guards)."""

    seq: int
    at: datetime
    actor_id: str
    actor_name: str | None
    role: str
    action: str
    from_state: str
    to_state: str
    guards: tuple[str, ...]
    note: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class ActionOption:
    """An action the viewer may take from the case's state, in ``role``: its summary, the
    state it leads to, its form, and ``blocked``: why a guard keeps it closed now."""

    action: str
    summary: str
    target: str
    role: str
    guards: tuple[str, ...]
    fields: tuple[FormField, ...]
    blocked: str | None = None
    blocked_code: str = ""


@dataclass(frozen=True, slots=True)
class Approval:
    """The two-person rule on this case: ``guarded`` (e.g. ``release``) must be taken by
    someone other than whoever took ``actions`` (e.g. ``approve``); ``by`` lists those
    steps; ``done`` the guarded step when it happened."""

    guarded: str
    actions: tuple[str, ...]
    by: tuple[TimelineStep, ...]
    done: TimelineStep | None = None


@dataclass(frozen=True, slots=True)
class CasePage:
    """Everything the case page shows (see the module docstring)."""

    declaration: CaseKindDeclaration
    case: Case
    fields: tuple[FieldRow, ...]
    timeline: tuple[TimelineStep, ...]
    clocks: tuple[ClockView, ...]
    actions: tuple[ActionOption, ...]
    approvals: tuple[Approval, ...]
    attachments: tuple[Attachment, ...] = ()
    downloads: tuple[str, ...] = ()
    package_ok: bool | None = None
    package_failures: tuple[str, ...] = ()
    terminal: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)


def flatten(data: Mapping[str, Any], prefix: str = "", depth: int = 0) -> Iterator[FieldRow]:
    """A case's data as rows: nested objects by dotted path (three levels), lists of plain
    values joined, anything else as compact JSON.

    Example:
        >>> [(r.key, r.value) for r in flatten({"a": {"b": 1}, "c": ["x", "y"], "d": None})]
        [('a.b', '1'), ('c', 'x, y'), ('d', '—')]
    """
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and depth < 2:
            yield from flatten(value, f"{path}.", depth + 1)
        elif value is None or value == "" or value == [] or value == {}:
            yield FieldRow(path, "—")
        elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            yield FieldRow(path, ", ".join(str(v) for v in value))
        elif isinstance(value, bool):
            yield FieldRow(path, "yes" if value else "no")
        elif isinstance(value, str | int | float):
            yield FieldRow(path, str(value))
        else:
            yield FieldRow(path, json.dumps(value, ensure_ascii=False, sort_keys=True))


class _NoteProbe(Mapping[str, Any]):
    """An empty note that remembers whether a guard read it (such a guard is judged when
    the form is sent, not before)."""

    def __init__(self) -> None:
        self.read = False

    def __getitem__(self, key: str) -> Any:
        self.read = True
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        self.read = True
        return iter(())

    def __len__(self) -> int:
        self.read = True
        return 0


def _blocked(
    t: Transition,
    case: Case,
    principal: Principal,
    role: str,
    history: tuple[CaseEvent, ...],
    now: datetime,
    custom: Mapping[str, Guard],
) -> tuple[str | None, str]:
    """Why a guard of ``t`` that does not read the note fails now, and its error code."""
    for name in t.guards:
        if name.startswith("requires:"):
            continue
        probe = _NoteProbe()
        ctx = GuardContext(case, principal.id, role, probe, history, now, t.action)
        try:
            check_guards((name,), ctx, custom)
        except (GuardFailed, SeparationOfDuties) as exc:
            if not probe.read:
                return exc.message, exc.code
        except KeyError:  # a guard the kind's service binds elsewhere
            continue
    return None, ""


def _step(e: CaseEvent, d: CaseKindDeclaration, names: NameOf) -> TimelineStep:
    guards: tuple[str, ...] = ()
    if e.action != OPEN_ACTION:
        for t in d.transitions:
            if t.source == e.from_state and t.action == e.action:
                guards = t.guards
    note = dict(e.note) if d.history_notes else None
    return TimelineStep(
        e.seq,
        e.at,
        e.actor,
        names(e.actor),
        e.role,
        e.action,
        e.from_state,
        e.to_state,
        guards,
        note,
    )


def _approvals(
    d: CaseKindDeclaration, steps: tuple[TimelineStep, ...], pending: Callable[[str], bool]
) -> tuple[Approval, ...]:
    """The two-person rules this case met or still has to meet: a ``distinct_from``
    guard whose earlier steps happened, and whose guarded step happened too or is
    ``pending`` (it may come next: it leaves the case's state and its other guards hold)."""
    seen: dict[tuple[str, tuple[str, ...]], Approval] = {}
    for t in d.transitions:
        for g in t.guards:
            kind, _, arg = g.partition(":")
            if kind != "distinct_from" or (t.action, tuple(arg.split("|"))) in seen:
                continue
            actions = tuple(arg.split("|"))
            by = tuple(s for s in steps if s.action in actions)
            done = next((s for s in steps if s.action == t.action), None)
            if by and (done is not None or pending(t.action)):
                seen[(t.action, actions)] = Approval(t.action, actions, by, done)
    return tuple(seen.values())


def case_page(
    svc: KindService,
    case_id: str,
    principal: Principal,
    *,
    now: datetime,
    names: NameOf = lambda _id: None,
) -> CasePage:
    """The page of case ``case_id`` of ``svc``'s kind as ``principal`` sees it at ``now``
    (``CaseNotFound`` when there is none, or it is of another kind)."""
    d = svc.declaration
    case = svc.cases.get(case_id)
    if case.kind != d.name:
        raise CaseNotFound("no case with that id", details={"case_id": case_id})
    view = svc.view(case)
    data: Mapping[str, Any] = view.get("data") or {}
    history = tuple(svc.cases.history(case_id))
    steps = tuple(_step(e, d, names) for e in history)
    terminal = d.lifecycle.is_terminal(case.state)
    custom = svc.cases.kind(d.name).guards
    actions: list[ActionOption] = []
    for t in d.lifecycle.available(case.state):
        role = principal.acting_role(t.roles)
        if role is None:
            continue
        why, code = _blocked(t, case, principal, role, history, now, custom)
        fields = form_fields(d.note_model(t.action), t.guards)
        actions.append(
            ActionOption(t.action, d.summary(t.action), t.target, role, t.guards, fields, why, code)
        )

    def pending(action: str) -> bool:
        for t in d.lifecycle.available(case.state):
            if t.action == action:
                others = tuple(g for g in t.guards if not g.startswith("distinct_from:"))
                nobody = Principal("user", "", "", t.roles)
                role = sorted(t.roles)[0]
                rest = replace(t, guards=others)
                return _blocked(rest, case, nobody, role, history, now, custom)[0] is None
        return False

    rows = tuple(flatten({k: v for k, v in data.items() if k not in _NOT_FIELDS}))
    downloads: list[str] = []
    directory = package_dir(data)
    attachments, report = package_view(directory) if directory else ((), None)
    if attachments:
        downloads.append("package")
    if d.name == "audience_obligation":
        downloads.append("dossier")
    return CasePage(
        declaration=d,
        case=case,
        fields=rows,
        timeline=steps,
        clocks=clocks(d, case, data, now, svc.cases.runtime.engine, terminal=terminal),
        actions=tuple(actions),
        approvals=_approvals(d, steps, pending),
        attachments=attachments,
        downloads=tuple(downloads),
        package_ok=None if report is None else report.ok,
        package_failures=() if report is None else tuple(report.failures),
        terminal=terminal,
        data=data,
    )
