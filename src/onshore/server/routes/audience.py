"""``/v1/audience``: audience metrics and threshold obligations over HTTP.

``POST /v1/audience/metrics`` takes ``{"rows": [...], "strict": false}`` (JSON) or, with
``?format=csv`` or ``?format=jsonl``, a raw CSV or JSON Lines body, up to the server's body
limit; larger files go through ``onshore audience ingest``. ``POST
/v1/audience/subjects/{id}/followers`` takes a day's follower list with residency signals
and ingests the per-country counts the residency resolver attributes. Reading needs ``cases.read``;
ingesting and the obligation steps ``cases.write``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import Field

from onshore.core.errors import InputError, InvalidJson
from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.models import Strict
from onshore.server.permissions import Permission
from onshore.services.audience import AudienceService
from onshore.services.takedowns import case_view

router = APIRouter(prefix="/v1/audience", tags=["audience"])


def service(request: Request, ctx: ServerContext = Depends(context)) -> AudienceService:  # noqa: B008
    """The app's audience service (built once over the app's runtime)."""
    svc: AudienceService | None = getattr(request.app.state, "onshore_audience", None)
    if svc is None or svc.runtime is not ctx.vault.runtime:
        svc = AudienceService(ctx.vault.runtime, registry=ctx.metrics.registry)
        request.app.state.onshore_audience = svc
    return svc


class ActionIn(Strict):
    """A step's note (``reference`` to acknowledge, ``reason`` to close)."""

    note: dict[str, Any] = Field(default_factory=dict)


class DetailsIn(Strict):
    """What the account holder supplies for the dossier."""

    contact: dict[str, Any] = Field(examples=[{"name": "Nguyễn An", "email": "an@example.vn"}])
    content_summary: str = Field(min_length=1, max_length=5000)


@router.post("/metrics")
async def ingest(
    request: Request,
    strict: bool = Query(default=False, description="Any bad row rejects the whole batch."),
    format: str = Query(
        default="json",
        pattern="^(json|csv|jsonl)$",
        description="json ({rows: [...]}), csv or jsonl (the raw body).",
    ),
    _: Principal = Depends(require(Permission.CASES_WRITE)),  # noqa: B008
    svc: AudienceService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Ingest a batch of metrics; bad rows come back with line and reason."""
    body = await request.body()
    if format in ("csv", "jsonl"):
        suffix = f".{format}"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"batch{suffix}"
            path.write_bytes(body)
            return svc.ingest_file(path, strict=strict).to_dict()
    import json

    try:
        parsed = json.loads(body or b"{}")
    except json.JSONDecodeError as exc:
        raise InvalidJson(f"the body is not valid JSON: {exc.msg}") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("rows"), list):
        raise InputError('the body is {"rows": [...], "strict": false}')
    return svc.ingest_rows(parsed["rows"], strict=bool(parsed.get("strict", strict))).to_dict()


@router.get("/subjects/{subject_id}")
def status(
    subject_id: str,
    country: str = Query(default="VN", pattern=r"^[A-Z]{2}$"),
    on: str | None = Query(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$"),
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: AudienceService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """How the subject's counters stood on ``on`` and how they got there."""
    return svc.status(subject_id, country, on)


class FollowersIn(Strict):
    """An account's follower list for one day: ``follower_id`` and residency signals per
    follower (``declared_residence``, ``phone_number``, ``address_country``, ``ip``)."""

    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-11-20"])
    subject_type: str = Field(default="account", pattern="^(account|service)$")
    followers: list[dict[str, Any]] = Field(
        examples=[[{"follower_id": "f-1", "phone_number": "+84912345678"}]]
    )
    strict: bool = False


@router.post("/subjects/{subject_id}/followers")
def followers(
    subject_id: str,
    body: FollowersIn,
    principal: Principal = Depends(require(Permission.CASES_WRITE)),  # noqa: B008
    svc: AudienceService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Attribute each follower to a country with the residency resolver and ingest the
    per-country counts as the day's subscribers, with their confidence (no follower id is
    stored); bad follower rows come back with line (from 1) and reason."""
    return svc.attribute_followers(
        subject_id, body.date, list(enumerate(body.followers, start=1)),
        subject_type=body.subject_type, strict=body.strict, actor=principal.name,
        role=principal.role,
    ).to_dict()  # fmt: skip


@router.get("/obligations")
def obligations(
    state: list[str] | None = Query(default=None),  # noqa: B008
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: AudienceService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Obligation cases (open ones by default)."""
    return {"items": [case_view(c) for c in svc.obligations(states=state)]}


@router.post("/obligations/{case_id}/details")
def prepare(
    case_id: str,
    body: DetailsIn,
    principal: Principal = Depends(require(Permission.CASES_WRITE)),  # noqa: B008
    svc: AudienceService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Record the account holder's contact details and content summary."""
    return case_view(svc.prepare(case_id, body.model_dump(), actor=principal.name,
                                 role=principal.role))  # fmt: skip


@router.get("/obligations/{case_id}/dossier", response_model=None)
def dossier(
    case_id: str,
    format: str = Query(default="json", pattern="^(json|html)$"),
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: AudienceService = Depends(service),  # noqa: B008
) -> dict[str, Any] | HTMLResponse:
    """The dossier as JSON, or a printable HTML page."""
    if format == "html":
        return HTMLResponse(svc.dossier_html(case_id))
    return svc.dossier(case_id)


@router.post("/obligations/{case_id}/file")
def file(
    case_id: str,
    principal: Principal = Depends(require(Permission.CASES_WRITE)),  # noqa: B008
    svc: AudienceService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """File the dossier; its SHA-256 goes on the ledger."""
    return case_view(svc.file(case_id, actor=principal.name, role=principal.role))


@router.post("/obligations/{case_id}/actions/{action}")
def act(
    case_id: str,
    action: str,
    body: ActionIn | None = None,
    principal: Principal = Depends(require(Permission.CASES_WRITE)),  # noqa: B008
    svc: AudienceService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """Another step (``acknowledge`` with a reference, ``close`` with a reason)."""
    note = (body or ActionIn()).note
    return case_view(svc.act(case_id, action, actor=principal.name, role=principal.role,
                             note=note))  # fmt: skip
