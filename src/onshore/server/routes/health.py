"""``/healthz`` (every region's store reachable?) and ``/metrics`` (Prometheus)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from onshore.core.errors import OnshoreError
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute

router = APIRouter(tags=["health"], route_class=LimitedRoute)


@router.get("/healthz", responses={503: {"description": "a store is unreachable"}})
def healthz(ctx: ServerContext = Depends(context)) -> JSONResponse:  # noqa: B008
    """``{"status": "ok", "regions": {...}}``, or 503 ``store.unavailable`` naming the
    regions whose store cannot be reached."""
    regions: dict[str, str] = {}
    for name, region in ctx.vault.runtime.regions.items():
        try:
            region.db.ping()
            regions[name] = "ok"
        except OnshoreError as exc:
            regions[name] = exc.code
    down = sorted(n for n, s in regions.items() if s != "ok")
    if down:
        return JSONResponse(
            {
                "error": {
                    "code": "store.unavailable",
                    "message": "a region's store is unreachable",
                    "details": {"regions": regions},
                }
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok", "regions": regions})


@router.get("/metrics", response_class=Response)
def metrics(ctx: ServerContext = Depends(context)) -> Response:  # noqa: B008
    """Prometheus exposition (request counts and latency by route template, records
    written by region, access decisions)."""
    body, content_type = ctx.metrics.render()
    return Response(body, media_type=content_type)
