"""``/v1/transfers``: the transfer register and the impact-assessment dossiers over HTTP.

``GET /v1/transfers`` is the register built from the region ledgers (per exporting region,
destination country and purpose: categories, records, subjects, legal basis, first and last
transfer), filtered by ``country``, ``region`` and ``since``. ``POST /v1/transfers/sync``
opens the assessments the register's routes owe and lack (transfers open them themselves;
this catches up). ``GET /v1/transfers/dossiers/{case_id}`` is a case's dossier (JSON,
Markdown or HTML): as filed, or as drafted now. The ``transfer_assessment`` cases are under
``/v1/cases/transfer-assessments``, generated from the declaration
(:mod:`onshore.server.routes.cases`). Reading needs ``cases.read``; ``sync`` and the
operator's steps ``cases.write``; filing, reviews, dismissing and closing ``cases.review``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BeforeValidator, Field

from onshore.core.cases.kinds.transfer_assessment import TRANSFER_ASSESSMENT
from onshore.core.local_time import bare_date
from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute
from onshore.server.models import CaseId, Strict
from onshore.server.permissions import Permission
from onshore.server.routes.cases import _clamp, add_case_routes
from onshore.services.transfer_assessments import TransferAssessments
from onshore.services.transfer_register import register

router = APIRouter(tags=["transfers"], route_class=LimitedRoute)

#: ``since``: a time (a bare date is midnight in the deployment's zone).
Since = Annotated[datetime, BeforeValidator(bare_date)]
_SINCE = (
    "Transfers at or after this time: ISO 8601 (naive means UTC; a bare date is midnight in "
    "the deployment's zone); times beyond 1970..2999 are read as those bounds."
)


def service(request: Request, ctx: ServerContext = Depends(context)) -> TransferAssessments:  # noqa: B008
    """The app's transfer-assessment service (built once over the app's runtime)."""
    svc: TransferAssessments | None = getattr(request.app.state, "onshore_transfers", None)
    if svc is None or svc.runtime is not ctx.vault.runtime:
        svc = TransferAssessments(ctx.vault.runtime, registry=ctx.metrics.registry)
        request.app.state.onshore_transfers = svc
    return svc


class RegisterRowOut(Strict):
    """One route of the register (``not recorded``: a leaf older than the field)."""

    from_region: str
    from_country: str
    destination: str = Field(examples=["SG"])
    purpose: str
    categories: list[str] | str
    kinds: list[str] | str
    records: int
    subjects: int = Field(description="Distinct subjects (by keyed hash, nothing decrypted).")
    legal_basis: list[str] = Field(description="The rules that decided the transfers.")
    first_transfer_at: str
    last_transfer_at: str


class RegisterOut(Strict):
    """The transfer register."""

    rows: list[RegisterRowOut]


class SyncOut(Strict):
    """The assessments ``sync`` opened now (ids), and how many were already open."""

    opened: list[str]
    already_open: int


@router.get("/v1/transfers", response_model=RegisterOut)
def transfer_register(
    country: str | None = Query(default=None, pattern="^[A-Z]{2}$"),
    region: str | None = Query(default=None, max_length=64),
    since: Since | None = Query(default=None, description=_SINCE),  # noqa: B008
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: TransferAssessments = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """The transfer register, from the region ledgers (no personal data)."""
    rows = register(svc.runtime, country=country, since=_clamp(since), region=region)
    return {"rows": [r.to_dict() for r in rows]}


@router.post("/v1/transfers/sync", response_model=SyncOut)
def sync(
    _: Principal = Depends(require(Permission.CASES_WRITE)),  # noqa: B008
    svc: TransferAssessments = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Open the assessments the register's routes owe and lack (idempotent)."""
    got = svc.sync()
    return {
        "opened": [o.case.case_id for o in got if o.created],
        "already_open": sum(1 for o in got if not o.created),
    }


@router.get(
    "/v1/transfers/dossiers/{case_id}",
    response_model=None,
    responses={
        200: {
            "description": "The dossier: JSON, or Markdown / HTML with ``format``.",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/markdown": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            },
        }
    },
)
def dossier(
    case_id: CaseId,
    format: str = Query(default="json", pattern="^(json|markdown|html)$"),
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: TransferAssessments = Depends(service),  # noqa: B008
) -> Any:
    """A case's dossier, as filed or as drafted now; what is not known reads TO COMPLETE."""
    out = svc.dossier(case_id, format)
    if format == "html":
        return HTMLResponse(out)
    if format == "markdown":
        return PlainTextResponse(out, media_type="text/markdown; charset=utf-8")
    return out


MODELS = add_case_routes(router, TRANSFER_ASSESSMENT, service)
