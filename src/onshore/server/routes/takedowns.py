"""``/v1/cases/takedowns``: takedown notices over HTTP.

The intake, listing, lifecycle, a notice with its history and its actions are generated from
the declaration (:mod:`onshore.server.routes.cases`); this module adds the service, the
breached/due-soon listing, the report, the DSA export and the Lumen view. Reading needs
``cases.read``; receiving a notice and the operator's steps ``cases.write``; steps only a
legal reviewer may take (legal review, appeals) ``cases.review``. The lifecycle table then
checks the principal's roles once more, and "someone other than the original reviewer"
compares principal ids.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from onshore.core.cases.kinds.takedown import TAKEDOWN
from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute
from onshore.server.models import CaseId
from onshore.server.permissions import Permission
from onshore.server.routes.case_actions import action_permissions
from onshore.server.routes.cases import add_case_routes
from onshore.services.takedowns import TakedownService, case_view

router = APIRouter(prefix="/v1/cases/takedowns", tags=["takedowns"], route_class=LimitedRoute)

#: The permission each action needs (derived from the lifecycle table's roles).
ACTION_PERMISSION: dict[str, Permission] = action_permissions(TAKEDOWN.lifecycle)


def service(request: Request, ctx: ServerContext = Depends(context)) -> TakedownService:  # noqa: B008
    """The app's takedown service (built once over the app's runtime and metrics registry)."""
    svc: TakedownService | None = getattr(request.app.state, "onshore_takedowns", None)
    if svc is None or svc.runtime is not ctx.vault.runtime:
        svc = TakedownService(ctx.vault.runtime, registry=ctx.metrics.registry)
        request.app.state.onshore_takedowns = svc
    return svc


@router.get("/due", summary="List takedown notices past or near their removal deadline")
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


@router.get("/{case_id}/lumen")
def lumen(
    case_id: CaseId,
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: TakedownService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """The notice in Lumen's submission shape."""
    return svc.lumen_export(case_id)


MODELS = add_case_routes(router, TAKEDOWN, service, skip={"due"})
