"""A real ``onshore serve`` for the CLI's client tests, with the test authority registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.authority_requests.conftest import REGISTRY_YAML
from tests.server.live import LiveServer, start_live_server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``onshore serve`` in its own directory (one service-account token per role)."""
    directory = tmp_path_factory.mktemp("live")
    (directory / "authorities.yaml").write_text(REGISTRY_YAML)
    server = start_live_server(directory)
    yield server
    server.stop()
