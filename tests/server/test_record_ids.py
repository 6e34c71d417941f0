"""Over HTTP a caller-chosen record_id is idempotent: a retry returns the original receipt,
different content is ``409 record.conflict`` in the one error shape."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.server.conftest import auth

BODY = {
    "subject": "u-vn",
    "kind": "profile",
    "data": {"phone": "+84912345678"},
    "signals": {"phone_number": "+84912345678"},
    "record_id": "rec-1",
}


def test_retry_returns_the_receipt_and_conflict_is_409(
    client: TestClient, tokens: dict[str, str]
) -> None:
    headers = auth(tokens["operator"])
    first = client.post("/v1/records", json=BODY, headers=headers)
    assert first.status_code == 201, first.text
    again = client.post("/v1/records", json=BODY, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    batch = client.post("/v1/records/batch", json={"records": [BODY]}, headers=headers)
    assert batch.status_code == 201 and batch.json()["receipts"] == [first.json()]
    changed = {**BODY, "data": {"phone": "+84912345679"}}
    conflict = client.post("/v1/records", json=changed, headers=headers)
    assert conflict.status_code == 409
    error = conflict.json()["error"]
    assert error["code"] == "record.conflict"
    assert error["details"] == {"record_id": "rec-1", "region": "vn-hcm"}
    assert "+8491" not in conflict.text
