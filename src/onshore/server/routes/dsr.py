"""``/v1/cases/dsr``: data-subject requests over HTTP.

The intake, listing, lifecycle, due listing, a request with its history and its actions are
generated from the declaration (:mod:`onshore.server.routes.cases`); this module adds the
service and the package-signing key to verify a delivered package against. Reading needs
``cases.read``; opening a request and the operators' steps ``cases.write``; steps only
legal reviewers (and admins) take, such as erasing or refusing, ``cases.write`` with the
lifecycle checking the role, and the two-person rules compare principal ids.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from onshore.core.cases.kinds.dsr import DSR
from onshore.server.auth import Principal, require
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute
from onshore.server.permissions import Permission
from onshore.server.routes.cases import add_case_routes
from onshore.services.dsr import DsrService

router = APIRouter(prefix=DSR.base_path, tags=["dsr"], route_class=LimitedRoute)


def service(request: Request, ctx: ServerContext = Depends(context)) -> DsrService:  # noqa: B008
    """The app's data-subject request service (built once over the app's vault)."""
    svc: DsrService | None = getattr(request.app.state, "onshore_dsr", None)
    if svc is None or svc.vault is not ctx.vault:
        svc = DsrService(ctx.vault, registry=ctx.metrics.registry)
        request.app.state.onshore_dsr = svc
    return svc


@router.get("/signing-key", summary="Show the key that signs delivered data-subject packages")
def signing_key(
    region: str | None = None,
    _: Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
    svc: DsrService = Depends(service),  # noqa: B008
) -> dict[str, Any]:
    """The region's package-signing public key (base64 Ed25519), to pin in
    ``onshore dsr verify-package --key``."""
    name = region or svc.runtime.settings.deployment.default_region
    svc.runtime.region(name)  # 404 for an unknown region
    return {"region": name, "public_key": svc.production.public_key(name)}


MODELS = add_case_routes(router, DSR, service)
