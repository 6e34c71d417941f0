"""``/healthz`` (every region's store reachable?) and ``/metrics`` (Prometheus)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from onshore.core.errors import OnshoreError
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute

router = APIRouter(tags=["health"], route_class=LimitedRoute)


@router.get(
    "/healthz",
    summary="Check that every region's store answers",
    responses={503: {"description": "no region's store can be reached"}},
)
def healthz(ctx: ServerContext = Depends(context)) -> JSONResponse:  # noqa: B008
    """``{"status": "ok", "regions": {...}}`` when every region's store answers;
    ``{"status": "degraded", "regions": {...}, "down": [...]}`` (200: the other regions
    are served) when some are down; 503 ``store.unavailable`` naming the regions when none
    can be reached."""
    regions: dict[str, str] = {}
    for name, region in ctx.vault.runtime.regions.items():
        try:
            region.db.ping()
            regions[name] = "ok"
        except OnshoreError as exc:
            regions[name] = exc.code
    down = sorted(n for n, s in regions.items() if s != "ok")
    if down and len(down) == len(regions):
        return JSONResponse(
            {
                "error": {
                    "code": "store.unavailable",
                    "message": "no region's store can be reached",
                    "details": {"regions": regions, "region": down[0]},
                }
            },
            status_code=503,
        )
    if down:
        return JSONResponse({"status": "degraded", "regions": regions, "down": down})
    return JSONResponse({"status": "ok", "regions": regions})


@router.get(
    "/metrics",
    response_class=Response,
    summary="Metrics of this server (Prometheus text format)",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(ctx: ServerContext = Depends(context)) -> Response:  # noqa: B008
    """Prometheus exposition (request counts and latency by route template, records
    written by region, access decisions)."""
    body, content_type = ctx.metrics.render()
    return Response(body, media_type=content_type)
