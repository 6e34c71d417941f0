"""``[identities]``: how users sign in and how long what they get lasts (passwords,
lockout, TOTP, the tokens ``POST /v1/auth/token`` issues). See docs/identities.md.

Example:
    >>> s = IdentitySettings()
    >>> s.login_token_ttl_seconds, s.lockout_threshold, s.lockout_max_seconds
    (43200, 5, 900)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class IdentitySettings(BaseModel):
    """``[identities]``: sign-in, lockout and login-token settings (every field optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    login_token_ttl_seconds: int = Field(
        default=12 * 3600,
        gt=0,
        description="Lifetime of a token from POST /v1/auth/token when the caller asks "
        "for none (seconds; 12 hours).",
    )
    login_token_max_ttl_seconds: int = Field(
        default=7 * 24 * 3600,
        gt=0,
        description="Longest lifetime a token from POST /v1/auth/token may have (seconds; "
        "7 days); a longer ttl asked for is cut to it.",
    )
    lockout_threshold: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins in a row after which a user is locked (auth.locked).",
    )
    lockout_base_seconds: int = Field(
        default=30,
        ge=1,
        description="First lock's length; each further failure doubles it (seconds).",
    )
    lockout_max_seconds: int = Field(
        default=15 * 60,
        ge=1,
        description="Longest lock, however many failures (seconds; 15 minutes).",
    )
    password_min_length: int = Field(
        default=12, ge=8, le=128, description="Shortest password a user may set (characters)."
    )
    argon2_time_cost: int = Field(
        default=3, ge=1, description="argon2id passes over memory when hashing a password."
    )
    argon2_memory_kib: int = Field(
        default=64 * 1024,
        ge=8,
        description="argon2id memory per hash (KiB; 64 MiB). A stored hash made with other "
        "parameters is re-hashed at the user's next sign-in.",
    )
    argon2_parallelism: int = Field(
        default=4, ge=1, description="argon2id lanes (threads) per hash."
    )
    totp_issuer: str = Field(
        default="onshore",
        min_length=1,
        max_length=64,
        description="Issuer shown by authenticator apps for an enrolled TOTP secret.",
    )

    @model_validator(mode="after")
    def _check(self) -> IdentitySettings:
        if self.login_token_ttl_seconds > self.login_token_max_ttl_seconds:
            raise ValueError(
                "identities.login_token_ttl_seconds: longer than login_token_max_ttl_seconds"
            )
        if self.argon2_memory_kib < 8 * self.argon2_parallelism:
            raise ValueError("identities.argon2_memory_kib: at least 8 KiB per lane")
        return self
