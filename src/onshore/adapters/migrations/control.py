"""Migrations of the control store (API tokens).

Version 1 is the first release's schema: the token stores' ``SCHEMA`` texts (frozen).
"""

from __future__ import annotations

from typing import Any

from onshore.adapters.migrations import Migration


def _sqlite_v1(conn: Any) -> None:
    from onshore.adapters.sqlite.tokens import SCHEMA

    conn.execute(SCHEMA)


def _postgres_v1(conn: Any) -> None:
    from onshore.adapters.postgres.tokens import SCHEMA

    conn.execute(SCHEMA)


CONTROL: tuple[Migration, ...] = (Migration(1, "api_tokens", _sqlite_v1, _postgres_v1),)
