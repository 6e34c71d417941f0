"""Property-based: schemathesis generates requests from ``/openapi.json`` and runs every
check it has (``--checks all``: no 5xx, status codes, content types, response schemas and
headers as documented, valid data accepted, invalid data refused, unsupported methods
answered 405 with ``Allow``...); none may fail.

Bounded: ``ONSHORE_SCHEMATHESIS_EXAMPLES`` examples per operation and generation mode
(default 10 in ``make test``, 200 under ``make soak``), as an admin (every route reachable),
over SQLite stores in a temp dir. Each operation and mode is its own test. A schema-valid
``Idempotency-Key`` is derived from the request, so a repeated request is replayed. (schemathesis'
pytest plugin does not run on pytest 9 yet, so the strategies are driven with hypothesis
directly.)
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS as REGISTRY
from schemathesis.checks import is_check_class, load_all_checks
from schemathesis.generation import GenerationMode

from onshore.server.app import create_app
from onshore.services.runtime import open_tokens
from onshore.services.vault import Vault
from tests.server.conftest import make_settings
from tests.support.soak import report, trials


def load_checks() -> list[Any]:
    """Every registered schemathesis check."""
    load_all_checks()
    return list(REGISTRY.get_all())


#: Operations whose schema-valid requests may still be refused with 422 because the answer
#: depends on what is stored or registered, or on a rule across fields that JSON Schema cannot
#: state: the authority registry, a scope naming at least one account, metrics rows' own
#: rules (docs/audience.md), a subject with no metrics yet, a notice's content rules, a
#: data-subject request naming nobody (or an identifier that does not normalise), a
#: report period that ends before it starts, an action the case's state does not allow.
#: Everywhere else a schema-valid request must be accepted (2xx, or 401/403/404/409).
STATEFUL_422 = [
    "POST /v1/cases/requests",
    "POST /v1/cases/requests/transparency",
    "POST /v1/cases/requests/{case_id}/actions/{action}",
    "POST /v1/cases/takedowns",
    "POST /v1/cases/takedowns/{case_id}/actions/{action}",
    "POST /v1/cases/dsr",
    "POST /v1/cases/dsr/{case_id}/actions/{action}",
    "POST /v1/cases/breaches",
    "POST /v1/cases/breaches/{case_id}/actions/{action}",
    "POST /v1/cases/transfer-assessments/{case_id}/actions/{action}",
    "POST /v1/audience/metrics",
    "GET /v1/audience/subjects/{subject_id}",
    "POST /v1/audience/subjects/{subject_id}/followers",
    "POST /v1/audience/obligations/{case_id}/details",
    "POST /v1/audience/obligations/{case_id}/actions/{action}",
    "POST /v1/records",
    "POST /v1/records/batch",
    "POST /v1/records/{record_id}/transfer",
    "GET /v1/records/{record_id}",
    "GET /v1/subjects/{subject_id}",
    "POST /v1/decisions",
]
#: Schema-violating data may also be refused by an input limit before it is parsed (413: the
#: documented maxItems/maxLength bounds are the server's limits, enforced as they stream in).
NEGATIVE_REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428"]
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "checks": {"negative_data_rejection": {"expected-statuses": NEGATIVE_REFUSALS}},
        "operations": [
            {
                "include-name": name,
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "401", "403", "404", "409", "422"]
                    }
                },
            }
            for name in STATEFUL_422
        ],
    }
)
EXAMPLES = int(os.environ.get("ONSHORE_SCHEMATHESIS_EXAMPLES", str(trials(10, 200))))
#: Every check schemathesis has (what ``--checks all`` runs).
CHECKS = [c for c in load_checks() if not is_check_class(c)]


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
        schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)
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


def _key_for(case: Any) -> str:
    """An Idempotency-Key derived from the request itself (see ``check``)."""
    request = repr((case.method, case.formatted_path, case.query, case.body))
    return str(uuid.uuid5(uuid.NAMESPACE_URL, request))


@pytest.mark.slow
@pytest.mark.soak
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("label", _operations())
def test_every_check_passes(world: tuple[Any, str], label: str, mode: GenerationMode) -> None:
    schema, token = world
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    headers = {"Authorization": f"Bearer {token}"}
    statuses: dict[int, int] = {}

    @given(operation.as_strategy(generation_mode=mode))
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
        if mode is GenerationMode.POSITIVE and "Idempotency-Key" in (case.headers or {}):
            # a valid key names one request: the same request repeated is replayed, and no
            # valid request is refused for a key the generator happened to use before
            case.headers["Idempotency-Key"] = _key_for(case)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (label, response.text[:500])
        if response.status_code >= 400:
            body = response.json()
            assert set(body) == {"error"}, body
            assert set(body["error"]) == {"code", "message", "details"}, body

    try:
        check()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        pytest.skip("the operation has no parameter or body to make invalid")
    report(f"schemathesis {label} {mode.value}", requests=sum(statuses.values()),
           statuses=",".join(f"{k}:{v}" for k, v in sorted(statuses.items())))  # fmt: skip
