"""``/v1/cases/requests``: authority data requests over HTTP.

The intake, listing, lifecycle, deadlines, a request with its history and its actions are
generated from the declaration (:mod:`onshore.server.routes.cases`); this module adds the
service, the scope-size limit and the transparency report. Who may do what follows the
permission matrix: reading needs ``cases.read`` (auditors read), opening a case and the
operator's steps ``cases.write``, the legal reviewer's steps ``cases.review``, the
approver's steps (release, send back, declare an emergency) ``cases.approve``. The lifecycle
table then checks the principal's roles once more, and the two-person rule compares
principal ids: whoever approved in legal review cannot release.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, model_validator

from onshore.core.cases.kinds.authority_request import AUTHORITY_REQUEST, RequestIn
from onshore.core.cases.scope import SCOPE_IDENTIFIERS
from onshore.core.errors import TooManyItems
from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute
from onshore.server.models import AwareTime, Strict
from onshore.server.permissions import Permission
from onshore.server.routes.case_actions import action_permissions
from onshore.server.routes.cases import add_case_routes, principal_of
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.transparency import publish

router = APIRouter(prefix="/v1/cases/requests", tags=["requests"], route_class=LimitedRoute)

#: The permission each action needs (derived from the lifecycle table's roles).
ACTION_PERMISSION: dict[str, Permission] = action_permissions(AUTHORITY_REQUEST.lifecycle)


def service(request: Request, ctx: ServerContext = Depends(context)) -> AuthorityRequestService:  # noqa: B008
    """The app's requests service (built once, over the app's vault and metrics registry)."""
    svc: AuthorityRequestService | None = getattr(request.app.state, "onshore_requests", None)
    if svc is None or svc.vault is not ctx.vault:
        svc = AuthorityRequestService(ctx.vault, registry=ctx.metrics.registry)
        request.app.state.onshore_requests = svc
    return svc


class ReportIn(Strict):
    """The transparency report's period (naive times are UTC), country and suppression
    threshold."""

    start: AwareTime = Field(alias="from")
    end: AwareTime = Field(alias="to")
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    k: int = Field(default=5, ge=1, le=1_000_000)

    @model_validator(mode="after")
    def _ordered(self) -> ReportIn:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")
        return self


def scope_size(body: BaseModel, ctx: ServerContext) -> None:
    """Refuse a scope naming more than ``max_scope_items`` identifiers before any is
    normalised (the intake check of this kind)."""
    assert isinstance(body, RequestIn)
    limit = ctx.options.max_scope_items
    count = 0
    for name in ("subjects", *SCOPE_IDENTIFIERS):
        value = body.scope.get(name)
        count += len(value) if isinstance(value, list) else 1 if value is not None else 0
    if count > limit:
        raise TooManyItems(
            f"a request scope names at most {limit} identifiers",
            details={"limit": limit, "count": count},
        )


@router.post("/transparency")
def transparency(
    body: ReportIn,
    principal: Principal = Depends(require(Permission.CASES_WRITE)),  # noqa: B008
    svc: AuthorityRequestService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Publish the transparency report (files under ``<base_dir>/reports``; hash on the ledger)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    out = Path(svc.runtime.settings.base_dir) / "reports" / f"transparency-{stamp}"
    done = publish(
        svc,
        body.start,
        body.end,
        out,
        country=body.country,
        k=body.k,
        actor=principal_of(principal).id,
    )
    return {**done.to_dict(), "report": json.loads((out / "transparency.json").read_text())}


MODELS = add_case_routes(router, AUTHORITY_REQUEST, service, check_intake=scope_size)
