"""The notice log in a PostgreSQL control database (which deadline notices were sent).

The SQL is ``onshore.adapters.sql.notices``; this module connects (and reconnects) and its schema
is a control-store migration (``adapters.migrations.control``, ``case_notices``).
"""

from __future__ import annotations

from onshore.adapters.postgres.control import PostgresControlStore
from onshore.adapters.sql.notices import SqlNoticeLog


class PostgresNoticeLog(PostgresControlStore, SqlNoticeLog):
    """Notices in one PostgreSQL database (one autocommit connection, reconnecting)."""
