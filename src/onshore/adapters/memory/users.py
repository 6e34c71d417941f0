"""Users and service accounts in memory (tests, ``memory://`` control stores).

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.ports import User
    >>> store = MemoryUserStore()
    >>> now = datetime.now(timezone.utc)
    >>> store.insert_user(User("usr_1", "lan", frozenset({"approver"}), now, now))
    >>> store.record_failure("usr_1"), store.record_failure("usr_1")
    (1, 2)
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime
from typing import TypeVar

from onshore.core.errors import UserConflict, UserNameTaken, UserNotFound
from onshore.ports import ServiceAccount, User

_T = TypeVar("_T", User, ServiceAccount)


def _page(items: list[_T], after: str | None, limit: int) -> list[_T]:
    ordered = sorted(items, key=lambda x: x.name)
    return [x for x in ordered if after is None or x.name > after][:limit]


class MemoryUserStore:
    """Users and service accounts in dicts, guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users: dict[str, User] = {}
        self._services: dict[str, ServiceAccount] = {}
        self._writes = 0

    def _check_name(self, items: dict[str, _T], name: str, ident: str) -> None:
        if any(x.name == name and key != ident for key, x in items.items()):
            raise UserNameTaken("that name is taken", details={"name": name})

    def insert_user(self, user: User) -> None:
        """Add a user; ``UserNameTaken`` when the name is in use."""
        with self._lock:
            self._check_name(self._users, user.name, user.user_id)
            self._users[user.user_id] = user
            self._writes += 1

    def user(self, user_id: str) -> User | None:
        """A user by id."""
        with self._lock:
            return self._users.get(user_id)

    def user_by_name(self, name: str) -> User | None:
        """A user by name."""
        with self._lock:
            return next((u for u in self._users.values() if u.name == name), None)

    def users(self, after: str | None, limit: int) -> list[User]:
        """Users ordered by name after ``after``."""
        with self._lock:
            return _page(list(self._users.values()), after, limit)

    def _current(self, items: dict[str, _T], ident: str, expected: datetime) -> _T:
        found = items.get(ident)
        if found is None:
            raise UserNotFound("no such account", details={"id": ident})
        if found.updated_at != expected:
            raise UserConflict(
                "the account changed meanwhile; read it again and retry", details={"id": ident}
            )
        return found

    def update_user(self, user: User, expected: datetime) -> None:
        """Write the user's editable fields when ``updated_at`` is still ``expected``."""
        with self._lock:
            old = self._current(self._users, user.user_id, expected)
            self._check_name(self._users, user.name, user.user_id)
            self._users[user.user_id] = dataclasses.replace(
                user,
                totp_last_step=old.totp_last_step,
                failed_attempts=old.failed_attempts,
                locked_until=old.locked_until,
                created_at=old.created_at,
            )
            self._writes += 1

    def _edit(self, user_id: str, **changes: object) -> User | None:
        user = self._users.get(user_id)
        if user is not None:
            user = dataclasses.replace(user, **changes)  # type: ignore[arg-type]
            self._users[user_id] = user
            self._writes += 1
        return user

    def record_failure(self, user_id: str) -> int:
        """Count one failed sign-in; the new count (0 when there is no such user)."""
        with self._lock:
            user = self._users.get(user_id)
            if user is None:
                return 0
            self._edit(user_id, failed_attempts=user.failed_attempts + 1)
            return user.failed_attempts + 1

    def lock(self, user_id: str, locked_until: datetime) -> None:
        """Lock the user until ``locked_until``."""
        with self._lock:
            self._edit(user_id, locked_until=locked_until)

    def record_success(self, user_id: str) -> None:
        """Clear the failure count and the lock."""
        with self._lock:
            user = self._users.get(user_id)
            if user is not None and (user.failed_attempts or user.locked_until is not None):
                self._edit(user_id, failed_attempts=0, locked_until=None)

    def use_totp_step(self, user_id: str, step: int) -> bool:
        """Accept ``step`` once, and only after every step accepted before."""
        with self._lock:
            user = self._users.get(user_id)
            if user is None or (user.totp_last_step is not None and user.totp_last_step >= step):
                return False
            self._edit(user_id, totp_last_step=step)
            return True

    def insert_service(self, account: ServiceAccount) -> None:
        """Add a service account; ``UserNameTaken`` when the name is in use."""
        with self._lock:
            self._check_name(self._services, account.name, account.account_id)
            self._services[account.account_id] = account
            self._writes += 1

    def service(self, account_id: str) -> ServiceAccount | None:
        """A service account by id."""
        with self._lock:
            return self._services.get(account_id)

    def service_by_name(self, name: str) -> ServiceAccount | None:
        """A service account by name."""
        with self._lock:
            return next((s for s in self._services.values() if s.name == name), None)

    def services(self, after: str | None, limit: int) -> list[ServiceAccount]:
        """Service accounts ordered by name after ``after``."""
        with self._lock:
            return _page(list(self._services.values()), after, limit)

    def update_service(self, account: ServiceAccount, expected: datetime) -> None:
        """Write the account's roles and state when ``updated_at`` is still ``expected``."""
        with self._lock:
            old = self._current(self._services, account.account_id, expected)
            self._services[account.account_id] = dataclasses.replace(
                account, name=old.name, created_at=old.created_at
            )
            self._writes += 1

    def generation(self) -> object | None:
        """How many changes were made so far."""
        return self._writes

    def close(self) -> None:
        """Nothing to release."""
