"""What every ``CaseStore`` backend shares: input checks, JSON columns and listing order.

(The query and cursor of a listing are ``onshore.core.cases.listing``.)

Example:
    >>> to_json({"b": 1, "a": [True, None]})
    '{"a":[true,null],"b":1}'
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from onshore.core.cases.listing import sort_key as listing_key
from onshore.core.errors import InputError
from onshore.core.timestamps import utc
from onshore.ports import Case, CaseEvent, LegalHold

CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}")


def to_json(data: Mapping[str, Any]) -> str:
    """A case's data or an event's note as JSON text; ``InputError`` if it is not JSON."""
    try:
        return json.dumps(dict(data), sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InputError(f"case data must be JSON: {exc}") from exc


def checked_case(case: Case) -> Case:
    """``case`` with UTC timestamps, after checking its id, state and version."""
    if not isinstance(case.case_id, str) or not CASE_ID.fullmatch(case.case_id):
        raise InputError(
            "a case id is 1-128 letters, digits or . _ : - (starting with a letter or digit)",
            details={"field": "case_id"},
        )
    if not case.kind or not case.state or not case.region:
        raise InputError("a case needs a kind, a state and a region")
    if case.version < 1:
        raise InputError("a case version starts at 1", details={"version": case.version})
    data = json.loads(to_json(case.data))
    return Case(
        case_id=case.case_id,
        kind=case.kind,
        state=case.state,
        region=case.region,
        created_at=utc(case.created_at),
        updated_at=utc(case.updated_at),
        due_at=utc(case.due_at) if case.due_at is not None else None,
        data=data,
        version=case.version,
    )


def checked_event(event: CaseEvent) -> CaseEvent:
    """``event`` with a UTC timestamp, after checking its sequence number and note."""
    if event.seq < 1:
        raise InputError("event sequence numbers start at 1", details={"seq": event.seq})
    if not event.action:
        raise InputError("a case event needs an action")
    note = json.loads(to_json(event.note))
    return CaseEvent(
        case_id=event.case_id,
        seq=event.seq,
        at=utc(event.at),
        actor=event.actor,
        role=event.role,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        note=note,
    )


def checked_hold(hold: LegalHold) -> LegalHold:
    """``hold`` with UTC timestamps, after checking it expires after it was placed."""
    if not hold.subject_ref:
        raise InputError("a legal hold needs a subject ref")
    placed, expires = utc(hold.placed_at), utc(hold.expires_at)
    if expires <= placed:
        raise InputError("a legal hold must expire after it is placed")
    released = utc(hold.released_at) if hold.released_at is not None else None
    return LegalHold(
        bytes(hold.subject_ref), hold.case_id, placed, expires, hold.extended, released
    )


def sort_key(case: Case, order: str) -> tuple[Any, ...]:
    """The keyset a listing is ordered by (``core.cases.listing.sort_key``)."""
    return listing_key(case, order)
