"""``onshore policy list | check | explain`` end to end through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onshore.cli.main import main

SHIPPED = Path(__file__).resolve().parents[2] / "policy_packs"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out = capsys.readouterr()
    return int(info.value.code or 0), out.out, out.err


EXPLAIN = [
    "policy", "explain", "--op", "store", "--subject", "VN", "--category", "political_opinion",
    "--region-country", "SG", "--entity-country", "VN", "--sector", "social_network",
    "--at", "2025-06-01",
]  # fmt: skip


def _with(argv: list[str], option: str, value: str) -> list[str]:
    out = list(argv)
    out[out.index(option) + 1] = value
    return out


def test_explain_deny_exits_3_and_names_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(EXPLAIN, capsys)
    assert code == 3
    assert "DENY" in out and "VN-D53-26.2" in out and "Decree 53/2022/ND-CP, art. 26.2" in out
    assert "policy.denied" in err


def test_explain_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run([*EXPLAIN, "--json"], capsys)
    assert code == 3
    data = json.loads(out)
    assert data["outcome"] == "deny" and data["deciding_rules"] == ["VN-D53-26.2"]
    assert data["rules"]["VN-D53-26.2"]["cite"].startswith("Decree 53")
    assert {"rule_id", "applied", "reason"} == set(data["considered"][0])
    assert set(data) >= {"obligations", "warnings", "resolution", "facts", "packs", "at", "op"}


def test_explain_allow_in_vn_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run([*_with(EXPLAIN, "--region-country", "VN"), "--json"], capsys)
    assert code == 0 and json.loads(out)["outcome"] == "allow"


def test_explain_foreign_entity_lists_obligations(capsys: pytest.CaptureFixture[str]) -> None:
    argv = _with(_with(EXPLAIN, "--entity-country", "SG"), "--at", "2026-02-01")
    code, out, _ = _run(argv, capsys)
    assert code == 0
    assert "obligations" in out and "VN-D356-17-18" in out and "2026-04-02" in out


def test_explain_entity_from_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "onshore.toml"
    cfg.write_text(
        '[deployment]\nname = "t"\npacks = ["vn"]\n'
        'entity = { incorporated_in = "VN", sectors = ["social_network"] }\n'
        'default_region = "sg-1"\n[regions.sg-1]\ncountry = "SG"\nstore = "memory://"\n'
    )
    argv = ["policy", "explain", "--subject", "VN", "--category", "email",
            "--region-country", "SG", "--at", "2025-06-01",
            "--config", str(cfg), "--json"]  # fmt: skip
    code, out, _ = _run(argv, capsys)
    assert code == 3 and json.loads(out)["facts"]["entity"]["incorporated_in"] == "VN"


def test_explain_bad_op_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(_with(EXPLAIN, "--op", "teleport"), capsys)
    assert code == 2 and "input.invalid" in err


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["policy", "list", "--json"], capsys)
    assert code == 0
    ids = {p["id"] for p in json.loads(out)}
    assert {"vn", "ru", "cn", "in", "id", "eu", "sa", "ng"} <= ids
    code, out, _ = _run(["policy", "list", "--pack", "vn"], capsys)
    assert code == 0 and "VN-D53-26.2" in out and "unconfirmed" in out


def test_check_shipped_packs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["policy", "check", *map(str, sorted(SHIPPED.iterdir()))], capsys)
    assert code == 0, out
    assert "pack vn" in out


def test_check_broken_pack_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "pack.yaml"
    bad.write_text("schema: onshore.policy-pack/v1\npack: {id: x, jurisdiction: ZZ}\n")
    code, _, err = _run(["policy", "check", str(bad)], capsys)
    assert code == 1 and "policy.pack_invalid" in err and "pack.yaml:2" in err


def test_check_uncovered_rule_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "eu"
    d.mkdir()
    (d / "pack.yaml").write_text((SHIPPED / "eu" / "pack.yaml").read_text())
    (d / "cases.yaml").write_text("pack: eu\ncases: []\n")
    code, out, _ = _run(["policy", "check", str(d)], capsys)
    assert code == 1 and "has no case" in out
