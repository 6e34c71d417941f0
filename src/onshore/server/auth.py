"""Authentication and authorisation, enforced in one place.

Every protected route declares ``Depends(require(Permission.X))``. The dependency reads the
``Authorization: Bearer`` token, verifies it against the control store (401 when missing,
unknown or revoked), checks the role against ``server.permissions.MATRIX`` (403 when not
allowed), and writes the decision, allowed or refused, as an ``access_decision`` leaf on
the default region's ledger before the route runs. The leaf holds the permission, the
decision and the role; the actor is the token id, keyed-hashed by the ledger. The token
itself is never stored, logged or echoed. Requests without a valid token are counted
(``onshore_auth_failures``) and logged without the token, but not written to the ledger:
anyone can send them, and the ledger must not grow at a stranger's pace.

Example:
    >>> Principal("tok_1", "ci", "operator").role
    'operator'
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from onshore.core.audit import AuditEvent, EventType
from onshore.core.errors import Forbidden, Unauthenticated
from onshore.server.context import ServerContext, context
from onshore.server.permissions import Permission, allowed

log = logging.getLogger("onshore.server.auth")

_bearer = HTTPBearer(auto_error=False, description="An onshore API token (`onshore token create`).")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the token's id, name and role."""

    token_id: str
    name: str
    role: str


def record_decision(
    ctx: ServerContext, principal: Principal, permission: Permission, granted: bool
) -> None:
    """Write one ``access_decision`` leaf on the default region's ledger (its own
    transaction, committed before the route runs)."""
    vault = ctx.vault
    region = vault.runtime.settings.deployment.default_region
    event = AuditEvent(
        type=EventType.ACCESS_DECISION,
        at=vault.runtime.clock.now(),
        region=region,
        actor=principal.token_id,
        payload={
            "decision": "allow" if granted else "deny",
            "reason": permission.value,
            "roles": [principal.role],
        },
    )
    with vault.runtime.regions[region].db.transaction():
        vault.audit_log(region).append([event])
    ctx.metrics.access_decisions.labels(
        decision="allow" if granted else "deny", permission=permission.value
    ).inc()


def authenticate(ctx: ServerContext, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    """The principal of a bearer token; ``Unauthenticated`` (401) otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        ctx.metrics.auth_failures.labels(reason="missing").inc()
        raise Unauthenticated(
            "a bearer token is required (Authorization: Bearer <token>)",
            details={"reason": "missing"},
        )
    try:
        info = ctx.tokens.verify(credentials.credentials)
    except Unauthenticated as exc:
        ctx.metrics.auth_failures.labels(reason=str(exc.details.get("reason", "invalid"))).inc()
        raise
    return Principal(info.token_id, info.name, info.role)


def require(permission: Permission) -> Callable[..., Principal]:
    """A dependency that authenticates the caller and checks ``permission`` (see module)."""

    def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
        ctx: ServerContext = Depends(context),  # noqa: B008
    ) -> Principal:
        principal = authenticate(ctx, credentials)
        request.state.principal = principal
        granted = allowed(principal.role, permission)
        record_decision(ctx, principal, permission, granted)
        if not granted:
            log.info(
                "forbidden",
                extra={
                    "token_id": principal.token_id,
                    "role": principal.role,
                    "permission": permission.value,
                    "decision": "deny",
                },
            )
            raise Forbidden(
                f"role {principal.role!r} may not {permission.value}",
                details={"permission": permission.value, "role": principal.role},
            )
        return principal

    dependency.__name__ = f"require_{permission.name.lower()}"
    dependency.permission = permission  # type: ignore[attr-defined]  # read by the matrix test
    return dependency
