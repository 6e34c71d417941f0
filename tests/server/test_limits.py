"""Input limits are checked before any work (issue 19, finding 1): a huge record, 100k data
fields, 50k metrics rows or 100k phone numbers in a scope are refused with a typed 413
without the classifier or any service being called; the ``[server]`` settings set the
limits; a request past the deadline is answered 504 at once.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

import onshore.services.placement as placement
from onshore.server.app import create_app
from onshore.server.deadline import Deadline
from onshore.settings import Settings
from tests.server.conftest import TestClient, auth, make_settings
from tests.server.test_hostile import REQUEST, error_of

GOOD = {
    "subject": "u1",
    "kind": "profile",
    "data": {"phone": "+84912345678"},
    "signals": {"phone_number": "+84912345678"},
}


@pytest.fixture
def classified(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the classifier's calls (it still runs: the real function is called through)."""
    calls: list[int] = []
    real = placement.classify_fields

    def counting(data: Any) -> Any:
        calls.append(1)
        return real(data)

    monkeypatch.setattr(placement, "classify_fields", counting)
    return calls


@pytest.fixture
def op(tokens: dict[str, str]) -> dict[str, str]:
    return auth(tokens["operator"])


def test_a_normal_record_is_classified(
    client: TestClient, op: dict[str, str], classified: list[int]
) -> None:
    assert client.post("/v1/records", json=GOOD, headers=op).status_code == 201
    assert classified == [1]


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({f"f{i}": "x" * 60_000 for i in range(17)}, 413, "input.record_too_large"),  # 1 MB
        ({"bio": "x" * 1_000_000}, 413, "input.string_too_long"),
        ({f"f{i}": i for i in range(100_000)}, 413, "input.too_many_fields"),
        (
            {"a": [{"b": i} for i in range(600)], "c": list(range(600))},
            413,
            "input.too_many_fields",
        ),
        ({"deep": json.loads("[" * 40 + "]" * 40)}, 400, "input.invalid_json"),
    ],
)
def test_oversized_records_are_refused_before_classification(
    app: FastAPI,
    client: TestClient,
    op: dict[str, str],
    classified: list[int],
    data: dict[str, Any],
    status: int,
    code: str,
) -> None:
    batch = {"records": [{**GOOD, "data": data}, GOOD]}
    for path, body in (("/v1/records", {**GOOD, "data": data}), ("/v1/records/batch", batch)):
        error_of(client.post(path, json=body, headers=op), status, code)
    assert classified == []
    vault = app.state.onshore.vault
    assert all(r.db.records.count() == 0 for r in vault.runtime.regions.values())


def test_rows_and_scopes_are_bounded(client: TestClient, tokens: dict[str, str]) -> None:
    admin = auth(tokens["admin"])
    row = {"subject_id": "a", "country": "VN", "date": "2026-11-20", "subscribers": 1}
    r = client.post("/v1/audience/metrics", json={"rows": [row] * 50_000}, headers=admin)
    error_of(r, 413, "input.too_many_items")
    csv = "subject_id,country,date,subscribers\n" + "a,VN,2026-11-20,1\n" * 50_000
    r = client.post("/v1/audience/metrics?format=csv", content=csv, headers=admin)
    error_of(r, 413, "input.too_many_items")
    phones = [f"09{i:08d}" for i in range(100_000)]
    scope = {"phone_number": phones, "categories": ["phone_number"]}
    r = client.post("/v1/cases/requests", json={**REQUEST, "scope": scope}, headers=admin)
    error_of(r, 413, "input.too_many_items")
    scope = {"phone_number": phones[:5_000], "categories": ["phone_number"]}
    r = client.post("/v1/cases/requests", json={**REQUEST, "scope": scope}, headers=admin)
    err = error_of(r, 413, "input.too_many_items")
    assert err["details"] == {"limit": 1000, "count": 5000}
    records = {"records": [{**GOOD, "record_id": f"r{i}"} for i in range(1_001)]}
    error_of(
        client.post("/v1/records/batch", json=records, headers=admin), 413, "input.too_many_items"
    )
    r = client.post("/v1/cases/requests", json=REQUEST, headers=admin)
    assert r.status_code == 201, r.text


def _settings(tmp_path: Path, **server: Any) -> Settings:
    cfg = make_settings(tmp_path).model_dump(mode="json")
    cfg["server"] = server
    for region in cfg["regions"].values():
        region.pop("name")
    return Settings.model_validate(cfg)


