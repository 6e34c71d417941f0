"""The one error mapper: a row for every error class, one shape, no leaks."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from onshore.core.errors import (
    NoPermittedRegion,
    OnshoreError,
    PolicyDenied,
    RecordNotFound,
    StoreUnavailable,
    error_classes,
)
from onshore.server.errors import STATUS, status_for
from tests.server.conftest import TestClient, auth


@pytest.mark.parametrize("cls", list(error_classes()), ids=lambda c: c.code)
def test_every_error_class_has_a_status_row(cls: type[OnshoreError]) -> None:
    assert cls.code in STATUS, f"{cls.__name__} ({cls.code}) has no row in server.errors.STATUS"
    assert 400 <= STATUS[cls.code] <= 599


def test_no_row_names_an_unknown_code() -> None:
    known = {c.code for c in error_classes()}
    assert set(STATUS) <= known


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NoPermittedRegion("x"), 409),
        (PolicyDenied("x"), 409),
        (RecordNotFound("x"), 404),
        (StoreUnavailable("x"), 503),
        (OnshoreError("x"), 500),
    ],
)
def test_status_for(error: OnshoreError, status: int) -> None:
    assert status_for(error) == status


def test_unknown_subclass_falls_back_to_its_parent() -> None:
    class Odd(StoreUnavailable):
        code = "store.odd_for_this_test"

    assert status_for(Odd("x")) == 503


def _boom_app(app: FastAPI) -> None:
    @app.get("/boom-for-test")
    def boom() -> None:
        raise ValueError("+84912345678 secret detail")

    @app.get("/config-for-test")
    def config() -> None:
        raise OnshoreError("internal detail that must not leak")


def test_unexpected_exception_is_a_500_in_the_one_shape(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    _boom_app(app)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom-for-test")
        r2 = c.get("/config-for-test")
    assert r.status_code == 500
    body = r.json()
    assert body["error"]["code"] == "onshore.error"
    assert set(body["error"]) == {"code", "message", "details"}
    assert "8491" not in r.text and "Traceback" not in r.text
    assert r.headers["x-request-id"] == body["error"]["details"]["request_id"]
    assert r2.status_code == 500 and "internal detail" not in r2.text
    assert "8491" not in caplog.text and "secret detail" not in caplog.text
    assert any(getattr(rec, "exc_type", None) == "ValueError" for rec in caplog.records)
    assert not any(rec.exc_info for rec in caplog.records)


def test_routing_errors_use_the_shape(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.get("/v1/nothing-here", headers=auth(tokens["admin"]))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.delete("/v1/records", headers=auth(tokens["admin"]))
    assert r.status_code == 405 and r.json()["error"]["code"] == "input.method_not_allowed"
