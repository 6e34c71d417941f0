"""``/``: a small server-rendered status page (regions, record counts, latest checkpoints)
that leads people to the reviewer console (``/console``, docs/console.md).

It shows no personal data, so it needs no token; monitoring may keep reading it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from onshore.core.errors import OnshoreError
from onshore.server.context import ServerContext, context
from onshore.server.inputs import LimitedRoute

router = APIRouter(tags=["status"], route_class=LimitedRoute)

_PAGE = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>onshore: {{ name }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;
text-align:left}code{font-size:.85em;word-break:break-all}.bad{color:#b00}
.console{display:inline-block;margin:.5rem 0 1rem;padding:.6rem 1.2rem;background:#0b4f8a;
color:#fff;border-radius:4px;font-weight:600;text-decoration:none}
</style></head><body>
<h1>onshore <small>{{ name }}</small></h1>
<p><a class="console" href="/console">Open the reviewer console</a></p>
<p>Policy packs: {{ packs }}. Default region: <b>{{ default_region }}</b>.
API: <a href="/docs">/docs</a> · <a href="/openapi.json">/openapi.json</a> ·
<a href="/healthz">/healthz</a> · <a href="/metrics">/metrics</a></p>
<table><tr><th>region</th><th>country</th><th>records</th><th>ledger leaves</th>
<th>latest checkpoint</th></tr>
{% for r in regions %}<tr><td><b>{{ r.name }}</b></td><td>{{ r.country }}</td>
{% if r.error %}<td colspan="3" class="bad">unavailable ({{ r.error }})</td>{% else %}
<td>{{ r.records }}</td><td>{{ r.leaves }}</td>
<td>{% if r.checkpoint %}size {{ r.checkpoint.size }} at {{ r.checkpoint.at }}<br>
<code>{{ r.checkpoint.root }}</code>{% else %}none yet{% endif %}</td>{% endif %}</tr>
{% endfor %}</table></body></html>
""")


def _region_row(ctx: ServerContext, name: str) -> dict[str, Any]:
    region = ctx.vault.runtime.regions[name]
    row: dict[str, Any] = {"name": name, "country": region.country}
    try:
        log = ctx.vault.ledger(name)
        row["records"] = region.db.records.count()
        row["leaves"] = log.store.size()
        latest = log.store.latest_checkpoint()
        if latest is not None:
            size, root, _note, _key, at = latest
            row["checkpoint"] = {"size": size, "root": root.hex(), "at": at.isoformat()}
    except OnshoreError as exc:
        row["error"] = exc.code
    return row


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def status_page(ctx: ServerContext = Depends(context)) -> HTMLResponse:  # noqa: B008
    """The status page."""
    settings = ctx.vault.runtime.settings
    html = _PAGE.render(
        name=settings.deployment.name,
        packs=", ".join(settings.deployment.packs),
        default_region=settings.deployment.default_region,
        regions=[_region_row(ctx, n) for n in ctx.vault.runtime.regions],
    )
    return HTMLResponse(html)
