"""A store that is down or cannot exist is ``StoreUnavailable``, never a driver error."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from onshore.adapters import open_database
from onshore.adapters.postgres.database import PostgresDatabase
from onshore.core.errors import StoreUnavailable


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


def test_postgres_on_a_closed_port() -> None:
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/onshore"
    with pytest.raises(StoreUnavailable) as info:
        PostgresDatabase(url, connect_timeout=2)
    assert info.value.code == "store.unavailable"
    assert "postgres@" not in info.value.message  # no connection string in the message


def test_postgres_on_a_closed_port_through_open_database() -> None:
    with pytest.raises(StoreUnavailable):
        open_database(f"postgresql://postgres@127.0.0.1:{closed_port()}/onshore")


def test_sqlite_under_a_path_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("I am a file, not a directory")
    with pytest.raises(StoreUnavailable) as info:
        open_database(f"sqlite:///{blocker / 'vn-hcm.db'}")
    assert info.value.code == "store.unavailable"


def test_sqlite_path_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "vn-hcm.db").mkdir()
    with pytest.raises(StoreUnavailable):
        open_database(f"sqlite:///{tmp_path / 'vn-hcm.db'}")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_sqlite_in_an_unwritable_directory(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o500)
    try:
        with pytest.raises(StoreUnavailable):
            open_database(f"sqlite:///{locked / 'vn-hcm.db'}")
    finally:
        os.chmod(locked, 0o700)
