"""``/v1/ledger/{region}``: signed checkpoints, proofs (inclusion and consistency), the audit.

The ledger holds no personal data, so every role may read it. A proof bundle verifies
offline with ``onshore ledger verify-proof`` (or any RFC 6962 verifier) given the region's
verifier key, which the checkpoint response carries.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from onshore.core.errors import InputError, UnknownRegion
from onshore.core.ledger import EventType
from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute
from onshore.server.models import LeafIndex, RecordId, RegionName, Responses
from onshore.server.permissions import Permission
from onshore.services.ledger import Ledger
from onshore.services.ledger_proofs import consistency_proof, latest_checkpoint

router = APIRouter(prefix="/v1/ledger", tags=["ledger"], route_class=LimitedRoute)

_ERRORS: Responses = {
    401: {"description": "missing, invalid or revoked token"},
    403: {"description": "the role lacks the permission"},
    404: {"description": "unknown region, record or leaf"},
}

_EVENTS = {e.label: e for e in EventType}


def _log(ctx: ServerContext, region: str) -> Ledger:
    if region not in ctx.vault.runtime.regions:
        raise UnknownRegion(
            "unknown region", details={"configured": sorted(ctx.vault.runtime.regions)}
        )
    return ctx.vault.ledger(region)


@router.get(
    "/{region}/checkpoint", summary="Get the region's latest signed checkpoint", responses=_ERRORS
)
def checkpoint(
    region: RegionName,
    _: Principal = Depends(require(Permission.LEDGER_READ)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """The region's latest signed checkpoint, covering every leaf appended so far (a new
    one is signed only when the log grew since the last)."""
    signed = latest_checkpoint(_log(ctx, region), ctx.vault.runtime.clock.now())
    return {
        "region": region,
        "origin": signed.origin,
        "size": signed.size,
        "root": signed.root.hex(),
        "at": signed.at.isoformat(),
        "checkpoint": signed.note.decode("utf-8"),
        "verifier_key": signed.verifier_key,
    }


@router.get(
    "/{region}/audit",
    summary="Audit a region's ledger against its record store",
    responses=_ERRORS,
)
def audit(
    region: str,
    _: Principal = Depends(require(Permission.LEDGER_READ)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """Reconcile the region's record store with its ledger and recheck the ledger from its
    leaf bytes (``onshore ledger audit``): ``ok`` and one typed finding per problem. Reads
    every leaf and record id of the region, so it is slow on large regions."""
    return _log(ctx, region).audit().to_dict()


@router.get(
    "/{region}/proofs/records/{record_id}",
    summary="Prove a record's leaf is in a signed checkpoint",
    responses=_ERRORS,
)
def record_proof(
    region: RegionName,
    record_id: RecordId,
    event: str = Query(
        default="record_placed",
        description="Which of the record's leaves: " + ", ".join(_EVENTS) + ", or latest.",
        json_schema_extra={"enum": [*_EVENTS, "latest"]},
    ),
    _: Principal = Depends(require(Permission.LEDGER_READ)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """A proof bundle for a record's leaf (its placement by default) in a signed checkpoint."""
    log = _log(ctx, region)
    if event != "latest" and event not in _EVENTS:
        raise InputError("unknown event type", details={"allowed": [*_EVENTS, "latest"]})
    chosen = None if event == "latest" else _EVENTS[event]
    bundle = log.prove(record_id, event=chosen, at=ctx.vault.runtime.clock.now())
    return bundle.to_dict()


@router.get(
    "/{region}/proofs/leaves/{index}",
    summary="Prove a leaf, by index, is in a signed checkpoint",
    responses=_ERRORS,
)
def leaf_proof(
    region: RegionName,
    index: LeafIndex,
    _: Principal = Depends(require(Permission.LEDGER_READ)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """A proof bundle for leaf ``index`` in a signed checkpoint."""
    log = _log(ctx, region)
    if index < 0:
        raise InputError("a leaf index is not negative", details={"field": "index"})
    return log.prove_index(index, at=ctx.vault.runtime.clock.now()).to_dict()


@router.get(
    "/{region}/proofs/consistency",
    summary="Prove that a later tree extends an earlier one",
    responses=_ERRORS,
)
def consistency(
    region: RegionName,
    old_size: int = Query(ge=0, description="The older tree size."),
    new_size: int | None = Query(
        default=None, ge=0, description="The newer tree size (default: the whole log)."
    ),
    _: Principal = Depends(require(Permission.LEDGER_READ)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """An RFC 6962 consistency proof between two tree sizes, with both roots."""
    proof = consistency_proof(_log(ctx, region), old_size, new_size)
    return {
        "region": region,
        "old_size": proof.old_size,
        "new_size": proof.new_size,
        "old_root": proof.old_root.hex(),
        "new_root": proof.new_root.hex(),
        "proof": [h.hex() for h in proof.proof],
    }
