"""The authority-request lifecycle's guards that look only at the case (pure).

The table in :mod:`onshore.core.cases.authority_requests` names them; ``services.requests`` adds the
two that need I/O (``authority_verified``: the registry; ``package_intact``: the files).

Example:
    >>> sorted(GUARDS)[:3]
    ['collected', 'emergency_case', 'emergency_process']
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from onshore.core.cases.authority_requests import REASON_CODES
from onshore.core.cases.guards import Guard, GuardContext
from onshore.core.errors import InputError


def parse_time(value: Any, field: str = "time") -> datetime | None:
    """An ISO 8601 time with an offset, or None for an empty value; ``InputError`` naming
    ``field`` otherwise."""
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InputError(
            f"{field} must be an ISO 8601 time with an offset", details={"field": field}
        )
    return parsed


def _ndo_running(ctx: GuardContext) -> str | None:
    until = parse_time(ctx.case.data.get("ndo_until"))
    if until is not None and ctx.now < until:
        return f"a non-disclosure order runs until {until.isoformat()}"
    return None


def _has_ndo(ctx: GuardContext) -> str | None:
    return None if _ndo_running(ctx) else "no non-disclosure order is running"


def _reason_known(ctx: GuardContext) -> str | None:
    if ctx.note.get("reason_code") in REASON_CODES:
        return None
    return f"reason_code must be one of {', '.join(REASON_CODES)}"


def _produces_data(ctx: GuardContext) -> str | None:
    if ctx.case.data.get("process_type") == "preservation":
        return "a preservation request is preserved, not produced"
    return None


def _hold_extendable(ctx: GuardContext) -> str | None:
    h = ctx.case.data.get("holds") or {}
    if not h.get("count"):
        return "no legal hold to extend"
    return "the hold was already extended once" if h.get("extended") else None


def _residency_allowed(ctx: GuardContext) -> str | None:
    verdicts = ctx.case.data.get("residency") or {}
    if any(v.get("allowed") for v in verdicts.values()):
        return None
    return "no region holding in-scope data may disclose it"


def _collected(ctx: GuardContext) -> str | None:
    return None if ctx.case.data.get("collected") is not None else "nothing collected yet"


def _emergency_process(ctx: GuardContext) -> str | None:
    if ctx.case.data.get("process_type") == "emergency":
        return None
    return "only an emergency request takes the emergency path"


def _emergency_case(ctx: GuardContext) -> str | None:
    return None if ctx.case.data.get("emergency_path") else "not an emergency-path case"


def _not_emergency_unreviewed(ctx: GuardContext) -> str | None:
    if ctx.case.data.get("emergency_path"):
        return "an emergency disclosure needs its after-the-fact review first (post_review)"
    return None


#: The request lifecycle's custom guards that need only the case (see the table).
GUARDS: dict[str, Guard] = {
    "reason_known": _reason_known,
    "produces_data": _produces_data,
    "hold_extendable": _hold_extendable,
    "residency_allowed": _residency_allowed,
    "collected": _collected,
    "emergency_process": _emergency_process,
    "emergency_case": _emergency_case,
    "not_emergency_unreviewed": _not_emergency_unreviewed,
    "has_ndo": _has_ndo,
    "no_ndo": _ndo_running,
}
