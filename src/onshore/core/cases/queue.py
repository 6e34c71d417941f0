"""What a work queue shows of a case kind: the sort orders, the columns, the deadline badge
of each case and the states in which a reader's roles have something to do.

Pure: the time is passed in. A case is *breached* when it is open (not in a terminal state)
and its deadline has passed, *due soon* when it is open and its deadline is within the
kind's clock's ``due_soon`` window (``Clock``), and carries no badge otherwise.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from onshore.core.cases.registry import KINDS
    >>> takedown = KINDS["takedown"]
    >>> now = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
    >>> badge(takedown, "received", now - timedelta(minutes=1), now)
    'breached'
    >>> badge(takedown, "received", now + timedelta(hours=5), now)
    'due_soon'
    >>> badge(takedown, "received", now + timedelta(hours=7), now)
    >>> badge(takedown, "closed", now, now)
    >>> "appealed" in actionable_states(takedown, {"legal_reviewer"})
    True
    >>> actionable_states(takedown, {"auditor"})
    ()
    >>> cell({"notice": {"reference": "N-7"}}, "notice.reference")
    'N-7'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from onshore.core.cases.declaration import CaseKindDeclaration
from onshore.core.errors import InputError

#: Without a clock, a kind's cases are due soon within this window.
DEFAULT_DUE_SOON = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Sort:
    """One way to order a queue: the listing ``order`` and its direction."""

    key: str
    order: str
    descending: bool


#: The queue's sort orders by their ``?sort=`` name (the first is the default).
SORTS: dict[str, Sort] = {
    s.key: s
    for s in (
        Sort("due", "due_at", False),
        Sort("-due", "due_at", True),
        Sort("opened", "created_at", False),
        Sort("-opened", "created_at", True),
    )
}

#: The deadline filters (``?due=``).
DUE_FILTERS = ("breached", "soon")


def sort_named(name: str | None) -> Sort:
    """The sort ``name`` (default: deadline first); ``InputError`` for an unknown one."""
    if not name:
        return SORTS["due"]
    try:
        return SORTS[name]
    except KeyError:
        raise InputError("unknown sort", details={"sort": name, "known": list(SORTS)}) from None


def due_soon_window(kind: CaseKindDeclaration) -> timedelta:
    """How long before its deadline a case of ``kind`` is due soon."""
    return kind.clock.due_soon if kind.clock is not None else DEFAULT_DUE_SOON


def badge(
    kind: CaseKindDeclaration, state: str, due_at: datetime | None, now: datetime
) -> str | None:
    """``"breached"``, ``"due_soon"`` or None for a case of ``kind`` (see module)."""
    if due_at is None or state in kind.terminal:
        return None
    if due_at <= now:
        return "breached"
    if due_at - now <= due_soon_window(kind):
        return "due_soon"
    return None


def actionable_states(kind: CaseKindDeclaration, roles: Iterable[str]) -> tuple[str, ...]:
    """The states of ``kind`` in which one of ``roles`` may take some action, in table
    order (what "my work" lists; guards such as the two-person rule still apply)."""
    held = frozenset(roles)
    found = {t.source for t in kind.transitions if t.roles & held}
    return tuple(s for s in kind.states if s in found)


def columns(kind: CaseKindDeclaration) -> tuple[tuple[str, str], ...]:
    """The ``(path, heading)`` columns a queue of ``kind`` shows from a case's data: the
    declaration's ``columns``, else its dedupe fields."""
    if kind.columns:
        return kind.columns
    return tuple(
        (path, path.rsplit(".", 1)[-1].replace("_", " ").capitalize()) for path in kind.dedupe
    )


def cell(data: Mapping[str, Any], path: str) -> str:
    """The text of the dotted ``path`` in a case's ``data`` ('' when absent)."""
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
