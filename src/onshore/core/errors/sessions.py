"""Errors of browser sessions, CSRF and OpenID Connect sign-in (``auth.*``; docs/sign-in.md)."""

from __future__ import annotations

from onshore.core.errors.service import AuthError, Forbidden, Unauthenticated


class SessionExpired(Unauthenticated):
    """The browser session passed its idle or absolute timeout; sign in again (HTTP 401)."""

    code = "auth.session_expired"


class CsrfFailed(Forbidden):
    """A cookie-signed-in POST/PUT/PATCH/DELETE lacks its session's CSRF token (HTTP 403).

    The token goes in ``X-CSRF-Token`` or a ``csrf_token`` form field (docs/sign-in.md)."""

    code = "auth.csrf_failed"


class OidcError(AuthError):
    """OpenID Connect sign-in failed."""

    code = "auth.oidc_error"


class OidcDisabled(OidcError):
    """OIDC sign-in is not configured on this server (no ``[oidc] issuer``; HTTP 404)."""

    code = "auth.oidc_disabled"


class OidcStateInvalid(OidcError):
    """The OIDC callback matches no sign-in started by this browser, or a stale one (400).

    The sign-in cookie is missing, forged or over ten minutes old, or ``state`` differs."""

    code = "auth.oidc_state"


class OidcTokenInvalid(OidcError):
    """The provider refused the code, or its ID token failed a check (HTTP 401).

    ``details.reason`` names the check: signature, iss, aud, azp, exp, nonce..."""

    code = "auth.oidc_token_invalid"


class OidcUserUnknown(OidcError):
    """The OIDC subject is linked to no enabled user and was not provisioned (HTTP 403)."""

    code = "auth.oidc_user_unknown"


class OidcProviderUnavailable(OidcError):
    """The provider could not be reached or answered nonsense (HTTP 503)."""

    code = "auth.oidc_provider_unavailable"


class OidcLinkTaken(OidcError):
    """That OIDC subject is linked to a user already; unlink it first (HTTP 409)."""

    code = "auth.oidc_link_taken"
