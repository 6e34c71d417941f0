"""Errors of identities: signing in, tokens that no longer hold, users and service accounts
(``auth.*`` beyond the two basic ones, ``user.*``, ``service_account.*``).

A wrong password and an unknown user are one error (``auth.invalid_credentials``): the
answer never tells whether a name exists.
"""

from __future__ import annotations

from onshore.core.errors.base import OnshoreError
from onshore.core.errors.inputs import InputError, NotFound
from onshore.core.errors.service import AuthError, Forbidden, Unauthenticated


class InvalidCredentials(Unauthenticated):
    """The name or the password is wrong (one error for both: no user enumeration)."""

    code = "auth.invalid_credentials"


class TotpRequired(Unauthenticated):
    """The user has a second factor: send the current TOTP code with the password."""

    code = "auth.totp_required"


class TotpInvalid(Unauthenticated):
    """The TOTP code is wrong, outside the allowed window, or was already used."""

    code = "auth.totp_invalid"


class AccountLocked(AuthError):
    """Too many failed sign-ins: the account is locked for ``details['retry_after']``
    seconds (HTTP 429 with ``Retry-After``)."""

    code = "auth.locked"


class UserDisabled(Unauthenticated):
    """The user is disabled and cannot sign in."""

    code = "auth.user_disabled"


class OwnerDisabled(Unauthenticated):
    """The token's owner (user or service account) is disabled."""

    code = "auth.owner_disabled"


class TokenExpired(Unauthenticated):
    """The bearer token is past its ``expires_at``."""

    code = "auth.token_expired"


class RoleRevoked(Forbidden):
    """The token's owner no longer holds any of the roles the token carries (HTTP 403)."""

    code = "auth.role_revoked"


class UserNotFound(NotFound):
    """No user (or service account) has that name or id."""

    code = "user.not_found"


class UserNameTaken(InputError):
    """A user (or service account) with that name exists already."""

    code = "user.name_taken"


class UserConflict(OnshoreError):
    """The user changed while this change was made; read it again and retry."""

    code = "user.conflict"
