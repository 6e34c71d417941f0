"""The console's OVERVIEW page (``/console/overview``; ``/console`` leads here).

One page for the people who run the workflows: records and subjects per region (subjects
counted from the keyed subject references, nothing decrypted), each region's latest signed
checkpoint and whether it answers, the open obligations by rule and country, and the
transparency figures as charts with the report's small-count suppression
(:mod:`onshore.server.console.overview_figures`). It shows counts only, no personal data;
any signed-in user may read it (``cases.read``, written to the ledger like the API's reads).
The figures read every case of the period, so they are kept for ``FIGURES_TTL`` seconds
per language and period (the page says as of when); the rest is read on every visit.

Example:
    >>> [r.path for r in router.routes]
    ['/overview']
"""

from __future__ import annotations

import time
from datetime import datetime

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
#: How long computed figures are kept (seconds): they read every case of the period.
FIGURES_TTL = 300.0


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
    key = (language(request), months, bounds[0])
    cache: dict[tuple[str, int, datetime], tuple[float, datetime, list[Figure]]]
    cache = getattr(request.app.state, "console_figures", None) or {}
    request.app.state.console_figures = cache
    kept = cache.get(key)
    as_of = now
    if kept is not None and time.monotonic() < kept[0]:
        _until, as_of, figures = kept
    else:
        try:
            figures = [
                *request_figures(requests, bounds, K, gettext),
                *removal_figures(removals, bounds, tz, K, gettext),
            ]
            cache[key] = (time.monotonic() + FIGURES_TTL, now, figures)
        except OnshoreError as exc:
            figures = exc
    return render(
        request,
        "overview.html",
        regions=region_rows(ctx.vault),
        obligations=obligations,
        figures=figures,
        figures_as_of=as_of,
        first_month=bounds[0].strftime("%Y-%m"),
        last_month=bounds[-2].strftime("%Y-%m"),
        months=months,
        k=K,
    )
