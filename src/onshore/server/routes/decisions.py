"""``POST /v1/decisions``: ask the policy engine, get a decision that explains itself.

The answer is data, not an error: a ``deny`` outcome is a 200 with the deciding rules and
every rule considered, each with its reason.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import Field, field_validator

from onshore.core.policy import EntityFacts, Facts
from onshore.core.policy.model import OPS
from onshore.core.taxonomy import validate_categories
from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.contract import NEVER
from onshore.server.inputs import LimitedRoute
from onshore.server.models import AwareTime, Strict
from onshore.server.permissions import Permission

router = APIRouter(prefix="/v1/decisions", tags=["decisions"], route_class=LimitedRoute)

_COUNTRY = r"^[A-Za-z]{2}$"


class EntityIn(Strict):
    """The entity facts to decide for (default: the deployment's own)."""

    incorporated_in: str = Field(pattern=_COUNTRY, examples=["VN"])
    sectors: list[str] = Field(default_factory=list, max_length=32)
    storage_decisions: list[str] = Field(default_factory=list, max_length=32)
    size: str | None = None
    roles: list[str] = Field(default_factory=list, max_length=32)
    data_subjects: int | None = Field(default=None, ge=0)


class DecisionIn(Strict):
    """The operation and its facts (see ``onshore.core.policy.Facts``)."""

    op: str = Field(
        description=f"One of {', '.join(OPS)}.",
        examples=["store"],
        json_schema_extra={"enum": list(OPS)},
    )
    subject_country: str | None = Field(default=None, pattern=_COUNTRY, examples=["VN"])
    categories: list[str] = Field(default_factory=list, max_length=64, examples=[["phone_number"]])
    region_country: str | None = Field(default=None, pattern=_COUNTRY, examples=["SG"])
    destination_country: str | None = Field(default=None, pattern=_COUNTRY)
    request: str | None = Field(default=None, max_length=64)
    flags: list[str] = Field(default_factory=list, max_length=32)
    labels: list[str] = Field(default_factory=list, max_length=32)
    metrics: dict[str, float] = Field(default_factory=dict)
    events: dict[str, AwareTime] = Field(default_factory=dict)
    artifacts: list[str] = Field(default_factory=list, max_length=32)
    decisions: list[str] = Field(default_factory=list, max_length=32)
    at: AwareTime | None = Field(
        default=None, description="When (default: now; a bare date is midnight locally)."
    )
    entity: EntityIn | None = None

    @field_validator("op")
    @classmethod
    def _known_op(cls, value: str) -> str:
        if value not in OPS:
            raise ValueError(f"unknown operation (one of {', '.join(OPS)})")
        return value


@router.post(
    "",
    summary="Ask the policy engine for a decision that explains itself",
    responses={
        401: {"description": "missing, invalid or revoked token"},
        403: {"description": "the role lacks the permission"},
        404: NEVER,
        409: NEVER,  # a denial is a 200 whose decision says deny
    },
)
def explain(
    body: DecisionIn,
    principal: Principal = Depends(require(Permission.DECISIONS_EXPLAIN)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """Evaluate ``op`` on the facts under the law in force at ``at``; returns
    ``{"decision": ..., "facts": ...}`` (``Decision.to_dict()``)."""
    runtime = ctx.vault.runtime
    entity = runtime.entity
    if body.entity is not None:
        e = body.entity
        entity = EntityFacts(
            e.incorporated_in.upper(),
            frozenset(e.sectors),
            frozenset(e.storage_decisions),
            e.size,
            frozenset(e.roles),
            e.data_subjects,
        )
    up = str.upper
    facts = Facts(
        entity=entity,
        subject_country=up(body.subject_country) if body.subject_country else None,
        categories=validate_categories(body.categories),
        region_country=up(body.region_country) if body.region_country else None,
        destination_country=up(body.destination_country) if body.destination_country else None,
        request=body.request,
        flags=frozenset(body.flags),
        labels=frozenset(body.labels),
        metrics=body.metrics,
        events={k: v if v.tzinfo else v.replace(tzinfo=UTC) for k, v in body.events.items()},
        artifacts=frozenset(body.artifacts),
        decisions=frozenset(body.decisions),
    )
    decision = runtime.engine.evaluate(body.op, facts, body.at or runtime.clock.now())
    return {"decision": decision.to_dict(), "facts": facts.to_dict()}
