"""A case's deadline: a due date and the rule (or the request) that set it (pure).

``earliest_deadline(obligations, requirement)`` picks, among a policy decision's
obligations of one requirement type (``respond_within``, ``remove_within``...), the one due
first.

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.core.policy.decision import Obligation
    >>> t = datetime(2026, 8, 3, tzinfo=timezone.utc)
    >>> owed = [Obligation("vn.a", "respond_within", "in 72 h", t.replace(day=6)),
    ...         Obligation("vn.b", "respond_within", "in 24 h", t.replace(day=4))]
    >>> earliest_deadline(owed, "respond_within").source
    'vn.b'
    >>> earliest_deadline(owed, "remove_within") is None
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from onshore.core.policy.decision import Obligation


@dataclass(frozen=True, slots=True)
class Deadline:
    """A due date and where it came from (a pack rule id, or ``request``)."""

    due: datetime
    source: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"due": self.due.isoformat(), "source": self.source, "description": self.description}


def earliest_deadline(obligations: Iterable[Obligation], requirement: str) -> Deadline | None:
    """The first-due obligation of type ``requirement`` as a deadline; None when none is due."""
    owed = [o for o in obligations if o.kind == requirement and o.due is not None]
    if not owed:
        return None
    first = min(owed, key=lambda o: cast(datetime, o.due))
    assert first.due is not None
    return Deadline(first.due, first.rule_id, first.description)
