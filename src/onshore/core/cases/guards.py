"""Guards: the named checks a transition needs before it may happen (pure).

Built-in guards, usable by any lifecycle:

- ``requires:<field>``: the transition's note carries a non-empty ``<field>`` (a rejection
  needs a ``reason_code``). Fails with ``GuardFailed``.
- ``distinct_from:<action>[|<action>...]``: the actor took none of those actions on this case
  before (two-person rule: whoever approved in legal review may not approve the release).
  Fails with ``SeparationOfDuties``.

Any other guard name is looked up in the ``custom`` mapping the case kind supplies: a
callable returning ``None`` when the guard holds, else the reason it does not.

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.core.cases.case import Case, CaseEvent
    >>> t0 = datetime(2026, 1, 5, tzinfo=timezone.utc)
    >>> case = Case("c1", "demo", "review", "vn-hcm", t0, t0, None, {}, 2)
    >>> history = [CaseEvent("c1", 1, t0, "lan", "legal_reviewer", "approve", "a", "review", {})]
    >>> ctx = GuardContext(case, "lan", "approver", {}, tuple(history), t0, "release")
    >>> check_guards(("distinct_from:approve",), ctx, {})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    onshore.core.errors.SeparationOfDuties: the same person may not approve and release ...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from onshore.core.cases.case import Case, CaseEvent
from onshore.core.errors import GuardFailed, SeparationOfDuties


@dataclass(frozen=True, slots=True)
class GuardContext:
    """What a guard may look at: the case as it is, who acts, the note, its history, the time."""

    case: Case
    actor: str
    role: str
    note: Mapping[str, Any]
    history: tuple[CaseEvent, ...]
    now: datetime
    action: str = ""

    def actors_of(self, actions: Sequence[str]) -> set[str]:
        """Who took any of ``actions`` on this case before."""
        wanted = set(actions)
        return {e.actor for e in self.history if e.action in wanted}


#: A custom guard: ``None`` when it holds, else a short reason (shown to the caller).
Guard = Callable[[GuardContext], str | None]


def check_guards(names: Sequence[str], ctx: GuardContext, custom: Mapping[str, Guard]) -> None:
    """Raise on the first guard in ``names`` that does not hold.

    Unknown guard names are a programming error (``KeyError``): each lifecycle's guards
    must be supplied by its case kind.
    """
    for name in names:
        kind, _, arg = name.partition(":")
        if kind == "requires" and arg:
            value = ctx.note.get(arg)
            if value is None or (isinstance(value, str | list | tuple | dict) and not value):
                raise GuardFailed(
                    f"{ctx.action} needs {arg!r} in the note",
                    details={"guard": name, "field": arg},
                )
        elif kind == "distinct_from" and arg:
            actions = arg.split("|")
            if ctx.actor in ctx.actors_of(actions):
                raise SeparationOfDuties(
                    f"the same person may not {'/'.join(actions)} and {ctx.action} on one case "
                    "(two-person rule)",
                    details={"guard": name, "actions": actions},
                )
        else:
            why = custom[name](ctx)
            if why is not None:
                raise GuardFailed(f"{ctx.action}: {why}", details={"guard": name, "reason": why})
