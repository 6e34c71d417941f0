"""``/v1/cases/breaches``: personal-data breaches over HTTP.

The intake, listing, lifecycle, deadlines, a breach with its history and its actions are
generated from the declaration (:mod:`onshore.server.routes.cases`); this module adds the
service and the notifications of a case (``GET /v1/cases/breaches/{case_id}/notifications``
as JSON, Markdown or HTML). Reading needs ``cases.read``; recording a breach and the
operator's steps ``cases.write``; notifying the authority, closing and dismissing
``cases.review`` (legal reviewers).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from onshore.core.cases.kinds.breach import BREACH, MAX_SCOPE_ITEMS, BreachIn
from onshore.core.errors import CaseNotFound, TooManyItems
from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute
from onshore.server.models import CaseId
from onshore.server.permissions import Permission
from onshore.server.routes.cases import add_case_routes
from onshore.services.breaches import BreachService

router = APIRouter(prefix=BREACH.base_path, tags=["breaches"], route_class=LimitedRoute)


def service(request: Request, ctx: ServerContext = Depends(context)) -> BreachService:  # noqa: B008
    """The app's breach service (built once over the app's runtime and metrics registry)."""
    svc: BreachService | None = getattr(request.app.state, "onshore_breaches", None)
    if svc is None or svc.runtime is not ctx.vault.runtime:
        svc = BreachService(ctx.vault.runtime, registry=ctx.metrics.registry)
        request.app.state.onshore_breaches = svc
    return svc


def scope_size(body: Any, ctx: ServerContext) -> None:
    """Refuse a scope naming more than ``max_scope_items`` record ids, subject ids and
    identifiers in all."""
    assert isinstance(body, BreachIn)
    limit = min(ctx.options.max_scope_items, MAX_SCOPE_ITEMS)
    count = len(body.scope.record_ids) + len(body.scope.subjects)
    count += sum(len(v) for v in body.scope.identifiers.values())
    if count > limit:
        raise TooManyItems(
            f"a breach scope names at most {limit} record ids, subject ids and identifiers",
            details={"limit": limit, "count": count},
        )


@router.get(
    "/{case_id}/notifications",
    response_model=None,
    responses={
        200: {
            "description": "Each law's notification: JSON, or Markdown / HTML with ``format``.",
            "content": {
                "application/json": {"schema": {"type": "array"}},
                "text/markdown": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            },
        }
    },
)
def notifications(
    case_id: CaseId,
    format: str = Query(default="json", pattern="^(json|markdown|html)$"),
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: BreachService = Depends(service),  # noqa: B008
) -> Any:
    """The notifications as sent (once the authority was notified) or as drafted now; what
    is not known yet is marked missing."""
    if svc.cases.get(case_id).kind != BREACH.name:
        raise CaseNotFound("no breach with that id", details={"case_id": case_id})
    out = svc.documents(case_id, format)
    if format == "html":
        return HTMLResponse(out)
    if format == "markdown":
        return PlainTextResponse(out, media_type="text/markdown; charset=utf-8")
    return out


MODELS = add_case_routes(router, BREACH, service, check_intake=scope_size)
