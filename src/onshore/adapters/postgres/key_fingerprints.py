"""PostgreSQL key fingerprints (``onshore.ports.KeyFingerprintStore``).

Schema additions of the key-custody change (additive DDL; the one place for PostgreSQL)::

    CREATE TABLE IF NOT EXISTS key_fingerprints (
        key_id TEXT PRIMARY KEY, fingerprint BYTEA NOT NULL, recorded_at TIMESTAMPTZ NOT NULL)
"""

from __future__ import annotations

from typing import Any

from onshore.adapters.sql.dialect import POSTGRES
from onshore.adapters.sql.key_fingerprints import SqlKeyFingerprintStore


class PostgresKeyFingerprintStore(SqlKeyFingerprintStore):
    """Fingerprints in the region's PostgreSQL database."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS key_fingerprints (
        key_id TEXT PRIMARY KEY,
        fingerprint BYTEA NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL
    )
    """

    def __init__(self, db: Any) -> None:
        super().__init__(db, POSTGRES)
