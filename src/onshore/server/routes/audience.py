"""``/v1/audience``: audience metrics and threshold obligations over HTTP.

``POST /v1/audience/metrics`` takes ``{"rows": [...], "strict": false}`` (JSON) or, with
``?format=csv`` or ``?format=jsonl``, a raw CSV or JSON Lines body, up to the server's body
limit; larger files go through ``onshore audience ingest``. ``POST
/v1/audience/subjects/{id}/followers`` takes a day's follower list with residency signals
and ingests the per-country counts the residency resolver attributes. Reading needs ``cases.read``;
ingesting and the obligation steps ``cases.write``; filing a dossier ``cases.write`` or, for the
approver, ``cases.approve`` (docs/audience.md: the approver may file). The obligations'
listing, lifecycle, deadlines, one obligation with its history and its actions are generated
from the declaration (:mod:`onshore.server.routes.cases`).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field, ValidationError

from onshore.core.cases.kinds.audience_obligation import AUDIENCE_OBLIGATION
from onshore.core.errors import InputError, InvalidEncoding, TooManyItems
from onshore.server.auth import Principal, authenticate, authorize, require
from onshore.server.context import ServerContext, context
from onshore.server.idempotency import idempotency_key
from onshore.server.inputs import LimitedRoute, limits_of, parse_json
from onshore.server.models import (
    CaseId,
    IsoDay,
    Strict,
    SubjectId,
)
from onshore.server.permissions import Permission, allowed
from onshore.server.routes.cases import add_case_routes, principal_of
from onshore.services.audience import AudienceService
from onshore.services.case_kinds import case_view

_bearer = HTTPBearer(auto_error=False)

router = APIRouter(prefix="/v1/audience", tags=["audience"], route_class=LimitedRoute)


def service(request: Request, ctx: ServerContext = Depends(context)) -> AudienceService:  # noqa: B008
    """The app's audience service (built once over the app's runtime)."""
    svc: AudienceService | None = getattr(request.app.state, "onshore_audience", None)
    if svc is None or svc.runtime is not ctx.vault.runtime:
        svc = AudienceService(ctx.vault.runtime, registry=ctx.metrics.registry)
        request.app.state.onshore_audience = svc
    return svc


class DetailsIn(Strict):
    """What the account holder supplies for the dossier."""

    contact: dict[str, Any] = Field(examples=[{"name": "Nguyễn An", "email": "an@example.vn"}])
    content_summary: str = Field(min_length=1, max_length=5000)


class MetricsIn(Strict):
    """A batch of metrics rows as JSON (``?format=json``, the default)."""

    rows: list[dict[str, Any]] = Field(
        description="One object per (subject, country, day): subject_id, subject_type, "
        "country, date, subscribers, monthly_visits, livestreaming, monetised.",
        examples=[
            [{"subject_id": "acct-1", "country": "VN", "date": "2026-11-20", "subscribers": 12000}]
        ],
    )
    strict: bool = Field(default=False, description="Any bad row rejects the whole batch.")


#: What a raw body must look like (JSON Schema patterns, unanchored): a CSV has a line break
#: after its header; a JSON Lines body starts with an object.
_CSV_SHAPE = r"\n"
_JSONL_SHAPE = r"^\s*\{"

_METRICS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": MetricsIn.model_json_schema()},
            "text/csv": {"schema": {"type": "string", "pattern": _CSV_SHAPE}},
            "application/x-ndjson": {"schema": {"type": "string", "pattern": _JSONL_SHAPE}},
        },
    }
}


#: Content types that name a raw metrics body (``?format=`` need not be given then).
_RAW_TYPES = {"text/csv": "csv", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl"}


def _rows_text(body: bytes, fmt: str, limit: int) -> bytes:
    """A CSV or JSON Lines body, checked to be UTF-8 of the right shape (a CSV has a header
    line, a JSON Lines body starts with an object) with at most ``limit`` rows."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidEncoding(
            "a CSV or JSON Lines body must be UTF-8 text", details={"encoding": "utf-8"}
        ) from None
    shape = _CSV_SHAPE if fmt == "csv" else _JSONL_SHAPE
    if not re.search(shape, text):
        raise InputError(
            "a CSV body is a header line, then rows"
            if fmt == "csv"
            else "a JSON Lines body is one object per line",
            details={"format": fmt},
        )
    rows = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if rows > limit + 1:  # a CSV header line is not a row
        raise TooManyItems(
            f"a metrics body holds at most {limit} rows; larger files go through "
            "`onshore audience ingest`",
            details={"limit": limit},
        )
    return body


