"""Hostile input over HTTP (issue 19): each finding is a test that failed on the old code.

The five 500s become typed 4xx; the contract mismatches match docs/errors.md and
docs/audience.md; ids with control characters are refused.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI

from tests.server.conftest import TestClient, auth

REQUEST = {
    "authority": "VN-A05",
    "process_type": "warrant",
    "reference": "W-1",
    "legal_basis": "Article 1",
    "scope": {"phone_number": ["0912345678"], "categories": ["phone_number"]},
}


def error_of(r: Any, status: int, code: str) -> dict[str, Any]:
    """The error of ``r``, checked for its status, code and the one shape."""
    assert r.status_code == status, (r.status_code, r.text[:300])
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body
    return dict(body["error"])


def _requests_total(app: FastAPI, status: str) -> float:
    registry = app.state.onshore.metrics.registry
    total = 0.0
    for metric in registry.collect():
        if metric.name == "onshore_http_requests":
            for sample in metric.samples:
                if sample.name.endswith("_total") and sample.labels.get("status") == status:
                    total += sample.value
    return total


# -- finding 2: the five 500s -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "body", "code"),
    [
        ("", b'{"rows": [{"subject_id": "a\xff", "country": "VN"}]}', "input.invalid_json"),
        (
            "?format=csv",
            "subject_id,country\nAn\xe9,VN\n".encode("latin-1"),
            "input.invalid_encoding",
        ),
        ("?format=csv", "subject_id,country\na,VN\n".encode("utf-16"), "input.invalid_encoding"),
        ("?format=jsonl", b'{"subject_id": "\xff"}\n', "input.invalid_encoding"),
    ],
)
def test_metrics_bodies_that_are_not_utf8_are_400(
    client: TestClient, tokens: dict[str, str], query: str, body: bytes, code: str
) -> None:
    r = client.post(f"/v1/audience/metrics{query}", content=body, headers=auth(tokens["admin"]))
    error_of(r, 400, code)


def test_an_unreadable_metrics_file_does_not_name_the_servers_temp_file(
    client: TestClient, tokens: dict[str, str]
) -> None:
    """A lone surrogate escape is malformed JSON to DuckDB: 422, and the message names no
    server-side path (it named the temporary copy of the body)."""
    body = b'{"subject_id": "\\ud862", "country": "VN", "date": "2026-01-01"}\n'
    r = client.post(
        "/v1/audience/metrics?format=jsonl",
        content=body,
        headers={**auth(tokens["admin"]), "content-type": "application/x-ndjson"},
    )
    error = error_of(r, 422, "input.invalid")
    assert "/tmp" not in r.text and "batch." not in r.text, error


_DEEP = "[" * 30 + '1.4427e-255, "\\u0000", 1, -1' + "]" * 30
_ASTRAL = '"\\u00cb9\\ud862\\udc24\\u00f0\\u00bb\\u00eb2\\u00b5"'


@pytest.mark.parametrize(
    "body",
    [
        f'{{"subject_id": {_ASTRAL}, "country": "VN", "date": "2026-01-01", "subscribers": 20000}}',
        f'{{"subject_id": {_ASTRAL}, "date": {_DEEP}, "country": "VN"}}',
        f'{{"subject_id": {_ASTRAL}, "country": "VN", "date": "2026-01-01", "monetised": {_DEEP}}}',
        f'{{"subject_id": {_ASTRAL}, "date": "2026-01-01", "subscribers": {_DEEP}}}\n'
        '{"subject_id": "", "country": "VN", "date": "yesterday"}',
    ],
)
def test_pieces_of_the_metrics_file_that_once_got_a_500_do_not(
    client: TestClient, tokens: dict[str, str], body: str
) -> None:
    """The pieces of the JSON Lines body a soak run answered 500 (characters outside the
    BMP, a value nested 30 arrays deep holding NUL, a row dated ``yesterday``): each is
    ingested or refused in the one error shape."""
    r = client.post(
        "/v1/audience/metrics?format=jsonl",
        content=body.encode(),
        headers={**auth(tokens["admin"]), "content-type": "application/x-ndjson"},
    )
    assert r.status_code in (200, 400, 413, 422), r.text
    if r.status_code >= 400:
        assert set(r.json()) == {"error"}


@pytest.mark.parametrize(
    "within",
    [
        {"amount": 2147483648, "unit": "day"},
        {"amount": 10**30, "unit": "hour"},
        {"amount": -1, "unit": "day"},
        {"amount": 2, "unit": "fortnight"},
        {"amount": 2, "unit": "day", "extra": 1},
    ],
)
def test_huge_or_bad_respond_within_is_422(
    client: TestClient, tokens: dict[str, str], within: dict[str, Any]
) -> None:
    r = client.post(
        "/v1/cases/requests",
        json={**REQUEST, "respond_within": within},
        headers=auth(tokens["admin"]),
    )
    error_of(r, 422, "input.invalid")


def test_a_reasonable_respond_within_is_accepted(
    client: TestClient, tokens: dict[str, str]
) -> None:
    r = client.post(
        "/v1/cases/requests",
        json={**REQUEST, "respond_within": {"amount": 2, "unit": "working_day"}},
        headers=auth(tokens["admin"]),
    )
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        ("2026-01-01", "2100-01-01T00:00:00Z", 200),  # naive and aware: the naive one is UTC
        ("2026-01-01T00:00:00+07:00", "2026-02-01", 200),
        ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", 422),  # out of range
        ("2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z", 422),  # ends before it starts
    ],
)
def test_transparency_dates_naive_or_aware_never_500(
    client: TestClient, tokens: dict[str, str], start: str, end: str, status: int
) -> None:
    r = client.post(
        "/v1/cases/requests/transparency",
        json={"from": start, "to": end, "k": 1},
        headers=auth(tokens["admin"]),
    )
    if status == 200:
        assert r.status_code == 200, r.text
    else:
        error_of(r, 422, "input.invalid")


@pytest.mark.parametrize("on", ["2026-13-01", "2026-02-30", "0000-01-01"])
def test_impossible_dates_in_audience_queries_are_422(
    client: TestClient, tokens: dict[str, str], on: str
) -> None:
    row = {"subject_id": "acct-1", "country": "VN", "date": "2026-11-20", "subscribers": 5}
    r = client.post("/v1/audience/metrics", json={"rows": [row]}, headers=auth(tokens["admin"]))
    assert r.status_code == 200, r.text
    r = client.get(f"/v1/audience/subjects/acct-1?on={on}", headers=auth(tokens["admin"]))
    error_of(r, 422, "input.invalid")
    r = client.post(
        "/v1/audience/subjects/acct-1/followers",
        json={"date": on, "followers": []},
        headers=auth(tokens["admin"]),
    )
    error_of(r, 422, "input.invalid")


def test_client_disconnect_mid_body_is_not_a_500(app: FastAPI, client: TestClient) -> None:
    before_500, before_499 = _requests_total(app, "500"), _requests_total(app, "499")
    sent: list[dict[str, Any]] = []
    messages = [
        {"type": "http.request", "body": b'{"', "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/records",
        "raw_path": b"/v1/records",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-length", b"1000"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, receive, send))
    assert not [m for m in sent if m["type"] == "http.response.start"]
    assert _requests_total(app, "500") == before_500
    assert _requests_total(app, "499") == before_499 + 1


# -- finding 5: contract mismatches ---------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
        b'{"subject": "u\xff", "kind": "k", "data": {}}',
        b'{"subject": "u1", "kind": "k", "data": {"x": "\xc3\x28"}}',
    ],
)
def test_deep_nesting_and_invalid_utf8_are_invalid_json(
    client: TestClient, tokens: dict[str, str], raw: bytes
) -> None:
    for path in ("/v1/records", "/v1/records/batch", "/v1/decisions", "/v1/audience/metrics"):
        r = client.post(path, content=raw, headers=auth(tokens["admin"]))
        error_of(r, 400, "input.invalid_json")


def test_metrics_body_with_unknown_fields_is_422(
    client: TestClient, tokens: dict[str, str]
) -> None:
    r = client.post(
        "/v1/audience/metrics", json={"rows": [], "colour": "blue"}, headers=auth(tokens["admin"])
    )
    error_of(r, 422, "input.invalid")


@pytest.mark.parametrize(
    "path",
    [
        "/v1/records/rec%00ord",
        "/v1/records/a%0Ab",
        "/v1/records/a%1Fb/transfer",
        "/v1/subjects/u%00",
        "/v1/cases/requests/c%00",
        "/v1/cases/takedowns/c%7F",
        "/v1/audience/subjects/a%00b",
        "/v1/ledger/vn-hcm/proofs/records/r%00",
    ],
)
def test_control_characters_in_path_ids_are_422(
    client: TestClient, tokens: dict[str, str], path: str
) -> None:
    method = "POST" if path.endswith("/transfer") else "GET"
    body = {"to_region": "sg-1", "purpose": "ops"} if method == "POST" else None
    r = client.request(method, path, json=body, headers=auth(tokens["admin"]))
    error_of(r, 422, "input.invalid")


def test_options_on_tokens_allows_what_the_route_serves(client: TestClient) -> None:
    r = client.options("/v1/tokens")
    assert r.status_code == 405
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    r = client.options("/v1/tokens/some-name")
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"DELETE"}


def test_takedown_report_declares_csv(app: FastAPI) -> None:
    op = app.openapi()["paths"]["/v1/cases/takedowns/report"]["get"]
    assert "text/csv" in op["responses"]["200"]["content"]


def test_openapi_declares_bounds_and_unknown_field_rules(app: FastAPI) -> None:
    spec = app.openapi()
    schemas = spec["components"]["schemas"]
    assert schemas["RecordIn"]["additionalProperties"] is False
    assert schemas["BatchIn"]["properties"]["records"]["maxItems"] >= 1
    leaf = spec["paths"]["/v1/ledger/{region}/proofs/leaves/{index}"]["get"]
    index = next(p for p in leaf["parameters"] if p["name"] == "index")
    assert index["schema"]["minimum"] == 0
    record = spec["paths"]["/v1/records/{record_id}"]["get"]
    rid = next(p for p in record["parameters"] if p["name"] == "record_id")
    assert rid["schema"]["maxLength"] == 128 and "pattern" in rid["schema"]
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method == "get" and path in ("/healthz", "/metrics", "/openapi.json"):
                continue
            if "requestBody" in op:
                assert {"400", "413"} <= set(op["responses"]), (method, path)
            assert "422" in op["responses"], (method, path)
            assert "504" in op["responses"], (method, path)


def test_an_approver_may_file_an_audience_dossier(
    client: TestClient, tokens: dict[str, str]
) -> None:
    """docs/audience.md's lifecycle lets the approver file; the auditor still may not."""
    from dataclasses import replace

    runtime = client.app.state.onshore.vault.runtime  # type: ignore[attr-defined]
    # VN-D147-10k concerns users of a FOREIGN platform: run one incorporated outside VN
    runtime.entity = replace(runtime.entity, incorporated_in="SG")
    row = {"subject_id": "acct-9", "country": "VN", "date": "2026-11-20", "subscribers": 20000}
    r = client.post("/v1/audience/metrics", json={"rows": [row]}, headers=auth(tokens["operator"]))
    assert r.status_code == 200, r.text
    [case] = client.get("/v1/audience/obligations", headers=auth(tokens["auditor"])).json()["items"]
    cid = case["case_id"]
    details = {"contact": {"name": "An", "email": "an@example.vn"}, "content_summary": "music"}
    r = client.post(
        f"/v1/audience/obligations/{cid}/details", json=details, headers=auth(tokens["operator"])
    )
    assert r.status_code == 200, r.text
    error_of(
        client.post(f"/v1/audience/obligations/{cid}/file", headers=auth(tokens["auditor"])),
        403,
        "auth.forbidden",
    )
    filed = client.post(f"/v1/audience/obligations/{cid}/file", headers=auth(tokens["approver"]))
    assert filed.status_code == 200, filed.text
    assert filed.json()["state"] == "filed"
    error_of(client.post(f"/v1/audience/obligations/{cid}/file"), 401, "auth.unauthenticated")


@pytest.mark.parametrize("day", ["0000-01-01", "9999-12-31"])
def test_a_metrics_row_dated_outside_the_calendar_is_a_bad_row(
    client: TestClient, tokens: dict[str, str], day: str
) -> None:
    """Found by the API-body fuzzer: DuckDB reads year 0, Python's dates do not (was a 500
    once the row crossed a threshold)."""
    row = {"subject_id": "acct-0", "country": "VN", "date": day, "subscribers": 20000}
    r = client.post("/v1/audience/metrics", json={"rows": [row]}, headers=auth(tokens["admin"]))
    assert r.status_code == 200, r.text
    assert r.json()["bad"] == 1 and "date" in r.json()["bad_rows"][0]["reason"]
    csv = f"subject_id,country,date,subscribers\nacct-0,VN,{day},20000\n"
    r = client.post("/v1/audience/metrics?format=csv", content=csv, headers=auth(tokens["admin"]))
    assert r.status_code == 200 and r.json()["bad"] == 1, r.text
