"""Case listings: the query a ``CaseStore`` page answers, and the cursor between pages.

Listings use keyset pagination: ``order`` is ``"case_id"``, ``"due_at"`` (cases with no
deadline are left out of a ``due_at`` listing) or ``"created_at"``, ascending unless
``descending``. The cursor after a case is its id, prefixed by its deadline or its opening
time (fixed-width UTC text) in a ``due_at`` or ``created_at`` listing; callers treat it as
opaque. ``sort_key`` is the key a listing is ordered by (``case_id`` breaks ties).

Example:
    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    >>> decode_cursor(encode_cursor("due_at", t, "req-1"), "due_at")
    (datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.timezone.utc), 'req-1')
    >>> CaseQuery(kind="takedown", states=["received"]).states
    ('received',)
    >>> decode_cursor(encode_cursor("created_at", t, "req-2"), "created_at")[1]
    'req-2'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from onshore.core.cases.case import Case
from onshore.core.errors import InputError
from onshore.core.timestamps import stamp, utc

ORDERS = ("case_id", "due_at", "created_at")

#: The orders whose cursor carries a time before the case id.
_TIMED = ("due_at", "created_at")
MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """Which cases a listing holds (every filter given must match) and which page of them.

    ``states`` None means any state, an empty one none; ``due_before`` keeps cases with a
    deadline before it and ``due_from`` those with one at or after it; ``undated`` keeps
    only cases without a deadline; ``created_from``/``created_before`` bound the creation
    time (inclusive/exclusive); ``after`` is the ``next_cursor`` of the previous page;
    ``limit`` is ``0..MAX_LIMIT``; ``descending`` reverses the order. ``InputError`` for an
    unknown order or a limit out of range.
    """

    kind: str | None = None
    states: Sequence[str] | None = None
    due_before: datetime | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None
    order: str = "case_id"
    after: str | None = None
    limit: int = 100
    due_from: datetime | None = None
    undated: bool = False
    descending: bool = False

    def __post_init__(self) -> None:
        if self.order not in ORDERS:
            raise InputError(
                f"order must be one of {', '.join(ORDERS)}", details={"order": self.order}
            )
        if not 0 <= self.limit <= MAX_LIMIT:
            raise InputError(f"limit must be 0..{MAX_LIMIT}", details={"limit": self.limit})
        if self.states is not None and not isinstance(self.states, tuple):
            object.__setattr__(self, "states", tuple(self.states))

    def position(self) -> tuple[datetime | None, str] | None:
        """``(time, case_id)`` of the cursor ``after``, or None on the first page."""
        return None if self.after is None else decode_cursor(self.after, self.order)


def sort_key(case: Case, order: str) -> tuple[Any, ...]:
    """The keyset a listing in ``order`` is ordered by."""
    if order == "due_at":
        return (case.due_at, case.case_id)
    if order == "created_at":
        return (case.created_at, case.case_id)
    return (case.case_id,)


def encode_cursor(order: str, due_at: datetime | None, case_id: str) -> str:
    """The cursor after a case: its id, prefixed by the time the listing is ordered by
    (``due_at``: its deadline; ``created_at``: its opening)."""
    if order in _TIMED:
        assert due_at is not None
        return f"{stamp(due_at)}|{case_id}"
    return case_id


def cursor_after(case: Case, order: str) -> str:
    """The cursor after ``case`` in a listing in ``order``."""
    return encode_cursor(order, sort_key(case, order)[0] if order in _TIMED else None, case.case_id)


def decode_cursor(cursor: str, order: str) -> tuple[datetime | None, str]:
    """``(time, case_id)`` from a cursor (the time is None in a ``case_id`` listing);
    ``InputError`` when it is malformed."""
    if order not in _TIMED:
        return None, cursor
    due, sep, case_id = cursor.partition("|")
    try:
        if not sep:
            raise ValueError(cursor)
        return utc(due), case_id
    except ValueError:
        raise InputError("malformed listing cursor", details={"cursor": cursor}) from None
