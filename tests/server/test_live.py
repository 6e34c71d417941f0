"""Against a real ``onshore serve`` process: the README flow, logs, graceful shutdown."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import httpx

from onshore.core.ledger import EventType, decode_leaf
from onshore.core.ledger.bundle import ProofBundle, verify_bundle
from onshore.services.vault import Vault
from onshore.settings import load_settings
from tests.server.live import LiveServer

PHONE = "+84987654321"


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_vn_record_over_http_lands_in_vn_with_a_proof(live: LiveServer) -> None:
    token = live.tokens["operator"]
    with httpx.Client(base_url=live.base, timeout=30) as c:
        r = c.post(
            "/v1/records",
            headers=_h(token),
            json={
                "subject": "secret-subject-77",
                "kind": "profile",
                "data": {"full_name": "Trần Thị Bích", "phone": PHONE},
                "signals": {"phone_number": PHONE},
            },
        )
        assert r.status_code == 201
        receipt = r.json()
        assert receipt["region"] == "vn-hcm"
        proof = c.get(
            f"/v1/ledger/vn-hcm/proofs/records/{receipt['record_id']}",
            headers=_h(live.tokens["auditor"]),
        )
        bundle = ProofBundle.from_json(proof.text)
        assert verify_bundle(bundle, bundle.public_key).index == receipt["ledger_index"]
        assert (
            c.get("/v1/subjects/secret-subject-77", headers=_h("onsh_" + "x" * 43)).status_code
            == 401
        )
        assert c.get("/").status_code == 200
    assert live.stop() in (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM once it is done
    assert "Application shutdown complete" in live.logs()
    lines = live.logs().splitlines()
    assert lines and all(isinstance(json.loads(line), dict) for line in lines)
    logs = "\n".join(lines)
    for secret in (
        PHONE,
        PHONE[1:],
        "987654321",
        "Bích",
        "secret-subject-77",
        receipt["record_id"],
        *live.tokens.values(),
    ):
        assert secret not in logs, secret
    assert '"route": "/v1/records"' in logs and '"status": 201' in logs


def test_sigterm_loses_no_accepted_write(live: LiveServer) -> None:
    accepted: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    token = live.tokens["operator"]

    def writer(worker: int) -> None:
        with httpx.Client(base_url=live.base, timeout=30) as c:
            i = 0
            while not stop.is_set():
                rid = f"gs-{worker}-{i}"
                i += 1
                try:
                    r = c.post(
                        "/v1/records",
                        headers=_h(token),
                        json={
                            "subject": f"s-{worker}",
                            "kind": "profile",
                            "record_id": rid,
                            "data": {"phone": PHONE},
                            "signals": {"phone_number": PHONE},
                        },
                    )
                except httpx.TransportError:
                    return  # the server went away: this write was never acknowledged
                with lock:
                    if r.status_code == 201:
                        accepted.append(rid)
                    elif r.status_code != 503:
                        failures.append(f"{r.status_code} {r.text[:200]}")

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(accepted) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    live.process.send_signal(signal.SIGTERM)
    code = live.process.wait(60)
    stop.set()
    for t in threads:
        t.join(30)
    assert code in (0, -signal.SIGTERM), live.logs()[-2000:]
    assert "Application shutdown complete" in live.logs()
    assert not failures, failures[:3]
    assert len(accepted) >= 40
    settings = load_settings(Path(live.directory) / "onshore.toml", env={})
    with Vault.open(settings) as vault:
        region = vault.runtime.regions["vn-hcm"]
        missing = [rid for rid in accepted if region.db.records.get(rid) is None]
    assert not missing, f"{len(missing)} of {len(accepted)} acknowledged writes were lost"


def _access_decisions(vault: Vault) -> int:
    region = vault.runtime.settings.deployment.default_region
    store = vault.ledger(region).store
    leaves = [decode_leaf(entry) for _, entry, _ in store.leaves(0, store.size())]
    return sum(leaf.type == EventType.ACCESS_DECISION for leaf in leaves)


def test_sigkill_loses_no_access_decision_of_an_accepted_request(live: LiveServer) -> None:
    """Access decisions are group-committed, but each request waits for its own leaf before
    the route runs: after a crash, every acknowledged write has its decision (and its record)
    on disk."""
    accepted: list[str] = []
    lock = threading.Lock()
    token = live.tokens["operator"]

    def writer(worker: int) -> None:
        with httpx.Client(base_url=live.base, timeout=30) as c:
            for i in range(10_000):
                rid = f"kill-{worker}-{i}"
                try:
                    r = c.post(
                        "/v1/records",
                        headers=_h(token),
                        json={"subject": f"k-{worker}", "kind": "profile", "record_id": rid,
                              "data": {"phone": PHONE}, "signals": {"phone_number": PHONE}},
                    )  # fmt: skip
                except httpx.TransportError:
                    return  # the server died: this write was never acknowledged
                if r.status_code == 201:
                    with lock:
                        accepted.append(rid)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(accepted) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    live.stop(signal.SIGKILL)
    for t in threads:
        t.join(30)
    assert len(accepted) >= 40
    settings = load_settings(Path(live.directory) / "onshore.toml", env={})
    with Vault.open(settings) as vault:
        region = vault.runtime.regions["vn-hcm"]
        missing = [rid for rid in accepted if region.db.records.get(rid) is None]
        decisions = _access_decisions(vault)
    assert not missing, f"{len(missing)} of {len(accepted)} acknowledged writes were lost"
    assert decisions >= len(accepted), (decisions, len(accepted))
