"""Which service serves a case kind on the console: the very one its JSON routes use.

The routes a declaration yields (:func:`onshore.server.routes.cases.add_case_routes`) take
the kind's service as a dependency (``svc = Depends(service)``) of the route named
``get_<kind>``. :func:`kind_service` finds that dependency in the app's routes and calls
it, so the console acts through the same service object as ``POST .../actions/<action>``
(effects, guards, the ledger leaf included). A kind declared without effects and served by
no route module gets a :class:`~onshore.services.case_kinds.DeclaredCases`, kept on the app.

Example:
    >>> declaration_for("requests").name, declaration_for("authority_request").segment
    ('authority_request', 'requests')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute

from onshore.core.cases.declaration import CaseKindDeclaration
from onshore.core.cases.registry import KINDS
from onshore.core.errors import CaseNotFound
from onshore.server.context import ServerContext
from onshore.services.case_kinds import DeclaredCases, KindService


def declaration_for(kind: str) -> CaseKindDeclaration:
    """The declared kind named ``kind`` or whose URL segment is ``kind``; ``CaseNotFound``
    (a 404 page) otherwise."""
    for d in KINDS.values():
        if kind in (d.name, d.segment):
            return d
    raise CaseNotFound("no such case kind", details={"kind": kind[:64], "known": sorted(KINDS)})


def _routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every ``APIRoute`` under ``routes``, through included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        else:
            inner = getattr(route, "original_router", route)
            yield from _routes(getattr(inner, "routes", ()))


def _provider(request: Request, name: str) -> Callable[..., Any] | None:
    found: dict[str, Callable[..., Any] | None] | None = getattr(
        request.app.state, "onshore_case_providers", None
    )
    if found is None:
        found = {}
        request.app.state.onshore_case_providers = found
    if name not in found:
        found[name] = None
        for route in _routes(request.app.routes):
            if route.name == f"get_{name}":
                for dep in route.dependant.dependencies:
                    if dep.name == "svc" and dep.call is not None:
                        found[name] = dep.call
    return found[name]


def kind_service(request: Request, ctx: ServerContext, d: CaseKindDeclaration) -> KindService:
    """The service of kind ``d`` (see the module docstring)."""
    provider = _provider(request, d.name)
    if provider is not None:
        svc: KindService = provider(request, ctx)
        return svc
    cache: dict[str, KindService] | None = getattr(request.app.state, "onshore_declared", None)
    if cache is None:
        cache = {}
        request.app.state.onshore_declared = cache
    found = cache.get(d.name)
    if found is None or found.cases.runtime is not ctx.vault.runtime:
        found = DeclaredCases(ctx.vault.runtime, d, registry=ctx.metrics.registry)
        cache[d.name] = found
    return found
