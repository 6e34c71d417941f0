"""Schema versions and ordered migrations for every persistent store (SQLite and PostgreSQL).

Each store kind has one ordered tuple of :class:`Migration` in :data:`MIGRATIONS`:

- ``region``: a region database (records, ledger, cases, audience), see ``region.py``;
- ``control``: the deployment's control store (API tokens, users, service accounts,
  deadline notices, idempotency keys), see ``control.py``.

Version 1 of each is the schema of the first release (the stores' ``SCHEMA`` texts, which are
therefore frozen: never edit them, add a migration). A database records the versions applied
to it in its ``schema_version`` table (``store``, ``version``, ``description``,
``applied_at``); its version is the highest one recorded for its kind.

At open (``ensure_current``) a new, empty database is created at the latest version in one
transaction; a database at the latest version opens; a newer one raises ``SchemaTooNew``; an
older one (or one made before versions were recorded, version 0) raises ``SchemaOutdated``
naming ``onshore db upgrade``, which applies the missing migrations in order, each in its own
transaction together with its ``schema_version`` row: a failed migration leaves the database at
the version before it.

Adding a migration is one entry: append ``Migration(2, "what it does", sqlite=..., postgres=...)``
to the kind's tuple, where each step is an SQL script (statements separated by ``;``, no ``;``
inside literals) or a function taking the open DB-API connection (for data migrations).

Example:
    >>> [m.version for m in MIGRATIONS["region"]], latest("control")
    ([1, 2, 3, 4], 8)
"""

from __future__ import annotations

from onshore.adapters.migrations.migration import Migration as Migration
from onshore.adapters.migrations.migration import Step as Step

#: A table every database of a kind has from version 1 on: its presence without a
#: ``schema_version`` row marks a database made before versions were recorded (version 0).
MARKERS: dict[str, str] = {"region": "records", "control": "api_tokens"}


def _load() -> dict[str, tuple[Migration, ...]]:
    from onshore.adapters.migrations.control import CONTROL
    from onshore.adapters.migrations.region import REGION

    return {"region": REGION, "control": CONTROL}


#: Every kind's migrations, oldest first (tests extend a kind with ``monkeypatch.setitem``).
MIGRATIONS: dict[str, tuple[Migration, ...]] = _load()


def latest(kind: str) -> int:
    """The version the code expects for a store ``kind`` (``region`` or ``control``)."""
    return max((m.version for m in MIGRATIONS[kind]), default=0)
