"""Migrations of a region database (records, ledger, cases, audience).

Version 1 is the first release's schema: the ``SCHEMA`` texts of the region stores, applied in
this order. Those texts are frozen (a test pins their digest); a change is a new entry here.
"""

from __future__ import annotations

from typing import Any

from onshore.adapters.migrations.migration import Migration


def _sqlite_v1(conn: Any) -> None:
    from onshore.adapters.sqlite.audience import SqliteAudienceStore
    from onshore.adapters.sqlite.cases import SqliteCaseStore
    from onshore.adapters.sqlite.ledger import SqliteLedgerStore
    from onshore.adapters.sqlite.records import SqliteRecordStore

    for store in (SqliteRecordStore, SqliteLedgerStore, SqliteCaseStore, SqliteAudienceStore):
        for statement in store.SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)


def _postgres_v1(conn: Any) -> None:
    from onshore.adapters.postgres.audience import PostgresAudienceStore
    from onshore.adapters.postgres.cases import PostgresCaseStore
    from onshore.adapters.postgres.ledger import PostgresLedgerStore
    from onshore.adapters.postgres.records import PostgresRecordStore

    for store in (
        PostgresRecordStore,
        PostgresLedgerStore,
        PostgresCaseStore,
        PostgresAudienceStore,
    ):
        conn.execute(store.SCHEMA)


def _sqlite_v2(conn: Any) -> None:
    from onshore.adapters.sqlite.key_fingerprints import SqliteKeyFingerprintStore

    conn.execute(SqliteKeyFingerprintStore.SCHEMA)


def _postgres_v2(conn: Any) -> None:
    from onshore.adapters.postgres.key_fingerprints import PostgresKeyFingerprintStore

    conn.execute(PostgresKeyFingerprintStore.SCHEMA)


def _sqlite_v3(conn: Any) -> None:
    from onshore.adapters.sqlite.batches import SqliteBatchStore

    for statement in SqliteBatchStore.SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def _postgres_v3(conn: Any) -> None:
    from onshore.adapters.postgres.batches import PostgresBatchStore

    conn.execute(PostgresBatchStore.SCHEMA)


#: The console's queues: one kind's cases in deadline or opening order, a page at a time
#: (and those without a deadline, by id, after the rest).
_QUEUE_INDEXES = """
CREATE INDEX IF NOT EXISTS cases_queue_by_due ON cases (kind, due_at, case_id)
    WHERE due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_queue_by_created ON cases (kind, created_at, case_id);
CREATE INDEX IF NOT EXISTS cases_queue_undated ON cases (kind, case_id) WHERE due_at IS NULL;
"""


REGION: tuple[Migration, ...] = (
    Migration(1, "records, ledger, cases and audience tables", _sqlite_v1, _postgres_v1),
    Migration(2, "key fingerprints (key custody)", _sqlite_v2, _postgres_v2),
    Migration(3, "pending shares and decisions of cross-region batches", _sqlite_v3, _postgres_v3),
    Migration(4, "case queue indexes (kind, deadline / opening)", _QUEUE_INDEXES, _QUEUE_INDEXES),
)
