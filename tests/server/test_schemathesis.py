"""Property-based: schemathesis generates requests from ``/openapi.json``; none may get a 5xx.

Bounded: ``ONSHORE_SCHEMATHESIS_EXAMPLES`` examples per operation (default 25), as an admin
(every route reachable), over SQLite stores in a temp dir. Each operation is its own test.
(schemathesis' pytest plugin does not run on pytest 9 yet, so the strategies are driven
with hypothesis directly.)
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from onshore.server.app import create_app
from onshore.services.tokens import open_tokens
from onshore.services.vault import Vault
from tests.server.conftest import make_settings

EXAMPLES = int(os.environ.get("ONSHORE_SCHEMATHESIS_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    settings = make_settings(Path(tmp_path_factory.mktemp("fuzz")))
    vault = Vault.open(settings, create_keys=True)
    tokens = open_tokens(settings, vault.runtime.clock)
    # handed in, so the app's lifespan (run by schemathesis on every call) leaves them open
    app = create_app(settings, vault=vault, tokens=tokens)
    token = tokens.create("fuzz-admin", "admin").secret
    vault.put(
        "fuzz-subject",
        "profile",
        {"phone": "+84912345678"},
        {"phone_number": "+84912345678"},
        record_id="fuzz-record",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    try:
        yield schema, token
    finally:
        tokens.close()
        vault.close()


def _operations() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(make_settings(Path(tmp)), create_keys=True)
        try:
            spec = app.openapi()
        finally:
            app.state.onshore.tokens.close()
            app.state.onshore.vault.close()
    return [f"{m.upper()} {p}" for p, ops in spec["paths"].items() for m in ops]


@pytest.mark.slow
@pytest.mark.parametrize("label", _operations())
def test_no_server_errors(world: tuple[Any, str], label: str) -> None:
    schema, token = world
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    headers = {"Authorization": f"Bearer {token}"}

    @given(operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: Any) -> None:
        if label == "DELETE /v1/tokens/{name_or_id}":
            case.path_parameters = {"name_or_id": "not-the-admin"}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            response = case.call(headers=headers)
        assert response.status_code < 500, (label, response.text[:500])
        if response.status_code >= 400:
            body = response.json()
            assert set(body) == {"error"}, body
            assert set(body["error"]) == {"code", "message", "details"}, body

    check()
