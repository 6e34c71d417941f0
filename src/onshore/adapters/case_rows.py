"""What every ``CaseStore`` backend shares: input checks, JSON columns and listing cursors.

Example:
    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    >>> decode_cursor(encode_cursor("due_at", t, "req-1"), "due_at")
    (datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.timezone.utc), 'req-1')
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from onshore.core.errors import InputError
from onshore.core.timestamps import stamp as stamp
from onshore.core.timestamps import utc as utc
from onshore.ports import Case, CaseEvent, LegalHold

CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}")
ORDERS = ("case_id", "due_at")
MAX_LIMIT = 1000


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


def checked_listing(order: str, limit: int) -> None:
    """Reject an unknown order or a limit outside ``0..MAX_LIMIT``."""
    if order not in ORDERS:
        raise InputError(f"order must be one of {', '.join(ORDERS)}", details={"order": order})
    if not 0 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be 0..{MAX_LIMIT}", details={"limit": limit})


def encode_cursor(order: str, due_at: datetime | None, case_id: str) -> str:
    """The cursor after a case: its id, prefixed by its deadline for a ``due_at`` listing."""
    if order == "due_at":
        assert due_at is not None
        return f"{stamp(due_at)}|{case_id}"
    return case_id


def decode_cursor(cursor: str, order: str) -> tuple[datetime | None, str]:
    """``(due_at, case_id)`` from a cursor; ``InputError`` when it is malformed."""
    if order != "due_at":
        return None, cursor
    due, sep, case_id = cursor.partition("|")
    try:
        if not sep:
            raise ValueError(cursor)
        return utc(due), case_id
    except ValueError:
        raise InputError("malformed listing cursor", details={"cursor": cursor}) from None


def sort_key(case: Case, order: str) -> tuple[Any, ...]:
    """The keyset a listing is ordered by."""
    return (case.due_at, case.case_id) if order == "due_at" else (case.case_id,)
