"""The identity port: users and service accounts, and the store that keeps them (the
deployment's control database, beside the API tokens).

A user signs in with a name and a password (argon2id hash, never the password) and an
optional TOTP second factor; a service account is a named non-person that only holds tokens.
Both hold roles. ``to_dict`` never shows the password hash or the TOTP secret.

Example:
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> user = User("usr_1", "lan", frozenset({"approver"}), at, at, password_hash="$argon2id$")
    >>> user.to_dict()["roles"], "password_hash" in user.to_dict()
    (['approver'], False)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class User:
    """A person who signs in: name, roles, state, and the secrets checking them."""

    user_id: str
    name: str
    roles: frozenset[str]
    created_at: datetime
    updated_at: datetime
    display_name: str | None = None
    email: str | None = None
    disabled: bool = False
    password_hash: str | None = field(default=None, repr=False)
    totp_secret: str | None = field(default=None, repr=False)
    totp_last_step: int | None = None
    """The TOTP time step last accepted (a code is never accepted twice)."""
    failed_attempts: int = 0
    """Failed sign-ins since the last success (drives the lockout)."""
    locked_until: datetime | None = None

    @property
    def has_totp(self) -> bool:
        """True when the user has enrolled a TOTP second factor."""
        return self.totp_secret is not None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready public form (no password hash, no TOTP secret)."""
        return {
            "user_id": self.user_id,
            "name": self.name,
            "display_name": self.display_name,
            "email": self.email,
            "roles": sorted(self.roles),
            "disabled": self.disabled,
            "totp": self.has_totp,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    """A named non-person (a CI job, an integration) that holds tokens and roles."""

    account_id: str
    name: str
    roles: frozenset[str]
    created_at: datetime
    updated_at: datetime
    disabled: bool = False

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "account_id": self.account_id,
            "name": self.name,
            "roles": sorted(self.roles),
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


#: Either kind of token owner.
Owner = User | ServiceAccount


class UserStore(Protocol):
    """Where users and service accounts live (the control database). Backends: memory,
    SQLite, PostgreSQL; ``tests/conformance/test_user_store.py`` holds them to one behaviour."""

    def insert_user(self, user: User) -> None:
        """Add a user; ``UserNameTaken`` when the name is in use."""

    def user(self, user_id: str) -> User | None:
        """A user by id, or None."""

    def user_by_name(self, name: str) -> User | None:
        """A user by name, or None."""

    def users(self, after: str | None, limit: int) -> list[User]:
        """Up to ``limit`` users with ``name > after``, ordered by name (code points)."""

    def update_user(self, user: User, expected: datetime) -> None:
        """Write every field of ``user`` when the stored ``updated_at`` is still
        ``expected``; ``UserConflict`` otherwise (another change came first)."""

    def record_failure(self, user_id: str) -> int:
        """Count one failed sign-in (atomically) and return the new count (0 when there is
        no such user)."""

    def lock(self, user_id: str, locked_until: datetime) -> None:
        """Set ``locked_until`` (does not touch ``updated_at``)."""

    def record_success(self, user_id: str) -> None:
        """Reset the failure count and the lock after a successful sign-in."""

    def use_totp_step(self, user_id: str, step: int) -> bool:
        """Accept TOTP time step ``step`` when it is later than the last one accepted
        (atomically); False when it was already used (a replay) or is older."""

    def insert_service(self, account: ServiceAccount) -> None:
        """Add a service account; ``UserNameTaken`` when the name is in use."""

    def service(self, account_id: str) -> ServiceAccount | None:
        """A service account by id, or None."""

    def service_by_name(self, name: str) -> ServiceAccount | None:
        """A service account by name, or None."""

    def services(self, after: str | None, limit: int) -> list[ServiceAccount]:
        """Up to ``limit`` service accounts with ``name > after``, ordered by name."""

    def update_service(self, account: ServiceAccount, expected: datetime) -> None:
        """Write ``account`` when the stored ``updated_at`` is still ``expected``
        (``UserConflict`` otherwise)."""

    def generation(self) -> object | None:
        """A value that changes whenever a user or service account changes, by this process
        or another; None when the store cannot tell cheaply (then tokens are not cached)."""

    def close(self) -> None:
        """Release the connection."""
