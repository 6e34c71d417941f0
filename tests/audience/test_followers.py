"""Follower attribution: each follower's country from the residency resolver's signals,
kept only as counts with their confidence, fed into the same counters and thresholds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from onshore.core.errors import InputError
from onshore.server.app import create_app
from onshore.services.audience import AudienceService
from onshore.services.audience_followers import read_followers
from tests.audience.conftest import foreign, foreign_toml
from tests.server.conftest import TestClient, make_settings
from tests.takedowns.test_interfaces import auth, run

DAY = "2026-11-20"


def followers(n_vn: int, n_sg: int = 0) -> list[tuple[int, dict[str, Any]]]:
    """``n_vn`` followers placed in VN by various signals, ``n_sg`` declared in SG."""
    rows: list[dict[str, Any]] = []
    for i in range(n_vn):
        kind = i % 3
        if kind == 0:
            rows.append({"follower_id": f"f{i}", "phone_number": f"+8491{i:07d}"})
        elif kind == 1:
            rows.append({"follower_id": f"f{i}", "ip": "14.160.0.1", "address_country": "VN"})
        else:
            rows.append({"follower_id": f"f{i}", "declared_residence": "VN", "ip": "8.8.8.8"})
    rows += [{"follower_id": f"s{i}", "declared_residence": "SG"} for i in range(n_sg)]
    return list(enumerate(rows, start=1))


def test_counts_per_country_with_confidence(svc: AudienceService) -> None:
    report = svc.attribute_followers("acct-1", DAY, followers(9, 2))
    att = report.attribution
    assert att is not None and (att["followers"], att["good"], att["bad"]) == (11, 11, 0)
    vn, sg = att["countries"]["VN"], att["countries"]["SG"]
    assert (vn["followers"], sg["followers"]) == (9, 2)
    assert vn["decided_by"] == {"address_country": 3, "declared_residence": 3, "phone_number": 3}
    assert vn["conflicts"] == 3  # the declared VN residents log in from a US address
    assert 0.7 < vn["min_confidence"] <= vn["confidence"] < 1.0 and sg["confidence"] == 0.95
    assert [o.subscribers for o in svc.store.series("acct-1", "VN")] == [9]
    [entry] = svc.status("acct-1", "VN", DAY)["history"]
    assert entry["subscribers"] == 9 and entry["attribution"] == vn
    assert svc.status("acct-1", "SG", DAY)["history"][0]["attribution"] == sg


def test_followers_cross_the_threshold(svc: AudienceService) -> None:
    report = svc.attribute_followers("acct-9", DAY, followers(10_001))
    assert report.applied and len(report.opened) == 1
    [case] = svc.obligations()
    assert case.data["rule"]["rule_id"] == "VN-D147-10k" and case.data["subject_id"] == "acct-9"


def test_no_follower_id_is_stored(svc: AudienceService, tmp_path: Path) -> None:
    svc.attribute_followers("acct-1", DAY, [(1, {"follower_id": "follower-secret-77",
                                                 "phone_number": "+84912345678"})])  # fmt: skip
    blob = json.dumps(svc.status("acct-1"), default=str)
    assert "follower-secret-77" not in blob and "912345678" not in blob
    for f in tmp_path.rglob("*.db*"):
        assert b"follower-secret-77" not in f.read_bytes()


def test_idempotent_and_bad_rows(svc: AudienceService) -> None:
    rows = [*followers(3), (4, {"follower_id": "f0", "declared_residence": "VN"}),
            (5, {"follower_id": "x", "favourite": "blue"}), (6, {"phone_number": "+8491"}),
            (7, {"follower_id": "y", "declared_residence": "Viet Nam"})]  # fmt: skip
    first = svc.attribute_followers("acct-1", DAY, rows)
    att = first.attribution
    assert att is not None and (att["good"], att["bad"]) == (3, 4)
    assert [(b["line"], b["reason"].split(" ")[0]) for b in att["bad_rows"]] == [
        (4, "duplicate"), (5, "unknown"), (6, "follower_id"), (7, "signal")
    ]  # fmt: skip
    again = svc.attribute_followers("acct-1", DAY, rows)
    assert again.already_applied and not again.applied
    with pytest.raises(InputError):
        svc.attribute_followers("acct-2", DAY, rows, strict=True)
    assert svc.store.series("acct-2", "VN") == []
    # a later list for the same day replaces the count; the old one is kept as a revision
    fix = svc.attribute_followers("acct-1", DAY, followers(5))
    assert fix.updated == 1 and svc.status("acct-1")["revisions"][0]["subscribers"] == 3


def test_an_account_losing_every_vn_follower_reads_zero(svc: AudienceService) -> None:
    svc.attribute_followers("acct-1", DAY, followers(4))
    svc.attribute_followers("acct-1", "2026-11-21", followers(0, 3))
    assert [o.subscribers for o in svc.store.series("acct-1", "VN")] == [4, 0]


def test_followers_through_cli_and_http(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", "--dir", str(tmp_path))[0] == 0
    foreign_toml(tmp_path / "onshore.toml")
    cfg = str(tmp_path / "onshore.toml")
    path = tmp_path / "followers.csv"
    path.write_text("follower_id,phone_number,ip\nf1,+84912345678,\nf2,,14.160.0.1;8.8.8.8\n"
                    "f3,,not-an-ip\n", encoding="utf-8")  # fmt: skip
    assert [n for n, _ in read_followers(path)] == [2, 3, 4]
    code, out, _ = run(capsys, "audience", "followers", str(path), "--subject", "acct-1",
                       "--date", DAY, "-c", cfg, "--json")  # fmt: skip
    report = json.loads(out)
    # an IP the lookup cannot place is evidence of nothing: the resolver falls back to the
    # deployment's default country at confidence 0.30, and the attribution says so
    assert code == 0 and report["attribution"]["countries"] == {
        "VN": {"followers": 3, "confidence": 0.4833, "min_confidence": 0.3, "conflicts": 0,
               "decided_by": {"default": 1, "ip": 1, "phone_number": 1}}
    }  # fmt: skip
    app = create_app(foreign(make_settings(tmp_path / "srv")), create_keys=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        op, aud = auth(app, "operator"), auth(app, "auditor")
        body = {"date": DAY, "followers": [{"follower_id": "a", "declared_residence": "VN"}]}
        url = "/v1/audience/subjects/acct-1/followers"
        assert client.post(url, headers=aud, json=body).status_code == 403
        r = client.post(url, headers=op, json=body)
        assert r.status_code == 200, r.text
        assert r.json()["attribution"]["countries"]["VN"]["followers"] == 1
        status = client.get("/v1/audience/subjects/acct-1", headers=aud).json()
        assert status["history"][0]["attribution"]["decided_by"] == {"declared_residence": 1}
