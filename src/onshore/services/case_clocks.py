"""A case's clocks on its page: each deadline, its status and the rule that sets it.

The kind's clock (:class:`~onshore.core.cases.declaration.Clock`) names the obligation the
policy packs set the deadline with; the case keeps the deadline it was given (``deadline``:
due date, source rule id, description; an audience obligation keeps its ``rule`` and
``due``). :func:`clocks` turns that into :class:`ClockView` values with the rule's
citation, title, pack and status read from the packs in force (the engine), and adds a
non-disclosure order when the case has one.

Example:
    >>> clock_status(None, None, timedelta(hours=1), terminal=False)
    'none'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from onshore.core.cases.declaration import CaseKindDeclaration
from onshore.core.policy.engine import PolicyEngine
from onshore.ports import Case


@dataclass(frozen=True, slots=True)
class ClockView:
    """One clock: what is due and when, its status (``breached``, ``due_soon``,
    ``on_time``, ``stopped`` in a terminal state, ``none`` without a date) and the rule
    that sets it (id, citation, title, pack, the rule's status) or ``request`` (the
    authority's own deadline)."""

    name: str
    due: datetime | None
    status: str
    rule_id: str = ""
    citation: str = ""
    title: str = ""
    pack: str = ""
    rule_status: str = ""
    description: str = ""


def clock_status(
    due: datetime | None, now: datetime | None, soon: timedelta, *, terminal: bool
) -> str:
    """``stopped`` (terminal state), ``none`` (no date), ``breached`` (past due),
    ``due_soon`` (within ``soon``) or ``on_time``."""
    if terminal:
        return "stopped"
    if due is None or now is None:
        return "none"
    if due <= now:
        return "breached"
    return "due_soon" if due - now <= soon else "on_time"


def _rule_clock(
    name: str,
    due: datetime | None,
    status: str,
    source: str,
    description: str,
    engine: PolicyEngine,
    known: Mapping[str, Any],
) -> ClockView:
    """A clock with what the packs say of the rule ``source`` (``known``: a rule summary
    the case keeps itself, used when the packs in force no longer carry the rule)."""
    try:
        rule = engine.rule(source)
    except KeyError:
        return ClockView(
            name,
            due,
            status,
            source,
            str(known.get("cite") or ""),
            str(known.get("title") or ""),
            str(known.get("pack") or ""),
            str(known.get("status") or ""),
            description,
        )
    return ClockView(
        name,
        due,
        status,
        source,
        rule.cite,
        rule.title,
        engine.pack_of(source),
        rule.status,
        description,
    )


def clocks(
    d: CaseKindDeclaration,
    case: Case,
    data: Mapping[str, Any],
    now: datetime,
    engine: PolicyEngine,
    *,
    terminal: bool,
) -> tuple[ClockView, ...]:
    """The case's clocks: the deadline of the kind's clock (the rule id from the deadline
    the case recorded, or its rule summary) and a non-disclosure order when one runs."""
    out: list[ClockView] = []
    soon = d.clock.due_soon if d.clock else timedelta(hours=24)
    deadline = data.get("deadline") if isinstance(data.get("deadline"), Mapping) else None
    rule = data.get("rule") if isinstance(data.get("rule"), Mapping) else {}
    assert rule is not None
    source = str((deadline or {}).get("source") or rule.get("rule_id") or "")
    description = str(
        (deadline or {}).get("description") or (d.clock.description if d.clock else "")
    )
    due = case.due_at
    if due is None and not terminal and data.get("due"):
        due = _parse(data.get("due"))
    if d.clock is not None or due is not None or source:
        status = clock_status(due, now, soon, terminal=terminal)
        name = d.clock.requirement if d.clock else "deadline"
        if source and source != "request":
            out.append(_rule_clock(name, due, status, source, description, engine, rule))
        else:
            out.append(ClockView(name, due, status, source, description=description))
    ndo = _parse(data.get("ndo_until"))
    if ndo is not None:
        running = "on_time" if ndo > now else "stopped"
        out.append(ClockView("ndo_until", ndo, running, "request"))
    return tuple(out)


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
