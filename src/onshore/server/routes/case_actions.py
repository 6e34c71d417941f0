"""What every case resource shares: permissions derived from the lifecycle table and the
history view (the routes themselves: :mod:`onshore.server.routes.cases`).

An action's permission follows the roles the lifecycle table gives it: actions only an
approver may take need ``cases.approve``, actions only a legal reviewer may take need
``cases.review``, every other action ``cases.write``. The table then checks the token's
role once more when the transition is applied.

Example:
    >>> from onshore.core.cases.authority_requests import REQUESTS
    >>> action_permissions(REQUESTS)["release"].value
    'cases.approve'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onshore.core.cases.lifecycle import Lifecycle
from onshore.ports import CaseEvent
from onshore.server.permissions import Permission


def action_permissions(lifecycle: Lifecycle) -> dict[str, Permission]:
    """The permission each action of ``lifecycle`` needs (see the module docstring)."""

    def permission_of(action: str) -> Permission:
        roles = set().union(*(t.roles for t in lifecycle.transitions if t.action == action))
        if roles and roles <= {"approver"}:
            return Permission.CASES_APPROVE
        if roles and roles <= {"legal_reviewer"}:
            return Permission.CASES_REVIEW
        return Permission.CASES_WRITE

    return {action: permission_of(action) for action in lifecycle.actions}


def history_view(events: Iterable[CaseEvent], *, notes: bool = False) -> list[dict[str, Any]]:
    """A case's history as JSON rows (with each event's note when ``notes``)."""
    return [e.row(notes=notes) for e in events]
