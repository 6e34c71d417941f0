"""The console's POLICY page (``/console/policy``): the packs the deployment loaded, each rule
with its citation and its status today, and an "explain" form.

The form is a plain ``GET`` (asking changes nothing, so the answer is a link that can be
shared): ``/console/policy/explain?op=store&subject=VN&categories=phone_number...`` reads the
fields (:mod:`onshore.server.console.policy_explain`), asks the deployment's engine as
``POST /v1/decisions`` does and shows the decision as ``onshore policy explain`` does: the
outcome, the deciding rules with their citations, the obligations with their due dates, the
warnings, how conflicts were resolved, and every rule considered with its reason. A bad
field is shown above the form. Any signed-in user may ask (``decisions.explain``).

Example:
    >>> sorted(r.path for r in router.routes)
    ['/policy', '/policy/explain']
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from onshore.core.errors import InputError
from onshore.core.identity import Principal
from onshore.core.policy.model import OPS
from onshore.core.taxonomy import CATEGORIES
from onshore.server.console import i18n
from onshore.server.console.frame import ConsoleRoute, reader_may, render, zone_name
from onshore.server.console.policy_explain import FIELDS, SIZES, explain, read_form
from onshore.server.console.policy_view import pack_views
from onshore.server.context import ServerContext, context
from onshore.server.permissions import Permission

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

_READER = Depends(reader_may(Permission.DECISIONS_EXPLAIN))


def _page(request: Request, ctx: ServerContext, **values: Any) -> HTMLResponse:
    runtime = ctx.vault.runtime
    now = runtime.clock.now()
    tz = i18n.zone(zone_name(ctx))
    entity = runtime.entity
    values.setdefault("form", {k: "" for k in FIELDS} | {"op": "store"})
    return render(
        request,
        "policy.html",
        packs=pack_views(runtime.engine, now),
        today=now.astimezone(tz).date(),
        ops=OPS,
        sizes=SIZES,
        categories=sorted(CATEGORIES),
        entity=entity,
        **values,
    )


@router.get("/policy", name="policy_page", response_class=HTMLResponse)
def policy_page(
    request: Request,
    _principal: Principal = _READER,
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> HTMLResponse:
    """The packs in force and the explain form."""
    return _page(request, ctx)


@router.get("/policy/explain", name="policy_explain", response_class=HTMLResponse)
def policy_explain(
    request: Request,
    _principal: Principal = _READER,
    ctx: ServerContext = Depends(context),  # noqa: B008
) -> HTMLResponse:
    """The decision for the form's question, under the packs; the form kept filled in."""
    runtime = ctx.vault.runtime
    fields = {k: v[:1000] for k, v in request.query_params.items() if k in FIELDS}
    tz = i18n.zone(zone_name(ctx))
    try:
        question = read_form(fields, runtime.entity, tz, runtime.clock.now())
    except InputError as exc:
        kept = {k: fields.get(k, "") for k in FIELDS}
        return _page(request, ctx, form=kept, problem=exc, status_code=400)
    answer = explain(runtime.engine, question)
    return _page(request, ctx, form=question.form, answer=answer)
