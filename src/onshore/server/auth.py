"""Authentication and authorisation, enforced in one place.

Every protected route declares ``Depends(require(Permission.X))`` and receives the
:class:`~onshore.core.identity.Principal` acting: the user or service account owning the
bearer token, with the token's roles that the owner still holds. The dependency reads the
``Authorization: Bearer`` token, verifies it against the control store (401 when missing,
unknown, revoked or expired, or when its owner is disabled; 403 ``auth.role_revoked`` when
the owner holds none of its roles any more), checks the roles against
``server.permissions.MATRIX`` (allowed when any of them carries the permission; 403
otherwise), and writes the decision, allowed or refused, as an ``access_decision`` leaf on
the default region's ledger before the route runs (group-committed by
``server.access_ledger``: the request waits for its own leaf's commit). The dependency runs
on the event loop: a recently verified token is checked from ``Tokens.cached``, and only a
cache miss reads the control store on a worker thread. The leaf holds the permission, the
decision and the roles; the actor is the principal's id (``usr_...``/``svc_...``),
keyed-hashed by the ledger. The token itself is never stored, logged or echoed. Requests
without a valid token are counted (``onshore_auth_failures``) and logged without the token,
but not written to the ledger: anyone can send them, and the ledger must not grow at a
stranger's pace.

Without a bearer token, a browser's ``onshore_session`` cookie authenticates instead
(``server.sessions``: ``via="session"``), and a state-changing request must then carry the
session's CSRF token (``server.csrf``); a bearer token always wins over a cookie.

Example:
    >>> p = Principal("service", "svc_1", "ci", frozenset({"operator"}), "tok_1")
    >>> p.role, allowed_any(p.roles, Permission.RECORDS_WRITE)
    ('operator', True)
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from onshore.core.errors import Forbidden, Unauthenticated
from onshore.core.identity import Principal as Principal
from onshore.core.ledger import EventType, LedgerEvent
from onshore.server import sessions
from onshore.server.context import ServerContext, context
from onshore.server.permissions import Permission, allowed

log = logging.getLogger("onshore.server.auth")

_bearer = HTTPBearer(auto_error=False, description="An onshore API token (`onshore token create`).")


def allowed_any(roles: Iterable[str], permission: Permission) -> bool:
    """Does any of ``roles`` carry ``permission``?"""
    return any(allowed(role, permission) for role in roles)


def decision_event(
    ctx: ServerContext, principal: Principal, permission: Permission, granted: bool
) -> LedgerEvent:
    """The ``access_decision`` event of one authorisation decision (default region)."""
    vault = ctx.vault
    return LedgerEvent(
        type=EventType.ACCESS_DECISION,
        at=vault.runtime.clock.now(),
        region=vault.runtime.settings.deployment.default_region,
        actor=principal.id,
        payload={
            "decision": "allow" if granted else "deny",
            "reason": permission.value,
            "roles": sorted(principal.roles),
        },
    )


def _count_decision(ctx: ServerContext, permission: Permission, granted: bool) -> None:
    ctx.metrics.access_decisions.labels(
        decision="allow" if granted else "deny", permission=permission.value
    ).inc()


def record_decision(
    ctx: ServerContext, principal: Principal, permission: Permission, granted: bool
) -> None:
    """Write one ``access_decision`` leaf on the default region's ledger and wait until it
    is committed (from a worker thread; routes use ``authorize``)."""
    ctx.access.record_sync(decision_event(ctx, principal, permission, granted))
    _count_decision(ctx, permission, granted)


def _missing(ctx: ServerContext) -> Unauthenticated:
    ctx.metrics.auth_failures.labels(reason="missing").inc()
    return Unauthenticated(
        "a bearer token is required (Authorization: Bearer <token>)",
        details={"reason": "missing"},
    )


def authenticate(ctx: ServerContext, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    """The principal of a bearer token; ``Unauthenticated`` (401) otherwise (may read the
    control store: call it from a worker thread)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _missing(ctx)
    try:
        return ctx.tokens.verify(credentials.credentials)
    except (Unauthenticated, Forbidden) as exc:
        ctx.metrics.auth_failures.labels(reason=str(exc.details.get("reason", "invalid"))).inc()
        raise


async def authorize(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    ctx: ServerContext,
    permission: Permission,
) -> Principal:
    """Authenticate, check ``permission`` and put the decision on the ledger before the
    route runs (see module). A token verified recently is checked without leaving the event
    loop (``Tokens.cached``); otherwise the control store is read on a worker thread.
    Without a bearer token, the browser's session cookie is used instead (CSRF-checked:
    ``server.sessions``)."""
    bearer = credentials is not None and credentials.scheme.lower() == "bearer"
    cookie = None if bearer else request.cookies.get(sessions.COOKIE)
    if cookie:
        principal = await sessions.principal(request, ctx, cookie)
    elif credentials is None or not bearer:
        raise _missing(ctx)
    else:
        cached = ctx.tokens.cached(credentials.credentials)
        if cached is None:
            cached = await run_in_threadpool(authenticate, ctx, credentials)
        principal = cached
    request.state.principal = principal
    granted = allowed_any(principal.roles, permission)
    await ctx.access.record(decision_event(ctx, principal, permission, granted))
    _count_decision(ctx, permission, granted)
    if not granted:
        log.info(
            "forbidden",
            extra={
                "principal": principal.id,
                "token_id": principal.token_id,
                "roles": sorted(principal.roles),
                "permission": permission.value,
                "decision": "deny",
            },
        )
        roles = ", ".join(sorted(principal.roles)) or "none"
        raise Forbidden(
            f"roles {roles} may not {permission.value}",
            details={
                "permission": permission.value,
                "role": principal.role,
                "roles": sorted(principal.roles),
            },
        )
    return principal


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """A dependency that authenticates the caller and checks ``permission`` (see module)."""

    async def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
        _cookie: str | None = Depends(sessions.cookie_scheme),  # documents it
        ctx: ServerContext = Depends(context),  # noqa: B008
    ) -> Principal:
        return await authorize(request, credentials, ctx, permission)

    dependency.__name__ = f"require_{permission.name.lower()}"
    dependency.permission = permission  # type: ignore[attr-defined]  # read by the matrix test
    return dependency
