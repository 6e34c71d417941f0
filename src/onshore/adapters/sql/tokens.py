"""The token store in neutral SQL: API token digests in a control database's
``api_tokens`` table, over SQLite or PostgreSQL (``adapters.sql.dialect``). The secret is
never stored.

A token store owns its connection (the control database is not a region database): the
backends open it, bring its schema up to date and say how a driver failure reads
(``_unavailable``); a name already taken is reported as ``TokenNameTaken``. Creation and
revocation times are stored as given (``Dialect.time_as_given``), the expiry (added in the
control store's version 2) as ``Dialect.time``. Roles are one space-separated, sorted text;
the first-release ``role`` column keeps the token's first role for older readers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from onshore.adapters.sql.control import SqlControlStore, roles_of, roles_text
from onshore.core.errors import TokenNameTaken
from onshore.ports import TokenInfo

_COLUMNS = "token_id, name, owner_id, roles, created_at, expires_at, revoked_at"


class SqlTokenStore(SqlControlStore):
    """Token digests in one SQL control database (see ``SqlControlStore``)."""

    def _info(self, row: tuple[Any, ...]) -> TokenInfo:
        at = self._d.from_time_as_given
        return TokenInfo(
            token_id=row[0],
            name=row[1],
            owner_id=row[2] or "",
            roles=roles_of(row[3]),
            created_at=at(row[4]),
            expires_at=self._d.from_time(row[5]),
            revoked_at=at(row[6]) if row[6] else None,
        )

    def insert(self, info: TokenInfo, digest: bytes) -> None:
        """Add a token; ``TokenNameTaken`` when the name is in use."""
        created = self._d.time_as_given(info.created_at)
        try:
            self._run(
                f"INSERT INTO api_tokens ({_COLUMNS}, role, digest) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    info.token_id,
                    info.name,
                    info.owner_id,
                    roles_text(info.roles),
                    created,
                    self._d.time(info.expires_at),
                    None,
                    info.role,
                    digest,
                ),
                write=True,
            )
        except self._duplicate as exc:
            raise TokenNameTaken(
                "a token with that name exists", details={"name": info.name}
            ) from exc

    def by_digest(self, digest: bytes) -> TokenInfo | None:
        """The token whose secret hashes to ``digest``."""
        rows = self._run(f"SELECT {_COLUMNS} FROM api_tokens WHERE digest = ?", (digest,))
        return self._info(rows[0]) if rows else None

    def lookup(self, name_or_id: str) -> TokenInfo | None:
        """A token by name or id."""
        rows = self._run(
            f"SELECT {_COLUMNS} FROM api_tokens WHERE token_id = ? OR name = ? "
            "ORDER BY token_id = ? DESC LIMIT 1",
            (name_or_id, name_or_id, name_or_id),
        )
        return self._info(rows[0]) if rows else None

    def revoke(self, token_id: str, at: datetime) -> None:
        """Mark revoked (keeps an earlier revocation)."""
        self._run(
            "UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
            (self._d.time_as_given(at), token_id),
            write=True,
        )

    def page(self, after: str | None, limit: int) -> list[TokenInfo]:
        """Tokens ordered by name after ``after``."""
        rows = self._run(
            f"SELECT {_COLUMNS} FROM api_tokens WHERE {self._by_name} > ? "
            f"ORDER BY {self._by_name} LIMIT ?",
            (after or "", limit),
        )
        return [self._info(r) for r in rows]
