"""A case kind, declared once as data: what the service, the routes and the CLI are made of.

A :class:`CaseKindDeclaration` names the kind (``name``, its URL ``segment`` and ``title``),
its lifecycle table (states, initial and terminal ones, transitions with the roles that may
take them and their guards), the named effects of its actions (bound to code in the
services layer), its :class:`Clock` (the policy-pack obligation that sets its deadline and
the due-soon window), its intake fields as a pydantic model, one pydantic note model per
action, the ledger events it writes, its listing filters and its intake dedupe key (intake
fields whose values identify one case: the same authority reference from the same
authority opens one case, a repeat answers with the existing one).

Everything here is pure data: :mod:`onshore.services.case_kinds` makes the service from it,
:mod:`onshore.server.routes.cases` the HTTP routes, the CLI its command group, and
:mod:`onshore.core.cases.registry` lists every declared kind.

Example:
    >>> from pydantic import BaseModel
    >>> from onshore.core.cases.lifecycle import Lifecycle, Transition
    >>> class ComplaintIn(BaseModel):
    ...     reference: str
    >>> life = Lifecycle("complaint", "open", frozenset({"closed"}),
    ...     (Transition("open", "close", "closed", frozenset({"operator"})),))
    >>> kind = CaseKindDeclaration("complaint", "complaints", "Complaints", life,
    ...     intake=ComplaintIn, dedupe=("reference",))
    >>> kind.dedupe_key({"reference": "C-1"})
    ('C-1',)
    >>> kind.note_model("close").__name__
    'NoteIn'
    >>> kind.base_path
    '/v1/cases/complaints'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from onshore.core.cases.guards import Guard
from onshore.core.cases.lifecycle import Lifecycle, Transition
from onshore.core.cases.roles import OPENERS
from onshore.core.ledger.events import EventType

#: The listing filters every kind offers (``state`` repeatable; times ISO 8601).
DEFAULT_FILTERS: tuple[str, ...] = ("state", "due_before", "created_from", "created_before")


class NoteIn(BaseModel):
    """An action's note when the kind declares no model for it: a free-text comment only.

    Example:
        >>> NoteIn(comment="checked").comment
        'checked'
    """

    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(default=None, max_length=5000, description="A free-text remark.")


@dataclass(frozen=True, slots=True)
class Clock:
    """Where a kind's deadline comes from: the policy packs' ``requirement`` obligations of
    operation ``op`` (the earliest one due), and the window in which a case is due soon.
    ``request`` and ``event`` are the ``Facts.request`` and the start event a kind served
    from its declaration alone asks the packs about (default: the kind's name).

    Example:
        >>> Clock("remove", "remove_within", timedelta(hours=6)).to_dict()["due_soon_hours"]
        6.0
    """

    op: str
    requirement: str
    due_soon: timedelta = timedelta(hours=24)
    description: str = ""
    request: str = ""
    event: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "op": self.op,
            "requirement": self.requirement,
            "due_soon_hours": self.due_soon.total_seconds() / 3600,
            "description": self.description,
            "request": self.request,
            "event": self.event,
        }


@dataclass(frozen=True)
class CaseKindDeclaration:
    """One case kind as data (see the module docstring).

    ``notes`` maps an action to its note model (actions not named take :class:`NoteIn`);
    ``effects`` maps an action to the names of the effects it has (the services layer binds
    each name to code; a kind without effects needs no code at all); ``actions`` maps an
    action to one sentence saying what it does (operation summaries, CLI help); ``dedupe``
    names intake fields (dotted paths into the intake body) whose values identify one case.
    ``intake`` None means cases are opened by the system, not by a caller (no intake route).
    ``base_path`` overrides the URL prefix (default ``/v1/cases/<segment>``). ``guards`` are
    the kind's pure custom guards (guards needing I/O are bound by its service); ``openers``
    the roles that may open a case; ``history_notes`` whether a case's history is shown with
    each step's note; ``columns`` the ``(dotted path into the case's data, heading)`` pairs
    the console's queue shows (default: the dedupe fields).
    """

    name: str
    segment: str
    title: str
    lifecycle: Lifecycle
    intake: type[BaseModel] | None = None
    notes: Mapping[str, type[BaseModel]] = field(default_factory=dict)
    effects: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    actions: Mapping[str, str] = field(default_factory=dict)
    clock: Clock | None = None
    ledger_events: tuple[EventType, ...] = (EventType.CASE_TRANSITION,)
    filters: tuple[str, ...] = DEFAULT_FILTERS
    dedupe: tuple[str, ...] = ()
    guards: Mapping[str, Guard] = field(default_factory=dict)
    openers: frozenset[str] = OPENERS
    history_notes: bool = True
    path: str | None = None
    description: str = ""
    columns: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.lifecycle.name != self.name:
            raise ValueError(f"{self.name}: the lifecycle is named {self.lifecycle.name!r}")
        known = set(self.lifecycle.actions)
        for label, names in (
            ("note model", self.notes),
            ("effect", self.effects),
            ("summary", self.actions),
        ):
            stray = sorted(set(names) - known)
            if stray:
                raise ValueError(f"{self.name}: {label} for unknown action(s) {stray}")
        for t in self.transitions:
            fields = self.note_model(t.action).model_fields
            for guard in t.guards:
                kind, _, arg = guard.partition(":")
                if kind == "requires" and arg not in fields:
                    raise ValueError(
                        f"{self.name}: {t.action} requires {arg!r}, which its note model "
                        f"{self.note_model(t.action).__name__} does not carry"
                    )
        unknown = sorted(set(self.filters) - set(DEFAULT_FILTERS))
        if unknown:
            raise ValueError(f"{self.name}: unknown listing filter(s) {unknown}")
        if self.dedupe and self.intake is None:
            raise ValueError(f"{self.name}: a dedupe key needs an intake model")
        for path in self.dedupe:
            top = path.split(".")[0]
            if self.intake is not None and top not in self.intake.model_fields:
                raise ValueError(f"{self.name}: dedupe field {path!r} is not an intake field")

    # -- the table ------------------------------------------------------------------------

    @property
    def initial(self) -> str:
        """The state a case opens in."""
        return self.lifecycle.initial

    @property
    def terminal(self) -> frozenset[str]:
        """The states nothing leaves."""
        return self.lifecycle.terminal

    @property
    def states(self) -> tuple[str, ...]:
        """Every state, initial first."""
        return self.lifecycle.states

    @property
    def open_states(self) -> tuple[str, ...]:
        """The states a case is still open in (not terminal)."""
        return tuple(s for s in self.states if s not in self.terminal)

    @property
    def transitions(self) -> tuple[Transition, ...]:
        """The lifecycle's rows."""
        return self.lifecycle.transitions

    @property
    def action_names(self) -> tuple[str, ...]:
        """Every action, in table order."""
        return self.lifecycle.actions

    @property
    def base_path(self) -> str:
        """The URL prefix of the kind's routes."""
        return self.path or f"/v1/cases/{self.segment}"

    def roles_of(self, action: str) -> frozenset[str]:
        """Every role that may take ``action`` from some state."""
        found: set[str] = set()
        for t in self.transitions:
            if t.action == action:
                found |= t.roles
        return frozenset(found)

    def note_model(self, action: str) -> type[BaseModel]:
        """The note model of ``action`` (:class:`NoteIn` when the kind declares none)."""
        return self.notes.get(action, NoteIn)

    def effects_of(self, action: str) -> tuple[str, ...]:
        """The named effects ``action`` has (in order)."""
        return self.effects.get(action, ())

    def effect_names(self) -> frozenset[str]:
        """Every effect name the kind declares (each must be bound by its service)."""
        return frozenset(n for names in self.effects.values() for n in names)

    def summary(self, action: str) -> str:
        """One sentence saying what ``action`` does."""
        found = self.actions.get(action)
        if found:
            return found
        targets = sorted({t.target for t in self.transitions if t.action == action})
        return f"{action.replace('_', ' ').capitalize()} (to {' or '.join(targets)})"

    # -- intake ---------------------------------------------------------------------------

    def dedupe_key(self, body: Mapping[str, Any]) -> tuple[str, ...] | None:
        """The values of the dedupe fields in an intake ``body``; None when the kind has no
        key or one of its values is missing or blank (then every intake opens a case)."""
        if not self.dedupe:
            return None
        out: list[str] = []
        for path in self.dedupe:
            value: Any = body
            for part in path.split("."):
                value = value.get(part) if isinstance(value, Mapping) else None
            if value is None or (isinstance(value, str) and not value.strip()):
                return None
            out.append(str(value).strip())
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (served by the API: ``GET <base_path>/lifecycle`` carries the table)."""
        return {
            "name": self.name,
            "segment": self.segment,
            "title": self.title,
            "lifecycle": self.lifecycle.to_dict(),
            "effects": {a: list(e) for a, e in self.effects.items()},
            "clock": self.clock.to_dict() if self.clock else None,
            "ledger_events": [e.label for e in self.ledger_events],
            "filters": list(self.filters),
            "dedupe": list(self.dedupe),
            "intake": self.intake.model_json_schema() if self.intake else None,
        }
