"""The console's OVERVIEW page (``/console/overview``; ``/console`` leads here).

One page for the people who run the workflows: records and subjects per region (subjects
counted from the keyed subject references, nothing decrypted), each region's latest signed
checkpoint and whether it answers, the open obligations by rule and country, and the
transparency figures as charts with the report's small-count suppression
(:mod:`onshore.server.console.overview_figures`). It shows counts only, no personal data;
any signed-in user may read it (``cases.read``, written to the ledger like the API's reads).

Example:
    >>> [r.path for r in router.routes]
    ['/overview']
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from onshore.core.errors import OnshoreError
from onshore.core.identity import Principal
from onshore.server.console import i18n
from onshore.server.console.frame import ConsoleRoute, language, reader_may, render, zone_name
from onshore.server.console.overview_figures import (
    Figure,
    K,
    month_starts,
    removal_figures,
    request_figures,
)
from onshore.server.console.overview_obligations import ObligationRow, obligation_rows
from onshore.server.console.overview_regions import region_rows
from onshore.server.context import ServerContext, context
from onshore.server.permissions import Permission
from onshore.server.routes import authority_requests, takedowns

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

#: How many months the figures cover by default (and at most).
MONTHS, MAX_MONTHS = 12, 36


@router.get("/overview", name="overview_page", response_class=HTMLResponse)
def overview_page(
    request: Request,
    months: int = Query(default=MONTHS, ge=1, le=MAX_MONTHS),
    _principal: Principal = Depends(reader_may(Permission.CASES_READ)),  # noqa: B008
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> HTMLResponse:
    """Regions, checkpoints, open obligations and the transparency figures."""
    runtime = ctx.vault.runtime
    gettext = i18n.catalog(language(request)).gettext
    tz = i18n.zone(zone_name(ctx))
    now = runtime.clock.now()
    bounds = month_starts(now, tz, months)
    requests = authority_requests.service(request, ctx)
    removals = takedowns.service(request, ctx)
    obligations: list[ObligationRow] | OnshoreError
    figures: list[Figure] | OnshoreError
    try:  # a region that does not answer leaves these sections out, saying why
        obligations = obligation_rows(requests.cases, runtime.engine, now)
    except OnshoreError as exc:
        obligations = exc
    try:
        figures = [
            *request_figures(requests, bounds, K, gettext),
            *removal_figures(removals, bounds, tz, K, gettext),
        ]
    except OnshoreError as exc:
        figures = exc
    return render(
        request,
        "overview.html",
        regions=region_rows(ctx.vault),
        obligations=obligations,
        figures=figures,
        period_start=bounds[0],
        period_end=bounds[-1],
        months=months,
        k=K,
    )