def test_server_settings_set_the_limits(tmp_path: Path) -> None:
    settings = _settings(tmp_path, max_rows=2, max_data_fields=6, max_batch_records=2,
                         max_json_depth=4, max_string_chars=20, max_scope_items=1)  # fmt: skip
    app = create_app(settings, create_keys=True)
    token = auth(app.state.onshore.tokens.create("adm", "admin").secret)
    with TestClient(app, raise_server_exceptions=False) as c:
        row = {"subject_id": "a", "country": "VN", "date": "2026-11-20", "subscribers": 1}
        error_of(c.post("/v1/audience/metrics", json={"rows": [row] * 3}, headers=token),
                 413, "input.too_many_items")  # fmt: skip
        assert (
            c.post("/v1/audience/metrics", json={"rows": [row] * 2}, headers=token).status_code
            == 200
        )
        seven = {"a": 1, "b": 2, "c": [3, 4, 5, 6, 7]}
        error_of(c.post("/v1/records", json={**GOOD, "data": seven}, headers=token),
                 413, "input.too_many_fields")  # fmt: skip
        error_of(c.post("/v1/records", json={**GOOD, "data": {"a": [[[1]]]}}, headers=token),
                 400, "input.invalid_json")  # fmt: skip
        error_of(c.post("/v1/records", json={**GOOD, "subject": "s" * 21}, headers=token),
                 413, "input.string_too_long")  # fmt: skip
        error_of(c.post("/v1/records/batch", json={"records": [GOOD] * 3}, headers=token),
                 413, "input.too_many_items")  # fmt: skip
        scope = {"phone_number": ["0912345678", "0912345679"]}
        error_of(c.post("/v1/cases/requests", json={**REQUEST, "scope": scope}, headers=token),
                 413, "input.too_many_items")  # fmt: skip
        assert c.post("/v1/records", json=GOOD, headers=token).status_code == 201


def test_server_settings_come_from_the_environment(tmp_path: Path) -> None:
    from onshore.settings import load_settings

    env = {"ONSHORE_SERVER__MAX_ROWS": "7", "ONSHORE_SERVER__REQUEST_TIMEOUT": "2.5"}
    settings = load_settings(tmp_path / "none.toml", env=env)
    assert settings.server.max_rows == 7 and settings.server.request_timeout == 2.5


@pytest.fixture
def slow_app() -> Iterator[tuple[Starlette, list[str]]]:
    finished: list[str] = []

    def slow(request: Any) -> JSONResponse:
        time.sleep(1.0)
        finished.append("slow")
        return JSONResponse({"ok": True})

    def quick(request: Any) -> JSONResponse:
        return JSONResponse({"ok": True})

    yield Starlette(routes=[Route("/slow", slow), Route("/quick", quick)]), finished


def test_a_request_past_the_deadline_is_answered_504_at_once(
    slow_app: tuple[Starlette, list[str]],
) -> None:
    inner, _ = slow_app
    app = Deadline(inner, seconds=0.2)
    with TestClient(app) as c:  # type: ignore[arg-type]
        started = time.perf_counter()
        r = c.get("/slow")
        waited = time.perf_counter() - started
        quick_started = time.perf_counter()
        assert c.get("/quick").status_code == 200
        quick = time.perf_counter() - quick_started
    error_of(r, 504, "server.timeout")
    assert r.json()["error"]["details"] == {"timeout_s": 0.2}
    assert waited < 1.0  # answered before the work finished...
    assert quick < waited  # ...and other requests are served meanwhile


def test_the_app_applies_the_configured_deadline(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, request_timeout=7.5), create_keys=True)
    try:
        assert app.state.onshore.options.request_timeout == 7.5
        assert any(m.cls is Deadline and m.kwargs == {"seconds": 7.5} for m in app.user_middleware)
    finally:
        app.state.onshore.tokens.close()
        app.state.onshore.vault.close()


def test_the_deadline_leaves_late_work_to_finish(slow_app: tuple[Starlette, list[str]]) -> None:
    inner, finished = slow_app

    async def run() -> int:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        deadline = Deadline(inner, seconds=0.1)
        scope = {"type": "http", "method": "GET", "path": "/slow", "raw_path": b"/slow",
                 "query_string": b"", "headers": [], "root_path": "", "scheme": "http",
                 "server": ("t", 80), "client": ("c", 1), "asgi": {"version": "3.0"},
                 "http_version": "1.1"}  # fmt: skip
        await deadline(scope, receive, send)
        status = sent[0]["status"]
        await asyncio.sleep(1.5)  # the late task completes; its response is dropped
        assert len([m for m in sent if m["type"] == "http.response.start"]) == 1
        return int(status)

    assert asyncio.run(run()) == 504
    assert finished == ["slow"]
