"""PostgreSQL case store: ``cases``, ``case_events`` (append-only, by trigger), ``legal_holds``.

The SQL is ``adapters.sql.cases``; this module holds the schema: ``data`` and ``note`` are
``jsonb``, timestamps ``timestamptz``, ids ``COLLATE "C"`` (byte order, as in SQLite), and
a trigger refuses any change to the history.
"""

from __future__ import annotations

from typing import Any

from onshore.adapters.sql.cases import SqlCaseStore
from onshore.adapters.sql.dialect import POSTGRES


class PostgresCaseStore(SqlCaseStore):
    """Cases in the region's PostgreSQL database."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS cases (
        case_id text COLLATE "C" PRIMARY KEY,
        kind text NOT NULL,
        state text NOT NULL,
        region text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        due_at timestamptz,
        data jsonb NOT NULL,
        version bigint NOT NULL CHECK (version >= 1)
    );
    CREATE INDEX IF NOT EXISTS cases_by_due ON cases (due_at, case_id) WHERE due_at IS NOT NULL;
    CREATE INDEX IF NOT EXISTS cases_by_kind ON cases (kind, state);
    CREATE INDEX IF NOT EXISTS cases_by_created ON cases (created_at);
    CREATE TABLE IF NOT EXISTS case_events (
        case_id text COLLATE "C" NOT NULL REFERENCES cases (case_id),
        seq integer NOT NULL CHECK (seq >= 1),
        at timestamptz NOT NULL,
        actor text NOT NULL,
        role text NOT NULL,
        action text NOT NULL,
        from_state text NOT NULL,
        to_state text NOT NULL,
        note jsonb NOT NULL,
        PRIMARY KEY (case_id, seq)
    );
    CREATE OR REPLACE FUNCTION onshore_case_events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'case history is append-only'; END $$;
    CREATE OR REPLACE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION onshore_case_events_append_only();
    CREATE TABLE IF NOT EXISTS legal_holds (
        subject_ref bytea NOT NULL,
        case_id text COLLATE "C" NOT NULL REFERENCES cases (case_id),
        placed_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        extended boolean NOT NULL DEFAULT false,
        released_at timestamptz,
        PRIMARY KEY (case_id, subject_ref)
    );
    CREATE INDEX IF NOT EXISTS legal_holds_by_subject ON legal_holds (subject_ref)
    """

    def __init__(self, db: Any) -> None:
        super().__init__(db, POSTGRES)
