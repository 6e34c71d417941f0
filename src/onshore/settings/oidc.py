"""``[oidc]``: single sign-on through an OpenID Connect provider (docs/sign-in.md).

OIDC sign-in is off until ``issuer`` is set. The client secret is never written in the
file: ``client_secret_env`` names an environment variable holding it, or
``client_secret_file`` a file (mode 0600) holding it. A signed-in subject becomes a user
through a link by (issuer, subject) stored with the user; a subject without a link is
refused (``auth.oidc_user_unknown``) unless ``auto_provision`` creates the user, with the
roles ``role_map`` gives the values of the ``roles_claim`` claim.

Example:
    >>> s = OidcSettings(issuer="https://id.example", client_id="onshore",
    ...                  client_secret_env="ONSHORE_OIDC_SECRET",
    ...                  redirect_url="https://onshore.example/v1/session/oidc/callback")
    >>> s.enabled, s.scopes
    (True, ['openid', 'profile', 'email'])
    >>> OidcSettings().enabled
    False
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from onshore.core.identity import ROLES
from onshore.settings.sections import Strict


class OidcSettings(Strict):
    """``[oidc]``: the provider, this client, and how a signed-in subject maps to a user."""

    issuer: str | None = Field(
        default=None,
        description="The provider's issuer URL (its discovery document is "
        "<issuer>/.well-known/openid-configuration); unset turns OIDC sign-in off.",
    )
    client_id: str = Field(default="", description="This deployment's client id at the provider.")
    client_secret_env: str | None = Field(
        default=None, description="Name of the environment variable holding the client secret."
    )
    client_secret_file: Path | None = Field(
        default=None,
        description="File holding the client secret (relative to base_dir; used when "
        "client_secret_env is unset).",
    )
    scopes: list[str] = Field(
        default_factory=lambda: ["openid", "profile", "email"],
        description="Scopes asked for ('openid' is always included).",
    )
    redirect_url: str = Field(
        default="",
        description="This server's callback URL as registered at the provider "
        "(https://<host>/v1/session/oidc/callback).",
    )
    username_claim: str = Field(
        default="preferred_username",
        description="ID-token claim that names an auto-provisioned user (falls back to 'sub').",
    )
    auto_provision: bool = Field(
        default=False,
        description="Create a user (and its link) at the first sign-in of an unknown subject.",
    )
    roles_claim: str = Field(
        default="groups",
        description="ID-token claim (a string or a list of strings) whose values role_map "
        "turns into roles of an auto-provisioned user.",
    )
    role_map: dict[str, list[str]] = Field(
        default_factory=dict,
        description='Claim value -> onshore roles, e.g. {"legal" = ["legal_reviewer"]}; an '
        "auto-provisioned subject must get at least one role.",
    )
    after_login_url: str | None = Field(
        default=None,
        description="Where the browser is sent after a successful OIDC sign-in (a path on "
        "this server); unset answers the callback with JSON.",
    )
    timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Timeout of each call to the provider."
    )

    @property
    def enabled(self) -> bool:
        """True when an issuer is configured."""
        return bool(self.issuer)

    @model_validator(mode="after")
    def _complete(self) -> OidcSettings:
        if not self.issuer:
            return self
        missing = [n for n in ("client_id", "redirect_url") if not getattr(self, n)]
        if missing:
            raise ValueError(f"oidc: {', '.join(missing)} must be set when issuer is")
        if not (self.client_secret_env or self.client_secret_file):
            raise ValueError("oidc: set client_secret_env or client_secret_file")
        unknown = sorted({r for rs in self.role_map.values() for r in rs} - set(ROLES))
        if unknown:
            raise ValueError(f"oidc.role_map: unknown roles {unknown} (known: {list(ROLES)})")
        if self.after_login_url is not None and not self.after_login_url.startswith("/"):
            raise ValueError("oidc.after_login_url must be a path on this server ('/...')")
        return self
