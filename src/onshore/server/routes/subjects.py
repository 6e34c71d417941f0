"""``/v1/subjects/{subject_id}``: a subject's records (paginated) and erasure.

A listing with ``caller_region`` is a read from that region: every returned record held in
another region needs a ``purpose`` and gets a ``record_read`` leaf on its region's ledger
(``onshore.services.cross_region_reads``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.contract import NEVER
from onshore.server.inputs import LimitedRoute
from onshore.server.models import (
    PURPOSE_PATTERN,
    REGION_PATTERN,
    RecordOut,
    Responses,
    Strict,
    SubjectId,
)
from onshore.server.permissions import Permission
from onshore.services.cross_region_reads import record_cross_region_reads

router = APIRouter(prefix="/v1/subjects", tags=["subjects"], route_class=LimitedRoute)

_ERRORS: Responses = {
    401: {"description": "missing, invalid or revoked token"},
    403: {"description": "the role lacks the permission"},
}


class RecordPage(Strict):
    """One page of a subject's records, ordered by record id."""

    subject: str
    items: list[RecordOut]
    next_cursor: str | None


class ErasureOut(Strict):
    """What an erasure did: erased record ids and ledger leaves per region."""

    subject: str
    count: int
    erased: dict[str, list[str]]
    ledger_indexes: dict[str, list[int]]


@router.get(
    "/{subject_id}",
    summary="List a subject's records in every region",
    response_model=RecordPage,
    responses={
        **_ERRORS,
        404: {
            "description": "caller_region is not a configured region (an unknown subject "
            "has no records: the API does not say it is unknown)"
        },
        409: {"description": "a stored record fails its integrity check (store.integrity)"},
    },
)
def subject_records(
    subject_id: SubjectId,
    limit: int | None = Query(default=None, ge=1, description="Page size."),
    cursor: str | None = Query(
        default=None, max_length=128, description="The ``next_cursor`` of the previous page."
    ),
    caller_region: str | None = Query(default=None, pattern=REGION_PATTERN),
    purpose: str | None = Query(default=None, pattern=PURPOSE_PATTERN),
    principal: Principal = Depends(require(Permission.SUBJECTS_READ)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> RecordPage:
    """Every record of a subject in every region, a page at a time (an unknown subject has
    an empty list: the API does not reveal whether a subject exists)."""
    size = min(limit or ctx.options.page_limit, ctx.options.max_page_limit)
    records = sorted(ctx.vault.records_of(subject_id), key=lambda r: r.record_id)
    if cursor is not None:
        records = [r for r in records if r.record_id > cursor]
    page = records[:size]
    if caller_region is not None:
        record_cross_region_reads(ctx.vault, page, caller_region, purpose, principal.id)
    more = len(records) > size
    return RecordPage(
        subject=subject_id,
        items=[RecordOut.of(r) for r in page],
        next_cursor=page[-1].record_id if more and page else None,
    )


@router.post(
    "/{subject_id}/erasure",
    summary="Erase every record of a subject",
    response_model=ErasureOut,
    responses={**_ERRORS, 404: NEVER},
)
def erase_subject(
    subject_id: SubjectId,
    principal: Principal = Depends(require(Permission.SUBJECTS_ERASE)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> ErasureOut:
    """Erase every record of a subject in every region; each erasure is a ledger leaf (the
    leaves hold no personal data, so every earlier proof still verifies)."""
    outcome = ctx.vault.erase(subject_id, actor=principal.id)
    return ErasureOut(
        subject=subject_id,
        count=outcome.count,
        erased=outcome.erased,
        ledger_indexes=outcome.ledger_indexes,
    )
