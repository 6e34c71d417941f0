"""Lifecycles as transition tables: one table per case kind, the single source of truth.

A :class:`Lifecycle` is a named set of :class:`Transition` rows ``(source, action, target,
roles, guards)``. ``step(state, action)`` returns the row or raises ``IllegalTransition``
(code ``case.illegal_transition``); ``available(state)`` lists what may happen next. The
table also renders itself for the docs (``markdown()``, ``mermaid()``), so the docs cannot
drift from the code. Guards are names; what they check is decided by
:mod:`onshore.core.cases.guards` (built-in guards) and by the service owning the case kind.

Example:
    >>> life = Lifecycle(
    ...     "demo", "open", frozenset({"closed"}),
    ...     (Transition("open", "close", "closed", frozenset({"operator"})),))
    >>> life.step("open", "close").target
    'closed'
    >>> [t.action for t in life.available("open")]
    ['close']
    >>> life.step("closed", "close")
    Traceback (most recent call last):
    ...
    onshore.core.errors.IllegalTransition: demo: no action 'close' from state 'closed'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from onshore.core.errors import IllegalTransition

#: The pseudo-state a case comes from when it is opened (its first history event).
OPENED_FROM = ""
#: The action name of the first history event.
OPEN_ACTION = "open"


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of a lifecycle table.

    ``roles`` may take the action; ``guards`` name checks that must all hold (see
    :mod:`onshore.core.cases.guards`), e.g. ``requires:reason_code`` or
    ``distinct_from:approve``.

    Example:
        >>> Transition("review", "approve", "approved", frozenset({"legal_reviewer"})).roles
        frozenset({'legal_reviewer'})
    """

    source: str
    action: str
    target: str
    roles: frozenset[str]
    guards: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (roles sorted)."""
        return {
            "source": self.source,
            "action": self.action,
            "target": self.target,
            "roles": sorted(self.roles),
            "guards": list(self.guards),
        }


@dataclass(frozen=True)
class Lifecycle:
    """A case kind's states and transitions, checked for consistency when built.

    Rules: ``(source, action)`` pairs are unique; no transition leaves a terminal state;
    every state is reachable from ``initial``; every row names at least one role.
    """

    name: str
    initial: str
    terminal: frozenset[str]
    transitions: tuple[Transition, ...]
    descriptions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        seen: set[tuple[str, str]] = set()
        for t in self.transitions:
            key = (t.source, t.action)
            if key in seen:
                raise ValueError(
                    f"{self.name}: duplicate transition {t.action!r} from {t.source!r}"
                )
            seen.add(key)
            if t.source in self.terminal:
                raise ValueError(f"{self.name}: terminal state {t.source!r} has a transition")
            if not t.roles:
                raise ValueError(f"{self.name}: transition {t.action!r} names no role")
        reachable = {self.initial}
        frontier = [self.initial]
        while frontier:
            state = frontier.pop()
            for t in self.transitions:
                if t.source == state and t.target not in reachable:
                    reachable.add(t.target)
                    frontier.append(t.target)
        missing = set(self.states) - reachable
        if missing:
            raise ValueError(f"{self.name}: unreachable states {sorted(missing)}")
        object.__setattr__(self, "_index", {(t.source, t.action): t for t in self.transitions})

    @property
    def states(self) -> tuple[str, ...]:
        """Every state, in order of first appearance (initial first)."""
        order = [self.initial]
        for t in self.transitions:
            order.extend((t.source, t.target))
        order.extend(sorted(self.terminal))
        return tuple(dict.fromkeys(order))

    @property
    def actions(self) -> tuple[str, ...]:
        """Every action name, in table order."""
        return tuple(dict.fromkeys(t.action for t in self.transitions))

    def is_terminal(self, state: str) -> bool:
        """True when nothing can happen after ``state``."""
        return state in self.terminal

    def available(self, state: str) -> tuple[Transition, ...]:
        """The transitions leaving ``state``, in table order."""
        return tuple(t for t in self.transitions if t.source == state)

    def step(self, state: str, action: str) -> Transition:
        """The transition for ``action`` from ``state``; ``IllegalTransition`` otherwise."""
        index: dict[tuple[str, str], Transition] = self._index  # type: ignore[attr-defined]
        found = index.get((state, action))
        if found is None:
            allowed = [t.action for t in self.available(state)]
            raise IllegalTransition(
                f"{self.name}: no action {action!r} from state {state!r}",
                details={
                    "lifecycle": self.name,
                    "state": state,
                    "action": action,
                    "allowed": allowed,
                },
            )
        return found

    def illegal_pairs(self) -> list[tuple[str, str]]:
        """Every ``(state, action)`` pair the table does not allow (for exhaustive tests)."""
        index: dict[tuple[str, str], Transition] = self._index  # type: ignore[attr-defined]
        return [(s, a) for s in self.states for a in self.actions if (s, a) not in index]

    # -- rendering ----------------------------------------------------------------------

    def markdown(self) -> str:
        """The table as Markdown (``docs/`` embed it; a test checks they match).

        Example:
            >>> life = Lifecycle("x", "a", frozenset({"b"}),
            ...                  (Transition("a", "go", "b", frozenset({"operator"})),))
            >>> print(life.markdown().splitlines()[2])
            | a | go | b | operator |  |
        """
        lines = ["| From | Action | To | Roles | Guards |", "|---|---|---|---|---|"]
        for t in self.transitions:
            roles = ", ".join(sorted(t.roles))
            guards = ", ".join(f"`{g}`" for g in t.guards)
            lines.append(f"| {t.source} | {t.action} | {t.target} | {roles} | {guards} |")
        return "\n".join(lines)

    def mermaid(self) -> str:
        """The state diagram as a Mermaid ``stateDiagram-v2`` block body."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for t in self.transitions:
            lines.append(f"    {t.source} --> {t.target}: {t.action}")
        lines.extend(f"    {s} --> [*]" for s in sorted(self.terminal))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (served by the API so clients can draw the workflow)."""
        return {
            "name": self.name,
            "initial": self.initial,
            "terminal": sorted(self.terminal),
            "states": list(self.states),
            "transitions": [t.to_dict() for t in self.transitions],
        }


def rows(
    sources: Iterable[str],
    action: str,
    target: str,
    roles: Iterable[str],
    guards: tuple[str, ...] = (),
) -> tuple[Transition, ...]:
    """The same action from several states (``withdraw`` from any pre-production state).

    Example:
        >>> [t.source for t in rows(["a", "b"], "withdraw", "withdrawn", ["operator"])]
        ['a', 'b']
    """
    role_set = frozenset(roles)
    return tuple(Transition(s, action, target, role_set, guards) for s in sources)
