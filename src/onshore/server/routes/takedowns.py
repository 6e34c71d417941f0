"""``/v1/cases/takedowns``: takedown notices over HTTP.

Reading needs ``cases.read``; receiving a notice and the operator's steps ``cases.write``;
steps only a legal reviewer may take (legal review, appeals) ``cases.review``. The
lifecycle table then checks the token's role once more, and "someone other than the
original reviewer" compares token names.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import Field

from onshore.core.cases.takedowns import KIND, SOURCES, TAKEDOWNS
from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute
from onshore.server.models import ActionName, CaseId, Strict, check_states, states_query
from onshore.server.permissions import Permission
from onshore.server.routes.case_actions import (
    ActionIn,
    action_permissions,
    action_principal,
    history_view,
)
from onshore.services.takedowns import TakedownService, case_view

router = APIRouter(prefix="/v1/cases/takedowns", tags=["takedowns"], route_class=LimitedRoute)

_STATES: Any = states_query(TAKEDOWNS.states)


#: The permission each action needs (derived from the lifecycle table's roles).
ACTION_PERMISSION: dict[str, Permission] = action_permissions(TAKEDOWNS)


def service(request: Request, ctx: ServerContext = Depends(context)) -> TakedownService:  # noqa: B008
    """The app's takedown service (built once over the app's runtime and metrics registry)."""
    svc: TakedownService | None = getattr(request.app.state, "onshore_takedowns", None)
    if svc is None or svc.runtime is not ctx.vault.runtime:
        svc = TakedownService(ctx.vault.runtime, registry=ctx.metrics.registry)
        request.app.state.onshore_takedowns = svc
    return svc


class NoticeIn(Strict):
    """A notice as received."""

    source: str = Field(
        examples=["authority_order"],
        description="authority_order, trusted_flagger or user_complaint",
        json_schema_extra={"enum": list(SOURCES)},
    )
    urgent: bool = Field(default=False, description="An urgent request (6 h under LCS 2025).")
    notice: dict[str, Any] = Field(
        description="reason, content [{url|puid, content_type}], sender {name, kind, email...}, "
        "recipient, jurisdictions, reference, legal_basis, category",
        examples=[
            {
                "reason": "unlicensed gambling ads",
                "jurisdictions": ["VN"],
                "content": [{"url": "https://example.vn/p/1"}],
                "sender": {"name": "MIC", "kind": "authority", "email": "x@mic.example"},
            }
        ],
    )
    region: str | None = Field(default=None, description="Region to hold the case.")


@router.post("", status_code=201)
def receive(
    body: NoticeIn,
    principal: Principal = Depends(require(Permission.CASES_WRITE)),  # noqa: B008
    svc: TakedownService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Log a notice (state ``received``); the deadline comes from the packs."""
    case = svc.receive(
        source=body.source,
        notice=body.notice,
        actor=principal.name,
        role=principal.role,
        urgent=body.urgent,
        region=body.region,
    )
    return case_view(case)


@router.get("")
def list_notices(
    state: list[str] = _STATES,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=100, ge=1, le=1000),
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: TakedownService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Notices by id, a page at a time."""
    page = svc.cases.page(
        kind=KIND, states=check_states(state, TAKEDOWNS.states), after=cursor, limit=limit
    )
    return {"items": [case_view(c) for c in page.cases], "next_cursor": page.next_cursor}


@router.get("/lifecycle")
def lifecycle(_: Principal = Depends(require(Permission.CASES_READ))) -> dict[str, Any]:  # noqa: B008
    """The transition table (states, actions, roles, guards)."""
    return TAKEDOWNS.to_dict()


@router.get("/due")
def due(
    within_hours: float = Query(default=6, gt=0, le=24 * 365),
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: TakedownService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Breached (overdue) and due-soon notices (also refreshes the case gauges)."""
    window = timedelta(hours=within_hours)
    report = svc.due(within=window)
    svc.cases.refresh_gauges(within=window)
    return {
        "breached": [case_view(c) for c in report.overdue],
        "due_soon": [case_view(c) for c in report.due_soon],
    }


@router.get(
    "/report",
    response_model=None,
    responses={
        200: {
            "description": "The report as JSON, or as CSV with ``format=csv``.",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
def report(
    format: str = Query(default="json", pattern="^(json|csv)$"),
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: TakedownService = Depends(service),  # noqa: B008
) -> dict[str, Any] | PlainTextResponse:
    """Removal requests by requester type, reason, action; median times (JSON or CSV)."""
    out = svc.report()
    if format == "json":
        return out
    buf = io.StringIO()
    rows = out["rows"]
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["case_id"])
    writer.writeheader()
    writer.writerows(rows)
    return PlainTextResponse(buf.getvalue(), media_type="text/csv")


@router.get("/export/dsa")
def export_dsa(
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: TakedownService = Depends(service),  # noqa: B008
) -> list[dict[str, Any]]:
    """Sent statements of reasons as DSA Transparency Database batch bodies (validated)."""
    return svc.dsa_export()


@router.get("/{case_id}")
def get_notice(
    case_id: CaseId,
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: TakedownService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """A notice with its history."""
    out = case_view(svc.cases.get(case_id))
    out["history"] = history_view(svc.cases.history(case_id))
    return out


@router.get("/{case_id}/lumen")
def lumen(
    case_id: CaseId,
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: TakedownService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """The notice in Lumen's submission shape."""
    return svc.lumen_export(case_id)


_action_principal = action_principal(ACTION_PERMISSION)


@router.post("/{case_id}/actions/{action}")
def act(
    case_id: CaseId,
    action: ActionName,
    body: ActionIn | None = None,
    principal: Principal = Depends(_action_principal),  # noqa: B008
    svc: TakedownService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Take ``action`` on a notice (see ``GET /v1/cases/takedowns/lifecycle``)."""
    body = body or ActionIn()
    case = svc.act(
        case_id,
        action,
        actor=principal.name,
        role=principal.role,
        note=body.note,
        expected_version=body.expected_version,
    )
    return case_view(case)
