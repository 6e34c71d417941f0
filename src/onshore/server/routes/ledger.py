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
from onshore.core.ledger import tiles as T
from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute
from onshore.server.models import LeafIndex, RecordId, RegionName, Responses
from onshore.server.permissions import Permission
from onshore.services.ledger import Ledger

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


@router.get("/{region}/checkpoint", responses=_ERRORS)
def checkpoint(
    region: RegionName,
    _: Principal = Depends(require(Permission.LEDGER_READ)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """The region's latest signed checkpoint, covering every leaf appended so far (a new
    one is signed only when the log grew since the last)."""
    log = _log(ctx, region)
    note = log.checkpoint(ctx.vault.runtime.clock.now())
    latest = log.store.latest_checkpoint()
    assert latest is not None
    size, root, _note, key_id, at = latest
    return {
        "region": region,
        "origin": log.origin,
        "size": size,
        "root": root.hex(),
        "at": at.isoformat(),
        "checkpoint": note.decode("utf-8"),
        "verifier_key": log.verifier_key(key_id),
    }


@router.get("/{region}/audit", responses=_ERRORS)
def audit(
    region: str,
    _: Principal = Depends(require(Permission.LEDGER_READ)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """Reconcile the region's record store with its ledger and recheck the ledger from its
    leaf bytes (``onshore ledger audit``): ``ok`` and one typed finding per problem. Reads
    every leaf and record id of the region, so it is slow on large regions."""
    return _log(ctx, region).audit().to_dict()


@router.get("/{region}/proofs/records/{record_id}", responses=_ERRORS)
def record_proof(
    region: RegionName,
    record_id: RecordId,
    event: str = Query(
        default="record_placed",
        description="Which of the record's leaves: " + ", ".join(_EVENTS) + ", or latest.",
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


@router.get("/{region}/proofs/leaves/{index}", responses=_ERRORS)
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


@router.get("/{region}/proofs/consistency", responses=_ERRORS)
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
    log = _log(ctx, region)
    integrated = log.integrate()
    new = integrated if new_size is None else new_size
    if not 0 <= old_size <= new <= integrated:
        raise InputError(
            "sizes must satisfy 0 <= old_size <= new_size <= the log's size",
            details={"size": integrated},
        )
    _size, old_root = log.root(old_size)
    _size, new_root = log.root(new)
    proof: list[bytes] = []
    if 0 < old_size < new:
        proof = T.consistency_from_tiles(
            old_size, new, log.store.tiles(T.consistency_tile_keys(old_size, new))
        )
    return {
        "region": region,
        "old_size": old_size,
        "new_size": new,
        "old_root": old_root.hex(),
        "new_root": new_root.hex(),
        "proof": [h.hex() for h in proof],
    }
