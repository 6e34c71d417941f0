"""The HTTP resources in process: records, subjects, decisions, ledger, health, status."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from onshore.core.ledger import EventType
from onshore.core.ledger.bundle import ProofBundle, verify_bundle
from onshore.core.ledger.leaf import decode_leaf
from onshore.core.ledger.merkle import verify_consistency
from onshore.server.app import ROUTERS
from tests.server.conftest import TestClient, auth

VN_USER = {
    "subject": "u-vn",
    "kind": "profile",
    "data": {"full_name": "Nguyễn Văn An", "phone": "+84912345678"},
    "signals": {"phone_number": "+84912345678"},
}
SG_USER = {
    "subject": "u-sg",
    "kind": "profile",
    "data": {"full_name": "Tan Mei", "phone": "+6591234567"},
    "signals": {"phone_number": "+6591234567"},
}


def _put(client: TestClient, token: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/v1/records", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_vn_record_lands_in_vn_with_a_verifiable_proof(
    client: TestClient, tokens: dict[str, str]
) -> None:
    receipt = _put(client, tokens["operator"], VN_USER)
    assert set(receipt) == {"record_id", "region", "ledger_index"}
    assert receipt["region"] == "vn-hcm"
    proof = client.get(
        f"/v1/ledger/vn-hcm/proofs/records/{receipt['record_id']}", headers=auth(tokens["auditor"])
    )
    assert proof.status_code == 200
    bundle = ProofBundle.from_json(proof.text)
    assert bundle.index == receipt["ledger_index"]
    report = verify_bundle(bundle, bundle.public_key)
    assert report.event.type == EventType.RECORD_PLACED
    cp = client.get("/v1/ledger/vn-hcm/checkpoint", headers=auth(tokens["auditor"])).json()
    assert cp["verifier_key"] == bundle.public_key and cp["size"] >= 1
    assert _put(client, tokens["operator"], SG_USER)["region"] == "sg-1"


def test_get_and_subject_listing_with_pagination(
    client: TestClient, tokens: dict[str, str]
) -> None:
    op = tokens["operator"]
    ids = [
        _put(client, op, {**VN_USER, "kind": f"k{i}", "record_id": f"rec-{i:02d}"})["record_id"]
        for i in range(5)
    ]
    r = client.get("/v1/records/rec-03", headers=auth(tokens["legal_reviewer"]))
    assert r.status_code == 200
    body = r.json()
    assert body["data"] == VN_USER["data"] and body["region"] == "vn-hcm"
    assert "phone_number" in body["categories"] and body["subject_country"] == "VN"
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/v1/subjects/u-vn", params=params, headers=auth(op)).json()
        seen.extend(item["record_id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids)
    empty = client.get("/v1/subjects/nobody", headers=auth(op)).json()
    assert empty == {"subject": "nobody", "items": [], "next_cursor": None}


def test_cross_region_listing_is_on_the_holding_regions_ledger(
    app: FastAPI, client: TestClient, tokens: dict[str, str]
) -> None:
    op = tokens["operator"]
    rid = _put(client, op, VN_USER)["record_id"]
    log = app.state.onshore.vault.ledger("vn-hcm")
    before = log.store.size()
    no_purpose = client.get("/v1/subjects/u-vn", params={"caller_region": "sg-1"}, headers=auth(op))
    assert no_purpose.status_code == 422
    assert log.store.size() == before
    r = client.get(
        "/v1/subjects/u-vn",
        params={"caller_region": "sg-1", "purpose": "support"},
        headers=auth(op),
    )
    assert r.status_code == 200 and [i["record_id"] for i in r.json()["items"]] == [rid]
    assert log.store.size() == before + 1
    [(_, entry, _)] = log.store.leaves(before, before + 1)
    assert decode_leaf(entry).type == EventType.RECORD_READ
    local = client.get("/v1/subjects/u-vn", params={"caller_region": "vn-hcm"}, headers=auth(op))
    assert local.status_code == 200 and log.store.size() == before + 1


def test_batch_is_all_or_nothing(app: FastAPI, client: TestClient, tokens: dict[str, str]) -> None:
    op = tokens["operator"]
    ok = client.post("/v1/records/batch", json={"records": [VN_USER, SG_USER]}, headers=auth(op))
    assert ok.status_code == 201
    body = ok.json()
    assert body["count"] == 2 and [r["region"] for r in body["receipts"]] == ["vn-hcm", "sg-1"]
    regions = app.state.onshore.vault.runtime.regions
    counts = {n: r.db.records.count() for n, r in regions.items()}
    bad = {**SG_USER, "categories": {"phone": ["not_a_category"]}}
    r = client.post("/v1/records/batch", json={"records": [VN_USER, bad]}, headers=auth(op))
    assert r.status_code == 422 and r.json()["error"]["code"] == "input.unknown_category"
    assert {n: r.db.records.count() for n, r in regions.items()} == counts


def test_erasure(client: TestClient, tokens: dict[str, str]) -> None:
    op = tokens["operator"]
    rid = _put(client, op, VN_USER)["record_id"]
    r = client.post("/v1/subjects/u-vn/erasure", headers=auth(op))
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and body["erased"] == {"vn-hcm": [rid]}
    assert client.get(f"/v1/records/{rid}", headers=auth(op)).status_code == 404
    # the placement proof still verifies after erasure (the ledger holds no personal data)
    proof = client.get(f"/v1/ledger/vn-hcm/proofs/records/{rid}", headers=auth(op))
    assert proof.status_code == 200
    bundle = ProofBundle.from_json(proof.text)
    verify_bundle(bundle, bundle.public_key)
    latest = client.get(
        f"/v1/ledger/vn-hcm/proofs/records/{rid}", params={"event": "latest"}, headers=auth(op)
    ).json()
    assert latest["event"]["type"] == "record_erased"


def test_decisions_explain(client: TestClient, tokens: dict[str, str]) -> None:
    body = {
        "op": "store",
        "subject_country": "VN",
        "categories": ["political_opinion"],
        "region_country": "SG",
        "at": "2026-03-01T00:00:00Z",
    }
    r = client.post("/v1/decisions", json=body, headers=auth(tokens["auditor"]))
    assert r.status_code == 200
    decision = r.json()["decision"]
    assert decision["outcome"] == "deny" and decision["deciding_rules"]
    assert all({"rule_id", "applied", "reason"} <= set(t) for t in decision["considered"])
    allow = client.post(
        "/v1/decisions", json={**body, "region_country": "VN"}, headers=auth(tokens["auditor"])
    ).json()["decision"]
    assert allow["outcome"] != "deny"
    bad = client.post(
        "/v1/decisions", json={**body, "op": "teleport"}, headers=auth(tokens["auditor"])
    )
    assert bad.status_code == 422
    unknown_cat = client.post(
        "/v1/decisions", json={**body, "categories": ["nope"]}, headers=auth(tokens["auditor"])
    )
    assert unknown_cat.status_code == 422
    assert unknown_cat.json()["error"]["code"] == "input.unknown_category"


def test_transfer_denied_is_409_with_the_explanation(
    client: TestClient, tokens: dict[str, str]
) -> None:
    rid = _put(client, tokens["operator"], VN_USER)["record_id"]
    r = client.post(
        f"/v1/records/{rid}/transfer",
        json={"to_region": "sg-1", "purpose": "ops"},
        headers=auth(tokens["operator"]),
    )
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "policy.denied"
    assert err["details"]["decision"]["outcome"] == "deny"
    assert "VN-D53-26.2" in err["details"]["decision"]["deciding_rules"]
    assert (
        client.get(f"/v1/records/{rid}", headers=auth(tokens["operator"])).json()["region"]
        == "vn-hcm"
    )


def test_ledger_consistency_proof_verifies(client: TestClient, tokens: dict[str, str]) -> None:
    for i in range(3):
        _put(client, tokens["operator"], {**SG_USER, "kind": f"k{i}"})
    r = client.get(
        "/v1/ledger/sg-1/proofs/consistency",
        params={"old_size": 2},
        headers=auth(tokens["auditor"]),
    )
    assert r.status_code == 200
    c = r.json()
    verify_consistency(
        c["old_size"],
        c["new_size"],
        bytes.fromhex(c["old_root"]),
        bytes.fromhex(c["new_root"]),
        [bytes.fromhex(h) for h in c["proof"]],
    )
    leaf = client.get("/v1/ledger/sg-1/proofs/leaves/0", headers=auth(tokens["auditor"]))
    assert leaf.status_code == 200 and leaf.json()["index"] == 0
    assert (
        client.get(
            "/v1/ledger/sg-1/proofs/leaves/999999", headers=auth(tokens["auditor"])
        ).status_code
        == 404
    )
    assert (
        client.get("/v1/ledger/mars-1/checkpoint", headers=auth(tokens["auditor"])).status_code
        == 404
    )
    too_big = client.get(
        "/v1/ledger/sg-1/proofs/consistency",
        params={"old_size": 10**6},
        headers=auth(tokens["auditor"]),
    )
    assert too_big.status_code == 422


def test_authorisation_decisions_are_on_the_default_ledger(
    app: FastAPI, client: TestClient, tokens: dict[str, str]
) -> None:
    log = app.state.onshore.vault.ledger("sg-1")
    before = log.store.size()
    assert client.get("/v1/records/x", headers=auth(tokens["auditor"])).status_code == 403
    assert client.get("/v1/records/x", headers=auth(tokens["operator"])).status_code == 404
    assert client.get("/v1/records/x").status_code == 401
    rows = log.store.leaves(before, log.store.size())
    leaves = [decode_leaf(entry) for _, entry, _ in rows]
    assert [leaf.type for leaf in leaves] == [EventType.ACCESS_DECISION] * 2
    payloads = [log.store.payload(leaf.payload_commitment) for leaf in leaves]
    assert [b'"decision":"deny"' in (p or b"") for p in payloads] == [True, False]


def test_health_metrics_status_openapi(client: TestClient, tokens: dict[str, str]) -> None:
    _put(client, tokens["operator"], VN_USER)
    assert client.get("/healthz").json()["status"] == "ok"
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert 'onshore_records_written_total{region="vn-hcm"} 1.0' in metrics.text
    assert 'route="/v1/records"' in metrics.text and "u-vn" not in metrics.text
    page = client.get("/")
    assert page.status_code == 200 and "vn-hcm" in page.text and "Nguy" not in page.text
    spec = client.get("/openapi.json").json()
    assert "/v1/records" in spec["paths"] and "/v1/records/batch" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_router_list_is_the_one_place() -> None:
    assert ROUTERS[0] == "onshore.server.routes.status"
    assert len(set(ROUTERS)) == len(ROUTERS)
