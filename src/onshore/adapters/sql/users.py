"""The user store in neutral SQL: users and service accounts in a control database's
``users`` and ``service_accounts`` tables (control store version 2), over SQLite or
PostgreSQL (``adapters.sql.dialect``).

Changes are optimistic: ``update_user``/``update_service`` write only when ``updated_at``
is still the one read (``UserConflict`` otherwise). The sign-in counters change atomically
in the database (``record_failure``, ``use_totp_step``), so two servers sharing the store
count every failure and accept a TOTP time step once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from onshore.adapters.sql.control import SqlControlStore, roles_of, roles_text
from onshore.core.errors import UserConflict, UserNameTaken, UserNotFound
from onshore.ports import ServiceAccount, User

_USER = (
    "user_id, name, display_name, email, roles, disabled, password_hash, totp_secret, "
    "totp_last_step, failed_attempts, locked_until, created_at, updated_at"
)
_SERVICE = "account_id, name, roles, disabled, created_at, updated_at"


class SqlUserStore(SqlControlStore):
    """Users and service accounts in one SQL control database (see ``SqlControlStore``)."""

    def _user(self, row: tuple[Any, ...]) -> User:
        t = self._d.from_time
        return User(
            user_id=row[0],
            name=row[1],
            display_name=row[2],
            email=row[3],
            roles=roles_of(row[4]),
            disabled=bool(row[5]),
            password_hash=row[6],
            totp_secret=row[7],
            totp_last_step=None if row[8] is None else int(row[8]),
            failed_attempts=int(row[9]),
            locked_until=t(row[10]),
            created_at=t(row[11]),
            updated_at=t(row[12]),
        )

    def _service(self, row: tuple[Any, ...]) -> ServiceAccount:
        t = self._d.from_time
        return ServiceAccount(
            account_id=row[0],
            name=row[1],
            roles=roles_of(row[2]),
            disabled=bool(row[3]),
            created_at=t(row[4]),
            updated_at=t(row[5]),
        )

    def _insert(self, sql: str, params: tuple[Any, ...], name: str) -> None:
        try:
            self._run(sql, params, write=True)
        except self._duplicate as exc:
            raise UserNameTaken("that name is taken", details={"name": name}) from exc

    def insert_user(self, user: User) -> None:
        """Add a user; ``UserNameTaken`` when the name is in use."""
        t = self._d.time
        self._insert(
            f"INSERT INTO users ({_USER}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                user.user_id,
                user.name,
                user.display_name,
                user.email,
                roles_text(user.roles),
                int(user.disabled),
                user.password_hash,
                user.totp_secret,
                user.totp_last_step,
                user.failed_attempts,
                t(user.locked_until),
                t(user.created_at),
                t(user.updated_at),
            ),
            user.name,
        )

    def user(self, user_id: str) -> User | None:
        """A user by id."""
        rows = self._run(f"SELECT {_USER} FROM users WHERE user_id = ?", (user_id,))
        return self._user(rows[0]) if rows else None

    def user_by_name(self, name: str) -> User | None:
        """A user by name."""
        rows = self._run(f"SELECT {_USER} FROM users WHERE name = ?", (name,))
        return self._user(rows[0]) if rows else None

    def users(self, after: str | None, limit: int) -> list[User]:
        """Users ordered by name after ``after``."""
        rows = self._run(
            f"SELECT {_USER} FROM users WHERE {self._by_name} > ? ORDER BY {self._by_name} LIMIT ?",
            (after or "", limit),
        )
        return [self._user(r) for r in rows]

    def _changed(self, table: str, key: str, ident: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            return
        if self._run(f"SELECT 1 FROM {table} WHERE {key} = ?", (ident,)):
            raise UserConflict(
                "the account changed meanwhile; read it again and retry", details={"id": ident}
            )
        raise UserNotFound("no such account", details={"id": ident})

    def update_user(self, user: User, expected: datetime) -> None:
        """Write the user's editable fields when ``updated_at`` is still ``expected``."""
        t = self._d.time
        try:
            rows = self._run(
                "UPDATE users SET name = ?, display_name = ?, email = ?, roles = ?, "
                "disabled = ?, password_hash = ?, totp_secret = ?, updated_at = ? "
                "WHERE user_id = ? AND updated_at = ? RETURNING user_id",
                (
                    user.name,
                    user.display_name,
                    user.email,
                    roles_text(user.roles),
                    int(user.disabled),
                    user.password_hash,
                    user.totp_secret,
                    t(user.updated_at),
                    user.user_id,
                    t(expected),
                ),
                write=True,
            )
        except self._duplicate as exc:
            raise UserNameTaken("that name is taken", details={"name": user.name}) from exc
        self._changed("users", "user_id", user.user_id, rows)

    def record_failure(self, user_id: str) -> int:
        """Count one failed sign-in; the new count (0 when there is no such user)."""
        rows = self._run(
            "UPDATE users SET failed_attempts = failed_attempts + 1 WHERE user_id = ? "
            "RETURNING failed_attempts",
            (user_id,),
            write=True,
        )
        return int(rows[0][0]) if rows else 0

    def lock(self, user_id: str, locked_until: datetime) -> None:
        """Lock the user until ``locked_until``."""
        self._run(
            "UPDATE users SET locked_until = ? WHERE user_id = ?",
            (self._d.time(locked_until), user_id),
            write=True,
        )

    def record_success(self, user_id: str) -> None:
        """Clear the failure count and the lock (no write when already clear)."""
        self._run(
            "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE user_id = ? "
            "AND (failed_attempts <> 0 OR locked_until IS NOT NULL)",
            (user_id,),
            write=True,
        )

    def use_totp_step(self, user_id: str, step: int) -> bool:
        """Accept ``step`` once, and only after every step accepted before."""
        rows = self._run(
            "UPDATE users SET totp_last_step = ? WHERE user_id = ? "
            "AND (totp_last_step IS NULL OR totp_last_step < ?) RETURNING user_id",
            (step, user_id, step),
            write=True,
        )
        return bool(rows)

    def insert_service(self, account: ServiceAccount) -> None:
        """Add a service account; ``UserNameTaken`` when the name is in use."""
        t = self._d.time
        self._insert(
            f"INSERT INTO service_accounts ({_SERVICE}) VALUES (?, ?, ?, ?, ?, ?)",
            (
                account.account_id,
                account.name,
                roles_text(account.roles),
                int(account.disabled),
                t(account.created_at),
                t(account.updated_at),
            ),
            account.name,
        )

    def service(self, account_id: str) -> ServiceAccount | None:
        """A service account by id."""
        rows = self._run(
            f"SELECT {_SERVICE} FROM service_accounts WHERE account_id = ?", (account_id,)
        )
        return self._service(rows[0]) if rows else None

    def service_by_name(self, name: str) -> ServiceAccount | None:
        """A service account by name."""
        rows = self._run(f"SELECT {_SERVICE} FROM service_accounts WHERE name = ?", (name,))
        return self._service(rows[0]) if rows else None

    def services(self, after: str | None, limit: int) -> list[ServiceAccount]:
        """Service accounts ordered by name after ``after``."""
        rows = self._run(
            f"SELECT {_SERVICE} FROM service_accounts WHERE {self._by_name} > ? "
            f"ORDER BY {self._by_name} LIMIT ?",
            (after or "", limit),
        )
        return [self._service(r) for r in rows]

    def update_service(self, account: ServiceAccount, expected: datetime) -> None:
        """Write the account's roles and state when ``updated_at`` is still ``expected``."""
        t = self._d.time
        rows = self._run(
            "UPDATE service_accounts SET roles = ?, disabled = ?, updated_at = ? "
            "WHERE account_id = ? AND updated_at = ? RETURNING account_id",
            (
                roles_text(account.roles),
                int(account.disabled),
                t(account.updated_at),
                account.account_id,
                t(expected),
            ),
            write=True,
        )
        self._changed("service_accounts", "account_id", account.account_id, rows)
