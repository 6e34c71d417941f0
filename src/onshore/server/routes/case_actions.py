"""What every case resource shares: the action body, permissions derived from the lifecycle
table, the per-action authorisation dependency, and the history view.

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

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field

from onshore.core.cases.lifecycle import Lifecycle
from onshore.ports import CaseEvent
from onshore.server.auth import Principal, authorize
from onshore.server.context import ServerContext, context
from onshore.server.models import ActionName, Strict
from onshore.server.permissions import Permission

_bearer = HTTPBearer(auto_error=False)


class ActionIn(Strict):
    """An action's note (reason codes, decisions, new scope...) and the version read."""

    note: dict[str, Any] = Field(default_factory=dict)
    expected_version: int | None = Field(default=None, ge=1)


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


def action_principal(
    permissions: Mapping[str, Permission],
) -> Callable[..., Awaitable[Principal]]:
    """A dependency authorising ``POST .../{case_id}/actions/{action}`` for that action."""

    async def dependency(
        request: Request,
        action: ActionName,
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
        ctx: ServerContext = Depends(context),  # noqa: B008
    ) -> Principal:
        permission = permissions.get(action, Permission.CASES_WRITE)
        return await authorize(request, credentials, ctx, permission)

    return dependency


def history_view(events: Iterable[CaseEvent], *, notes: bool = False) -> list[dict[str, Any]]:
    """A case's history as JSON rows (with each event's note when ``notes``)."""
    rows = []
    for e in events:
        row: dict[str, Any] = {
            "seq": e.seq,
            "at": e.at.isoformat(),
            "actor": e.actor,
            "role": e.role,
            "action": e.action,
            "from": e.from_state,
            "to": e.to_state,
        }
        if notes:
            row["note"] = e.note
        rows.append(row)
    return rows