def _ingest_raw(svc: AudienceService, body: bytes, fmt: str, strict: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"batch.{fmt}"
        path.write_bytes(body)
        return svc.ingest_file(path, strict=strict).to_dict()


@router.post(
    "/metrics",
    openapi_extra=_METRICS_BODY,
)
async def ingest(
    request: Request,
    strict: bool = Query(default=False, description="Any bad row rejects the whole batch."),
    format: str = Query(
        default="json",
        pattern="^(json|csv|jsonl)$",
        description="json ({rows: [...]}), csv or jsonl (the raw body).",
    ),
    _: Principal = Depends(require(Permission.CASES_WRITE)),  # noqa: B008
    __: None = Depends(idempotency_key),
    svc: AudienceService = Depends(service),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """Ingest a batch of metrics (at most ``max_rows`` rows); bad rows come back with line
    and reason. The work runs on a worker thread."""
    body = await request.body()
    limit = ctx.options.max_rows
    sent = request.scope.get("state", {}).get("content_type", "")
    declared = sent.split(";")[0].strip().lower()
    if format == "json" and declared in _RAW_TYPES:  # the body says what it is
        format = _RAW_TYPES[declared]
    if format in ("csv", "jsonl"):
        if declared == "application/json":  # the two say different things: refuse, don't guess
            raise InputError(
                f"format={format} names a raw body but Content-Type is application/json: send "
                '{"rows": [...]} as JSON, or the raw body as text/csv or application/x-ndjson',
                details={"format": format, "content_type": declared},
            )
        raw = _rows_text(body, format, limit)
        return await run_in_threadpool(_ingest_raw, svc, raw, format, strict)
    try:
        parsed = MetricsIn.model_validate(parse_json(body or b"{}", limits_of(request)))
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
    if len(parsed.rows) > limit:
        raise TooManyItems(
            f"a metrics request holds at most {limit} rows", details={"limit": limit}
        )
    report = await run_in_threadpool(svc.ingest_rows, parsed.rows, strict=parsed.strict or strict)
    return report.to_dict()


@router.get("/subjects/{subject_id}")
def status(
    subject_id: SubjectId,
    country: str = Query(default="VN", pattern=r"^[A-Z]{2}$"),
    on: IsoDay | None = Query(default=None, description="A day (default: the latest)."),  # noqa: B008
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: AudienceService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """How the subject's counters stood on ``on`` and how they got there."""
    return svc.status(subject_id, country, on)


class FollowersIn(Strict):
    """An account's follower list for one day: ``follower_id`` and residency signals per
    follower (``declared_residence``, ``phone_number``, ``address_country``, ``ip``)."""

    date: IsoDay = Field(examples=["2026-11-20"])
    subject_type: str = Field(default="account", pattern="^(account|service)$")
    followers: list[dict[str, Any]] = Field(
        examples=[[{"follower_id": "f-1", "phone_number": "+84912345678"}]]
    )
    strict: bool = False


@router.post("/subjects/{subject_id}/followers")
def followers(
    subject_id: SubjectId,
    body: FollowersIn,
    principal: Principal = Depends(require(Permission.CASES_WRITE)),  # noqa: B008
    svc: AudienceService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Attribute each follower to a country with the residency resolver and ingest the
    per-country counts as the day's subscribers, with their confidence (no follower id is
    stored); bad follower rows come back with line (from 1) and reason."""
    return svc.attribute_followers(
        subject_id,
        body.date,
        list(enumerate(body.followers, start=1)),
        subject_type=body.subject_type,
        strict=body.strict,
        principal=principal_of(principal),
    ).to_dict()


@router.post("/obligations/{case_id}/details")
def prepare(
    case_id: CaseId,
    body: DetailsIn,
    principal: Principal = Depends(require(Permission.CASES_WRITE)),  # noqa: B008
    svc: AudienceService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Record the account holder's contact details and content summary."""
    return case_view(svc.prepare(case_id, body.model_dump(), principal=principal_of(principal)))


@router.get(
    "/obligations/{case_id}/dossier",
    response_model=None,
    responses={
        200: {
            "description": "The dossier as JSON, or a printable page with ``format=html``.",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/html": {"schema": {"type": "string"}},
            },
        }
    },
)
def dossier(
    case_id: CaseId,
    format: str = Query(default="json", pattern="^(json|html)$"),
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: AudienceService = Depends(service),  # noqa: B008
) -> dict[str, Any] | HTMLResponse:
    """The dossier as JSON, or a printable HTML page."""
    if format == "html":
        return HTMLResponse(svc.dossier_html(case_id))
    return svc.dossier(case_id)


async def filer(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> Principal:
    """Who may file a dossier: ``cases.write``, or ``cases.approve`` for a role that carries
    only that (the approver: the lifecycle lets the approver file, so the preparer and the
    filer can be two people). The lifecycle then checks the role once more."""
    caller = await run_in_threadpool(authenticate, ctx, credentials)
    approves = allowed(caller.role, Permission.CASES_APPROVE)
    writes = allowed(caller.role, Permission.CASES_WRITE)
    permission = Permission.CASES_APPROVE if approves and not writes else Permission.CASES_WRITE
    return await authorize(request, credentials, ctx, permission)


@router.post("/obligations/{case_id}/file")
def file(
    case_id: CaseId,
    principal: Principal = Depends(filer),  # noqa: B008
    svc: AudienceService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """File the dossier (``cases.write``, or an approver's ``cases.approve``); its SHA-256
    goes on the ledger."""
    return case_view(svc.file(case_id, principal=principal_of(principal)))


MODELS = add_case_routes(router, AUDIENCE_OBLIGATION, service)
