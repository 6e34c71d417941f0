"""Fuzz the HTTP API's request bodies: no input gets a 5xx, every refusal is the one error
shape with a stable code.

Each surface (records, batches, authority requests and transparency periods, takedown
notices, audience metrics as JSON, CSV and JSON Lines) sends hypothesis-generated bodies
(``tests.fuzz.api_strategies``) to the in-process app, as an admin over SQLite stores.
Bounded in ``make test``; 25,000 per surface (125,000+ in all) under ``make soak``. Each test
prints its counts (``tests.support.soak.report``).
"""

from __future__ import annotations

import logging
import os
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from onshore.server.app import create_app
from tests.fuzz import api_strategies as S
from tests.server.conftest import make_settings
from tests.support.soak import progress, report, trials

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

#: Inputs per surface (``ONSHORE_API_FUZZ_INPUTS`` overrides, for a run of a chosen size).
INPUTS = int(os.environ.get("ONSHORE_API_FUZZ_INPUTS", trials(30, 25_000)))

#: (surface, strategy of (method path, body)).
SURFACES: dict[str, st.SearchStrategy[tuple[str, bytes]]] = {
    "records": st.tuples(st.just("/v1/records"), S.bodies(S.RECORD)),
    "batch": st.tuples(st.just("/v1/records/batch"), S.bodies(S.BATCH)),
    "cases": st.one_of(
        st.tuples(st.just("/v1/cases/requests"), S.bodies(S.AUTHORITY_REQUEST)),
        st.tuples(st.just("/v1/cases/requests/transparency"), S.bodies(S.PERIOD)),
        st.tuples(st.just("/v1/cases/takedowns"), S.bodies(S.NOTICE)),
    ),
    "metrics-json": st.tuples(st.just("/v1/audience/metrics"), S.bodies(S.METRICS)),
    "metrics-files": st.one_of(
        st.tuples(st.just("/v1/audience/metrics?format=csv"), S.csv_body()),
        st.tuples(
            st.just("/v1/audience/metrics?format=jsonl"),
            st.lists(S.bodies(S.METRIC_ROW), max_size=4).map(b"\n".join),
        ),
    ),
}


#: The content type each raw-body format is sent with (``format=csv`` with a JSON content type
#: is refused before parsing: sent that way the file surfaces would test nothing else).
RAW_TYPES = {"format=csv": "text/csv", "format=jsonl": "application/x-ndjson"}


def _type(path: str) -> str:
    return next((v for k, v in RAW_TYPES.items() if k in path), "application/json")


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    app = create_app(make_settings(Path(tmp_path_factory.mktemp("fuzz-api"))), create_keys=True)
    token = app.state.onshore.tokens.create("fuzz-admin", "admin").secret
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, token


class _ServerErrors(logging.Handler):
    """Keeps the server's error records (exception type and frames, never a message), so a
    5xx in a long run says where it came from."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = ("code", "exc_type", "frames")
        self.seen.append(repr({k: getattr(record, k, None) for k in fields}))


@pytest.fixture
def server_errors() -> Iterator[_ServerErrors]:
    handler = _ServerErrors()
    logger = logging.getLogger("onshore.server")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@pytest.mark.soak
@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_no_body_gets_a_5xx(
    admin: tuple[TestClient, str], surface: str, server_errors: _ServerErrors
) -> None:
    client, token = admin
    headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
    statuses: Counter[int] = Counter()
    codes: Counter[str] = Counter()

    @given(SURFACES[surface])
    @settings(
        max_examples=INPUTS,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],  # every input is a trial: no shrinking or replay
        suppress_health_check=list(HealthCheck),
    )
    def send(request: tuple[str, bytes]) -> None:
        path, body = request
        r = client.post(path, content=body, headers={**headers, "content-type": _type(path)})
        statuses[r.status_code] += 1
        progress(f"api bodies {surface}", sum(statuses.values()))
        if r.status_code >= 500:  # the whole body and what the server logged, to reproduce
            pytest.fail(f"{r.status_code} for {path} {body!r}: {r.text} {server_errors.seen[-3:]}")
        if r.status_code >= 400:
            error: Any = r.json()
            assert set(error) == {"error"}, error
            assert set(error["error"]) == {"code", "message", "details"}, error
            codes[error["error"]["code"]] += 1

    send()
    report(
        f"api bodies {surface}",
        inputs=sum(statuses.values()),
        server_errors=sum(n for s, n in statuses.items() if s >= 500),
        statuses=",".join(f"{s}:{n}" for s, n in sorted(statuses.items())),
        codes=",".join(f"{c}:{n}" for c, n in codes.most_common(8)),
    )
    assert sum(statuses.values()) >= INPUTS * 0.9  # hypothesis ran (almost) every input
    # one status for every body would mean the bodies never reached a parser (as when the
    # file surfaces were sent as application/json: 25,000 x 422 in one soak run)
    assert len(statuses) > 1, statuses
