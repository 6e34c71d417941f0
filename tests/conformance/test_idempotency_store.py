"""The idempotency-key service over every control-store backend: claim, replay, reuse with
another request, in flight, lease take-over, expiry and per-principal isolation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from onshore.adapters.clock import FixedClock
from onshore.core.errors import IdempotencyInProgress, IdempotencyKeyInvalid, IdempotencyKeyReused
from onshore.ports.idempotency import StoredResponse
from onshore.services.idempotency_keys import Claim, IdempotencyKeys, Replay, fingerprint
from onshore.services.runtime.idempotency import open_idempotency_store
from onshore.settings import Settings, default_config_dict

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
OP = "POST /v1/records"
A = fingerprint("POST", "/v1/records", "", b'{"subject": "u-1"}')
B = fingerprint("POST", "/v1/records", "", b'{"subject": "u-2"}')
CREATED = StoredResponse(201, b'{"record_id": "r-1"}', "application/json")


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh control store on each backend."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'control.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def keys(url: str, clock: FixedClock) -> Iterator[IdempotencyKeys]:
    store = open_idempotency_store(url, Settings.model_validate(default_config_dict()))
    service = IdempotencyKeys(store, clock, expiry=timedelta(hours=24), lease=timedelta(seconds=60))
    yield service
    service.close()


def test_a_new_key_is_claimed_then_replayed(keys: IdempotencyKeys) -> None:
    claim = keys.begin("usr_1", OP, "k-1", A)
    assert isinstance(claim, Claim)
    keys.finish(claim, CREATED)
    replay = keys.begin("usr_1", OP, "k-1", A)
    assert isinstance(replay, Replay)
    assert replay.response == CREATED


def test_the_same_key_for_another_request_is_refused(keys: IdempotencyKeys) -> None:
    keys.finish(keys.begin("usr_1", OP, "k-1", A), CREATED)  # type: ignore[arg-type]
    with pytest.raises(IdempotencyKeyReused) as refused:
        keys.begin("usr_1", OP, "k-1", B)
    assert refused.value.details == {"operation": OP}


def test_a_key_in_flight_is_409_with_a_retry_time(keys: IdempotencyKeys, clock: FixedClock) -> None:
    keys.begin("usr_1", OP, "k-1", A)
    clock.at = T0 + timedelta(seconds=15)
    with pytest.raises(IdempotencyInProgress) as busy:
        keys.begin("usr_1", OP, "k-1", A)
    assert busy.value.details["retry_after"] == 45
    with pytest.raises(IdempotencyKeyReused):  # another body is refused even while in flight
        keys.begin("usr_1", OP, "k-1", B)


def test_an_unanswered_key_is_taken_over_after_its_lease(
    keys: IdempotencyKeys, clock: FixedClock
) -> None:
    first = keys.begin("usr_1", OP, "k-1", A)
    assert isinstance(first, Claim)
    clock.at = T0 + timedelta(seconds=61)
    second = keys.begin("usr_1", OP, "k-1", A)
    assert isinstance(second, Claim)
    keys.finish(first, StoredResponse(201, b'{"late": true}', "application/json"))
    keys.finish(second, CREATED)  # the late first request does not overwrite the second's
    replay = keys.begin("usr_1", OP, "k-1", A)
    assert isinstance(replay, Replay) and replay.response == CREATED


def test_a_failed_request_lets_the_key_go(keys: IdempotencyKeys) -> None:
    claim = keys.begin("usr_1", OP, "k-1", A)
    assert isinstance(claim, Claim)
    keys.finish(claim, StoredResponse(409, b"{}", "application/json"))
    assert isinstance(keys.begin("usr_1", OP, "k-1", B), Claim)  # free again: any request
    claim = keys.begin("usr_1", OP, "k-2", A)
    assert isinstance(claim, Claim)
    keys.abandon(claim)
    assert isinstance(keys.begin("usr_1", OP, "k-2", A), Claim)


def test_a_kept_response_expires(keys: IdempotencyKeys, clock: FixedClock) -> None:
    keys.finish(keys.begin("usr_1", OP, "k-1", A), CREATED)  # type: ignore[arg-type]
    clock.at = T0 + timedelta(hours=23, minutes=59)
    assert isinstance(keys.begin("usr_1", OP, "k-1", A), Replay)
    clock.at = T0 + timedelta(hours=24)
    assert isinstance(keys.begin("usr_1", OP, "k-1", B), Claim)  # forgotten: a new request
    assert keys.store.purge(T0 + timedelta(hours=49)) == 1


def test_keys_are_per_principal_and_per_operation(keys: IdempotencyKeys) -> None:
    keys.finish(keys.begin("usr_1", OP, "k-1", A), CREATED)  # type: ignore[arg-type]
    assert isinstance(keys.begin("usr_2", OP, "k-1", B), Claim)
    assert isinstance(keys.begin("usr_1", "POST /v1/tokens", "k-1", B), Claim)


@pytest.mark.parametrize("bad", ["", "a b", "ключ", "x" * 256, "k\n1", "k;1"])
def test_malformed_keys_are_refused(keys: IdempotencyKeys, bad: str) -> None:
    with pytest.raises(IdempotencyKeyInvalid) as refused:
        keys.begin("usr_1", OP, bad, A)
    assert bad not in refused.value.message or not bad
    assert refused.value.details["max_length"] == 255


def test_concurrent_requests_with_one_key_run_once(keys: IdempotencyKeys) -> None:
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def race() -> None:
        start.wait()
        try:
            outcome = keys.begin("usr_1", OP, "k-race", A)
            outcomes.append(type(outcome).__name__)
        except IdempotencyInProgress:
            outcomes.append("busy")

    threads = [threading.Thread(target=race) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["Claim"] + ["busy"] * 7


def test_fingerprints_ignore_json_layout_but_not_content() -> None:
    assert fingerprint("POST", "/x", "", b'{"a": 1, "b": [1, 2]}') == fingerprint(
        "POST", "/x", "", b'{"b":[1,2],"a":1}'
    )
    assert fingerprint("POST", "/x", "", b'{"a": 1}') != fingerprint("POST", "/x", "", b'{"a": 2}')
    assert fingerprint("POST", "/x", "", b"{}") != fingerprint("POST", "/y", "", b"{}")
    assert fingerprint("POST", "/x", "a=1", b"{}") != fingerprint("POST", "/x", "a=2", b"{}")
    assert fingerprint("POST", "/x", "", b"a,b\n") != fingerprint("POST", "/x", "", b"a,c\n")


def test_a_closed_store_opens_again_on_use(keys: IdempotencyKeys) -> None:
    keys.finish(keys.begin("usr_1", OP, "k-1", A), CREATED)  # type: ignore[arg-type]
    keys.close()  # an app's lifespan ended; the same app may serve again
    assert isinstance(keys.begin("usr_1", OP, "k-1", A), Replay)
