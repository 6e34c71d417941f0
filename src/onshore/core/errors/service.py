"""Errors of the law and of the service around it: residency, policy, authentication, the server
(``residency.*``, ``policy.*``, ``auth.*``, ``serve.*``, ``server.*``).
"""

from __future__ import annotations

from onshore.core.errors.base import OnshoreError


class ResidencyError(OnshoreError):
    """Residency could not be resolved or honoured."""

    code = "residency.error"


class NoPermittedRegion(ResidencyError):
    """No configured region is in a country where the law allows this record to live."""

    code = "residency.no_permitted_region"


class PolicyError(OnshoreError):
    """Policy evaluation failed or said no."""

    code = "policy.error"


class PolicyDenied(PolicyError):
    """The policy engine denied the operation; ``details['decision']`` explains why."""

    code = "policy.denied"


class PackError(PolicyError):
    """A policy pack is malformed; the message names the file, line and reason."""

    code = "policy.pack_invalid"


class AuthError(OnshoreError):
    """A caller could not be authenticated or is not allowed to do this."""

    code = "auth.error"


class Unauthenticated(AuthError):
    """No bearer token, or one that is unknown or revoked (HTTP 401)."""

    code = "auth.unauthenticated"


class Forbidden(AuthError):
    """The token's role does not carry the permission the operation needs (HTTP 403)."""

    code = "auth.forbidden"


class CannotListen(OnshoreError):
    """``onshore serve`` or ``run`` cannot listen on its address (port in use, no permission)."""

    code = "serve.cannot_listen"


class DeadlineExceeded(OnshoreError):
    """A request took longer than the server's deadline (HTTP 504); a write may or may not
    have been applied, so retry it with the same ``record_id`` (puts are idempotent)."""

    code = "server.timeout"


class ServerUnreachable(OnshoreError):
    """The CLI cannot reach the onshore server it is configured to use (``ONSHORE_URL`` or
    ``onshore login``): connection refused, no such host, or TLS verification failed."""

    code = "server.unreachable"
