"""``/v1/cases/requests``: authority data requests over HTTP.

Who may do what follows the permission matrix: reading needs ``cases.read`` (auditors
read), opening a case and the operator's steps ``cases.write`` (operators collect and
package), the legal reviewer's steps ``cases.review``, the approver's steps (release,
send back, declare an emergency) ``cases.approve``. The lifecycle table then checks the
token's role once more, and the two-person rule compares token names: the token that
approved in legal review cannot release.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field, model_validator

from onshore.core.cases.authority_requests import KIND, PROCESS_TYPES, REQUESTS
from onshore.core.cases.scope import SCOPE_IDENTIFIERS
from onshore.core.errors import TooManyItems
from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute
from onshore.server.models import ActionName, AwareTime, CaseId, Strict, check_states, states_query
from onshore.server.permissions import Permission
from onshore.server.routes.case_actions import (
    ActionIn,
    action_permissions,
    action_principal,
    history_view,
)
from onshore.services.authority_requests import AuthorityRequestService, case_view
from onshore.services.transparency import publish

router = APIRouter(prefix="/v1/cases/requests", tags=["requests"], route_class=LimitedRoute)

_STATES: Any = states_query(REQUESTS.states)


#: The permission each action needs (derived from the lifecycle table's roles).
ACTION_PERMISSION: dict[str, Permission] = action_permissions(REQUESTS)


def service(request: Request, ctx: ServerContext = Depends(context)) -> AuthorityRequestService:  # noqa: B008
    """The app's requests service (built once, over the app's vault and metrics registry)."""
    svc: AuthorityRequestService | None = getattr(request.app.state, "onshore_requests", None)
    if svc is None or svc.vault is not ctx.vault:
        svc = AuthorityRequestService(ctx.vault, registry=ctx.metrics.registry)
        request.app.state.onshore_requests = svc
    return svc


#: The longest deadline a request may state, per unit (ten years): larger amounts are 422.
MAX_RESPOND_WITHIN: dict[str, int] = {
    "hour": 24 * 366 * 10,
    "day": 3660,
    "working_day": 2610,
    "month": 120,
    "year": 10,
}


class RespondWithinIn(Strict):
    """The deadline a request states: ``amount`` of ``unit`` (at most ten years)."""

    amount: int = Field(ge=0, le=max(MAX_RESPOND_WITHIN.values()), examples=[2])
    unit: Literal["hour", "day", "working_day", "month", "year"] = Field(examples=["working_day"])

    @model_validator(mode="after")
    def _within_ten_years(self) -> RespondWithinIn:
        if self.amount > MAX_RESPOND_WITHIN[self.unit]:
            raise ValueError(f"at most {MAX_RESPOND_WITHIN[self.unit]} {self.unit}s")
        return self


class ReceiveIn(Strict):
    """A request as received from an authority."""

    authority: str = Field(
        max_length=64, examples=["VN-A05"], description="Registry id of the authority."
    )
    process_type: str = Field(
        max_length=64, examples=["warrant"], json_schema_extra={"enum": list(PROCESS_TYPES)}
    )
    reference: str = Field(min_length=1, max_length=200)
    legal_basis: str = Field(min_length=1, max_length=500)
    scope: dict[str, Any] = Field(
        description="subjects / phone_number / email / national_id lists (at most "
        "``max_scope_items`` identifiers in all), from, to, categories",
        examples=[{"phone_number": ["0912345678"], "categories": ["phone_number"]}],
    )
    respond_within: RespondWithinIn | None = Field(
        default=None, examples=[{"amount": 2, "unit": "working_day"}]
    )
    ndo_until: AwareTime | None = Field(
        default=None, description="Non-disclosure order end (ISO 8601; naive means UTC)."
    )


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


def _scope_size(scope: dict[str, Any], limit: int) -> None:
    """Refuse a scope naming more than ``limit`` identifiers before any is normalised."""
    count = 0
    for name in ("subjects", *SCOPE_IDENTIFIERS):
        value = scope.get(name)
        count += len(value) if isinstance(value, list) else 1 if value is not None else 0
    if count > limit:
        raise TooManyItems(
            f"a request scope names at most {limit} identifiers",
            details={"limit": limit, "count": count},
        )


@router.post("", status_code=201)
def receive(
    body: ReceiveIn,
    principal: Principal = Depends(require(Permission.CASES_WRITE)),  # noqa: B008
    svc: AuthorityRequestService = Depends(service),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """Open a request (state ``received``)."""
    _scope_size(body.scope, ctx.options.max_scope_items)
    within = body.respond_within.model_dump() if body.respond_within else None
    ndo_until = body.ndo_until.isoformat() if body.ndo_until else None
    case = svc.receive(
        authority=body.authority,
        process_type=body.process_type,
        reference=body.reference,
        legal_basis=body.legal_basis,
        scope=body.scope,
        actor=principal.name,
        role=principal.role,
        respond_within=within,
        ndo_until=ndo_until,
    )
    return case_view(case)


@router.get("")
def list_requests(
    state: list[str] = _STATES,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=100, ge=1, le=1000),
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: AuthorityRequestService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Requests by id, a page at a time."""
    page = svc.cases.page(
        kind=KIND, states=check_states(state, REQUESTS.states), after=cursor, limit=limit
    )
    return {"items": [case_view(c) for c in page.cases], "next_cursor": page.next_cursor}


@router.get("/lifecycle")
def lifecycle(_: Principal = Depends(require(Permission.CASES_READ))) -> dict[str, Any]:  # noqa: B008
    """The transition table (states, actions, roles, guards)."""
    return REQUESTS.to_dict()


@router.get("/due")
def due(
    within_hours: float = Query(default=24, gt=0, le=24 * 365),
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: AuthorityRequestService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Overdue and due-soon requests (also refreshes the case gauges on /metrics)."""
    window = timedelta(hours=within_hours)
    report = svc.cases.due(kind=KIND, within=window)
    svc.cases.refresh_gauges(within=window)
    return {
        "overdue": [case_view(c) for c in report.overdue],
        "due_soon": [case_view(c) for c in report.due_soon],
    }


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
        svc, body.start, body.end, out, country=body.country, k=body.k, actor=principal.name
    )
    return {**done.to_dict(), "report": json.loads((out / "transparency.json").read_text())}


@router.get("/{case_id}")
def get_request(
    case_id: CaseId,
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: AuthorityRequestService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """A request with its history."""
    out = case_view(svc.cases.get(case_id))
    out["history"] = history_view(svc.cases.history(case_id), notes=True)
    return out


_action_principal = action_principal(ACTION_PERMISSION)


@router.post("/{case_id}/actions/{action}")
def act(
    case_id: CaseId,
    action: ActionName,
    body: ActionIn | None = None,
    principal: Principal = Depends(_action_principal),  # noqa: B008
    svc: AuthorityRequestService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Take ``action`` on a request (see ``GET /v1/cases/requests/lifecycle``)."""
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
