"""Shared fixtures. PostgreSQL tests get a real throwaway cluster, started once per session."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.support.pgcluster import PgCluster

# Machines are noisy (2 cores shared): no per-example deadlines, no too-slow health check.
settings.register_profile(
    "onshore",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "100")),
)
settings.load_profile("onshore")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A running PostgreSQL cluster for this test session (fails, not skips, under CI)."""
    try:
        cluster = PgCluster()
    except Exception as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL could not start here: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> str:
    """URL of a fresh, empty PostgreSQL database."""
    return pg_cluster.create_database()


@pytest.fixture
def pg_url_factory(pg_cluster: PgCluster) -> Callable[[], str]:
    """Make as many fresh databases as a test needs."""
    return pg_cluster.create_database


@pytest.fixture(autouse=True)
def _cli_not_logged_in(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test acts through a server the machine's user logged in to: an empty config
    directory, and no ``ONSHORE_URL``/``ONSHORE_TOKEN`` (``onshore.cli.remote``)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    for name in ("ONSHORE_URL", "ONSHORE_TOKEN", "ONSHORE_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
