"""The OpenAPI document is a contract a client can rely on: every operation says what it
does, how to authenticate and every error it can answer (in the one error shape); schema
names carry no internal module paths; fixed value sets are enums."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI

from onshore.server.contract import ERRORS

Spec = dict[str, Any]
#: Signing in: how a credential is had (wrong credentials are 401, too many tries 429).
SIGN_IN = {
    ("post", "/v1/auth/token"),
    ("post", "/v1/session"),
    ("get", "/v1/session/oidc/callback"),
}
#: Operations that need no credential.
PUBLIC = {("get", "/healthz"), ("get", "/metrics"), ("get", "/v1/session/oidc/login"), *SIGN_IN}


@pytest.fixture
def spec(app: FastAPI) -> Spec:
    return app.openapi()


def _operations(spec: Spec) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]


def test_schema_names_carry_no_module_paths(spec: Spec) -> None:
    names = list(spec["components"]["schemas"])
    assert names, "no schemas"
    for name in names:
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", name), name
        assert not name.startswith("Body_") and "__" not in name, name
    assert {"HTTPValidationError", "ValidationError", "ErrorOut"}.isdisjoint(names)
    assert "Error" in names and "ErrorInfo" in names


def test_every_reference_resolves(spec: Spec) -> None:
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    schemas = spec["components"]["schemas"]
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref


def test_every_operation_declares_its_security(spec: Spec) -> None:
    assert set(spec["components"]["securitySchemes"]) >= {"bearer"}
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for method, path, op in _operations(spec):
        assert "security" in op, (method, path)
        if (method, path) in PUBLIC:
            assert op["security"] == [], (method, path)
        else:
            assert op["security"], (method, path)
            for requirement in op["security"]:
                assert set(requirement) <= set(spec["components"]["securitySchemes"])


def test_authenticated_operations_answer_401_and_403_public_ones_do_not(spec: Spec) -> None:
    for method, path, op in _operations(spec):
        codes = set(op["responses"])
        if op["security"]:
            assert {"401", "403"} <= codes, (method, path)
            assert "WWW-Authenticate" in op["responses"]["401"]["headers"]
        elif (method, path) not in SIGN_IN:
            assert not {"401", "403"} & codes, (method, path)


def test_every_error_response_has_the_one_error_shape(spec: Spec) -> None:
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"] and error["additionalProperties"] is False
    info = spec["components"]["schemas"]["ErrorInfo"]
    assert set(info["required"]) == {"code", "message", "details"}
    for method, path, op in _operations(spec):
        errors = [s for s in op["responses"] if s.isdigit() and int(s) >= 400]
        assert errors, (method, path)
        for status in errors:
            assert int(status) in ERRORS, (method, path, status)
            response = op["responses"][status]
            assert response["description"], (method, path, status)
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_error_statuses_follow_what_the_route_is(spec: Spec) -> None:
    for method, path, op in _operations(spec):
        codes = {int(s) for s in op["responses"] if int(s) >= 400}
        body = "requestBody" in op
        assert ({400, 413} <= codes) == body, (method, path, codes)
        assert 504 in codes and 422 in codes, (method, path)
        assert (503 in codes) == (path.startswith("/v1/") or path == "/healthz"), (method, path)
    ops = {(m, p): {int(s) for s in op["responses"]} for m, p, op in _operations(spec)}
    assert 404 not in ops[("post", "/v1/records")]  # no id in the path, nothing to miss
    assert 404 in ops[("get", "/v1/records/{record_id}")]
    assert 404 in ops[("get", "/v1/subjects/{subject_id}")]  # an unknown caller_region
    assert 404 not in ops[("post", "/v1/subjects/{subject_id}/erasure")]  # none: nothing erased
    assert 409 not in ops[("post", "/v1/decisions")]  # a denial is a 200
    assert 409 not in ops[("get", "/v1/ledger/{region}/checkpoint")]
    limited = {op for op, codes in ops.items() if 429 in codes}
    assert limited <= SIGN_IN, limited  # only signing in is slowed


def test_idempotent_operations_document_the_key_and_its_answers(spec: Spec) -> None:
    idempotent = {
        (m, p)
        for m, p, op in _operations(spec)
        if any(q["name"] == "Idempotency-Key" for q in op.get("parameters", []))
    }
    assert {
        ("post", "/v1/records"),
        ("post", "/v1/records/batch"),
        ("post", "/v1/tokens"),
        ("post", "/v1/audience/metrics"),
        ("post", "/v1/users"),
        ("post", "/v1/session/oidc/links"),
    } <= idempotent
    for method, path in idempotent:
        op = spec["paths"][path][method]
        [param] = [q for q in op["parameters"] if q["name"] == "Idempotency-Key"]
        assert param["in"] == "header" and param["required"] is False
        assert param["schema"]["type"] == "string" and param["schema"]["maxLength"] == 255
        assert "Idempotency-Key" in op["responses"]["409"]["description"]
        assert "Idempotency-Key" in op["responses"]["422"]["description"]
        assert "Retry-After" in op["responses"]["409"]["headers"]
        oks = [s for s in op["responses"] if s.startswith("2")]
        assert oks, (method, path)
        for ok in oks:
            replayed = op["responses"][ok]["headers"]["Idempotent-Replayed"]
            assert replayed["schema"]["enum"] == ["true"], (method, path, ok)


def test_every_operation_has_a_summary_and_a_clean_operation_id(spec: Spec) -> None:
    ids = []
    for method, path, op in _operations(spec):
        summary = op.get("summary", "")
        assert summary and len(summary) <= 120, (method, path, summary)
        assert len(summary.split()) >= 3, (method, path, "a summary says what the call does")
        assert summary[0].isupper() or summary[0] == "`", (method, path, summary)
        function_title = op["operationId"].split("_", 1)[-1].replace("_", " ").title()
        assert summary != function_title, (method, path, "FastAPI's default summary")
        assert re.fullmatch(r"[a-z][a-z0-9_]*", op["operationId"]), op["operationId"]
        assert "_v1_" not in op["operationId"] and not op["operationId"].endswith(
            ("_get", "_post", "_delete")
        ), op["operationId"]
        ids.append(op["operationId"])
    assert len(ids) == len(set(ids))


def test_fixed_value_sets_are_enums(spec: Spec) -> None:
    proof = spec["paths"]["/v1/ledger/{region}/proofs/records/{record_id}"]["get"]
    [event] = [p for p in proof["parameters"] if p["name"] == "event"]
    assert "record_placed" in event["schema"]["enum"] and "latest" in event["schema"]["enum"]
    metrics = spec["paths"]["/v1/audience/metrics"]["post"]
    [fmt] = [p for p in metrics["parameters"] if p["name"] == "format"]
    assert fmt["schema"]["enum"] == ["json", "csv", "jsonl"]
    assert "store" in spec["components"]["schemas"]["DecisionIn"]["properties"]["op"]["enum"]
    assert spec["components"]["schemas"]["TokenCreate"]["properties"]["role"]["enum"]


def test_optional_parameters_are_plain_schemas(spec: Spec) -> None:
    for method, path, op in _operations(spec):
        for param in op.get("parameters", []):
            assert "anyOf" not in param["schema"], (method, path, param["name"])


def test_limits_are_bounds_in_the_document(spec: Spec, app: FastAPI) -> None:
    batch = spec["components"]["schemas"]["BatchIn"]["properties"]["records"]
    assert batch["maxItems"] == app.state.onshore.options.max_batch
