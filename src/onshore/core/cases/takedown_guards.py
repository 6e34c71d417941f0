"""The takedown lifecycle's custom guards (pure: they look only at the case, note and time).

The table in :mod:`onshore.core.cases.takedowns` names them; :mod:`onshore.services.takedowns`
registers them with the case machinery.

Example:
    >>> sorted(GUARDS)[:3]
    ['authority_order', 'decision_valid', 'legal_reviewed']
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import cast

from onshore.core.cases.dsa_schema import dsa_problems
from onshore.core.cases.guards import Guard, GuardContext
from onshore.core.cases.takedowns import decision_problems, missing_elements


def _notice_incomplete(ctx: GuardContext) -> str | None:
    return None if missing_elements(ctx.case.data["notice"]) else "the notice is complete"


def _notice_complete(ctx: GuardContext) -> str | None:
    missing = missing_elements(ctx.case.data["notice"])
    return f"the notice lacks: {', '.join(missing)}" if missing else None


def _authority(ctx: GuardContext) -> bool:
    return bool(ctx.case.data["notice"]["source"] == "authority_order")


def _legal_reviewed(ctx: GuardContext) -> str | None:
    if _authority(ctx) and not any(e.action == "clear" for e in ctx.history):
        return "an authority order needs its legal review (clear) before a decision"
    return None


def _decision_valid(ctx: GuardContext) -> str | None:
    decision = ctx.note.get("decision")
    if not isinstance(decision, Mapping):
        return "the note needs a decision object"
    problems = decision_problems(decision)
    return "; ".join(problems) if problems else None


def _action(ctx: GuardContext) -> str | None:
    return cast(str | None, (ctx.case.data.get("decision") or {}).get("action"))


def _statement_valid(ctx: GuardContext) -> str | None:
    st = ctx.note.get("statement") or {}
    if st.get("decision") == "no_action":
        return None if st.get("explanation") else "the decision notice needs an explanation"
    problems = dsa_problems(st)
    return "statement does not validate: " + "; ".join(problems) if problems else None


def _window(ctx: GuardContext) -> datetime | None:
    closes = (ctx.case.data.get("appeal_window") or {}).get("closes")
    return datetime.fromisoformat(closes) if closes else None


#: The takedown lifecycle's custom guards (all look only at the case, note and time).
GUARDS: dict[str, Guard] = {
    "notice_incomplete": _notice_incomplete,
    "notice_complete": _notice_complete,
    "authority_order": lambda c: None if _authority(c) else "not an authority order",
    "not_authority_order": lambda c: (
        "an authority order goes to legal review first" if _authority(c) else None
    ),
    "decision_valid": _decision_valid,
    "legal_reviewed": _legal_reviewed,
    "restricts": lambda c: (
        None
        if _action(c) in ("remove", "restrict")
        else "a no_action decision has nothing to enforce"
    ),
    "no_action_decision": lambda c: (
        None if _action(c) == "no_action" else "a restrictive decision is enforced first"
    ),
    "statement_valid": _statement_valid,
    "window_open": lambda c: (
        None if (w := _window(c)) and c.now < w else "the appeal window has closed"
    ),
    "window_elapsed": lambda c: (
        None if (w := _window(c)) and c.now >= w else "the appeal window is still open"
    ),
}
