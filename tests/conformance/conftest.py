"""The one backend fixture every conformance suite runs over: memory, SQLite, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from onshore.adapters import open_database
from onshore.ports import RegionDatabase


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RegionDatabase]:
    """A fresh region database on each backend (PostgreSQL on the session's real cluster)."""
    if request.param == "memory":
        database = open_database("memory://")
    elif request.param == "sqlite":
        database = open_database(f"sqlite:///{tmp_path / 'region.db'}")
    else:
        database = open_database(request.getfixturevalue("pg_url"))
    yield database
    database.close()
