"""``/v1/records``: store records (one or a batch), read one, move one to another region.

Example (with a running server and an operator token in ``$TOKEN``)::

    curl -X POST localhost:8000/v1/records -H "Authorization: Bearer $TOKEN" \\
         -d '{"subject": "u-1", "kind": "profile", "data": {"phone": "+84912345678"},
              "signals": {"phone_number": "+84912345678"}}'
"""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from onshore.core.errors import TooManyItems
from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.contract import NEVER
from onshore.server.idempotency import idempotency_key
from onshore.server.inputs import LimitedRoute, count_fields
from onshore.server.models import (
    PURPOSE_PATTERN,
    REGION_PATTERN,
    ReceiptOut,
    RecordId,
    RecordIn,
    RecordOut,
    Responses,
    Strict,
)
from onshore.server.permissions import Permission
from onshore.services.vault import Receipt

router = APIRouter(prefix="/v1/records", tags=["records"], route_class=LimitedRoute)

_ERRORS: Responses = {
    401: {"description": "missing, invalid or revoked token"},
    403: {"description": "the role lacks the permission"},
}


class BatchIn(Strict):
    """Many records in one request (the fast path): all are stored, or none."""

    records: list[RecordIn] = Field(min_length=1, description="The records to store.")


class BatchOut(Strict):
    """One receipt per record, in request order."""

    count: int
    receipts: list[ReceiptOut]


class TransferIn(Strict):
    """Move a record to another region, if the policy packs allow it there."""

    to_region: str = Field(pattern=REGION_PATTERN, description="The target region.")
    purpose: str = Field(
        pattern=PURPOSE_PATTERN, description="Why (a short token).", examples=["consolidation"]
    )


def check_record(record: RecordIn, ctx: ServerContext) -> None:
    """Refuse a record with more than ``max_data_fields`` data fields (413
    ``input.too_many_fields``) before the vault classifies or seals anything."""
    count_fields(record.data, ctx.options.max_data_fields)


def _count(ctx: ServerContext, receipts: list[Receipt]) -> None:
    for region, n in Counter(r.region for r in receipts).items():
        ctx.metrics.records_written.labels(region=region).inc(n)


@router.post(
    "",
    summary="Store one record where its subject's law allows",
    status_code=201,
    response_model=ReceiptOut,
    responses={
        **_ERRORS,
        404: NEVER,
        409: {
            "description": "no configured region may hold the record, or its record_id "
            "already holds different content (record.conflict)"
        },
    },
)
def put_record(
    body: RecordIn,
    principal: Principal = Depends(require(Permission.RECORDS_WRITE)),  # noqa: B008
    _: None = Depends(idempotency_key),
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> ReceiptOut:
    """Store one record in a region its subject's law allows; returns where it went and the
    index of its placement leaf on that region's ledger. Posting a ``record_id`` again with
    the same content returns the original receipt (a safe retry)."""
    check_record(body, ctx)
    [receipt] = ctx.vault.put_many([body.as_input()], actor=principal.id)
    _count(ctx, [receipt])
    return ReceiptOut.of(receipt)


@router.post(
    "/batch",
    summary="Store a batch of records (all or none)",
    status_code=201,
    response_model=BatchOut,
    responses={
        **_ERRORS,
        404: NEVER,
        409: {
            "description": "a record may live in no configured region, or a record_id "
            "already holds different content (record.conflict)"
        },
        413: {"description": "the body is over the size limit"},
    },
)
def put_batch(
    body: BatchIn,
    principal: Principal = Depends(require(Permission.RECORDS_WRITE)),  # noqa: B008
    _: None = Depends(idempotency_key),
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> BatchOut:
    """Store a batch: every record is validated and placed before anything is written, so a
    bad record leaves nothing half-written."""
    limit = ctx.options.max_batch
    if len(body.records) > limit:
        raise TooManyItems(
            f"a batch holds at most {limit} records",
            details={"limit": limit, "count": len(body.records)},
        )
    for record in body.records:
        check_record(record, ctx)
    receipts = ctx.vault.put_many([r.as_input() for r in body.records], actor=principal.id)
    _count(ctx, receipts)
    return BatchOut(count=len(receipts), receipts=[ReceiptOut.of(r) for r in receipts])


@router.get(
    "/{record_id}",
    summary="Read one record, decrypted",
    response_model=RecordOut,
    responses={
        **_ERRORS,
        404: {"description": "no such record"},
        409: {"description": "the stored record fails its integrity check (store.integrity)"},
    },
)
def get_record(
    record_id: RecordId,
    caller_region: str | None = Query(
        default=None,
        pattern=REGION_PATTERN,
        description="The reader's region; a read from another region needs a purpose and "
        "is written to the holding region's ledger.",
    ),
    purpose: str | None = Query(
        default=None, pattern=PURPOSE_PATTERN, description="Why a cross-region read is needed."
    ),
    principal: Principal = Depends(require(Permission.RECORDS_READ)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> RecordOut:
    """One decrypted record."""
    record = ctx.vault.get(
        record_id, caller_region=caller_region, purpose=purpose, actor=principal.id
    )
    return RecordOut.of(record)


@router.post(
    "/{record_id}/transfer",
    summary="Move a record to another region, if the law allows it there",
    response_model=ReceiptOut,
    responses={
        **_ERRORS,
        404: {"description": "no such record or region"},
        409: {"description": "the policy packs deny the target (policy.denied)"},
    },
)
def transfer_record(
    record_id: RecordId,
    body: TransferIn,
    principal: Principal = Depends(require(Permission.RECORDS_TRANSFER)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> ReceiptOut:
    """Move a record to ``to_region`` when the packs allow its categories there; a denial is
    409 ``policy.denied`` carrying the decision's explanation."""
    receipt = ctx.vault.transfer(
        record_id, body.to_region, purpose=body.purpose, actor=principal.id
    )
    return ReceiptOut.of(receipt)
