"""Errors of browser sessions, CSRF and OpenID Connect sign-in (``auth.*``; docs/sign-in.md)."""

from __future__ import annotations

from onshore.core.errors.service import AuthError, Forbidden, Unauthenticated


class SessionExpired(Unauthenticated):
    """The browser session passed its idle or absolute timeout; sign in again (HTTP 401)."""

    code = "auth.session_expired"


class CsrfFailed(Forbidden):
    """A state-changing request authenticated by the session cookie lacks the session's CSRF
    token (``X-CSRF-Token`` or a ``csrf_token`` form field), or carries a wrong one (403)."""

    code = "auth.csrf_failed"


class OidcError(AuthError):
    """OpenID Connect sign-in failed."""

    code = "auth.oidc_error"


class OidcDisabled(OidcError):
    """OIDC sign-in is not configured on this server (no ``[oidc] issuer``; HTTP 404)."""

    code = "auth.oidc_disabled"


class OidcStateInvalid(OidcError):
    """The callback's ``state`` is missing, does not match the sign-in this browser started,
    or that sign-in is too old (HTTP 400)."""

    code = "auth.oidc_state"


class OidcTokenInvalid(OidcError):
    """The provider refused the code, or its ID token failed verification (signature, issuer,
    audience, expiry or nonce; HTTP 401)."""

    code = "auth.oidc_token_invalid"


class OidcUserUnknown(OidcError):
    """The signed-in subject is linked to no user (or to a disabled one) and is not
    auto-provisioned (HTTP 403)."""

    code = "auth.oidc_user_unknown"


class OidcProviderUnavailable(OidcError):
    """The provider could not be reached or answered nonsense (HTTP 503)."""

    code = "auth.oidc_provider_unavailable"
