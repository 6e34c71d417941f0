"""``onshore ledger``: checkpoint, key, prove, verify (online and offline with a bundle)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onshore.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture
def deployment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    code, _, err = run(capsys, "init", "--dir", str(tmp_path))
    assert code == 0, err
    config = str(tmp_path / "onshore.toml")
    code, out, err = run(
        capsys, "put", "--config", config, "--subject", "u1", "--kind", "profile",
        "--data", '{"phone": "+84912345678"}', "--signal", "phone_number=+84912345678", "--json",
    )  # fmt: skip
    assert code == 0, err
    return tmp_path, json.loads(out)["record_id"]


def test_prove_and_verify_offline(
    deployment: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    home, record_id = deployment
    config = str(home / "onshore.toml")
    code, out, _ = run(capsys, "ledger", "checkpoint", "vn-hcm", "--config", config)
    assert code == 0 and out.startswith("onshore/vn-hcm\n1\n")
    code, vkey, _ = run(capsys, "ledger", "key", "vn-hcm", "--config", config)
    (home / "vn.pub").write_text(vkey)
    bundle = home / "proof.json"
    code, _, err = run(
        capsys, "ledger", "prove", record_id, "--out", str(bundle), "--config", config
    )
    assert code == 0, err
    # Offline: no config, no database.
    code, out, err = run(
        capsys, "ledger", "verify", "--bundle", str(bundle), "--key", str(home / "vn.pub"), "--json"
    )
    assert code == 0, err
    assert json.loads(out)["event"]["type"] == "record_placed"
    code, out, _ = run(capsys, "ledger", "verify", "--config", config, "--json")
    assert code == 0 and all(r["ok"] for r in json.loads(out))


def test_tampered_bundle_and_garbage_fail_with_codes(
    deployment: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    home, record_id = deployment
    config = str(home / "onshore.toml")
    _, vkey, _ = run(capsys, "ledger", "key", "vn-hcm", "--config", config)
    _, out, _ = run(capsys, "ledger", "prove", record_id, "--config", config)
    doc = json.loads(out)
    doc["leaf"] = doc["leaf"][:-2] + ("00" if doc["leaf"][-2:] != "00" else "01")
    bad = home / "bad.json"
    bad.write_text(json.dumps(doc))
    code, _, err = run(capsys, "ledger", "verify", "--bundle", str(bad), "--key", vkey.strip())
    assert code == 1 and "root mismatch" in err
    bad.write_bytes(b"\x00garbage")
    code, _, err = run(capsys, "ledger", "verify", "--bundle", str(bad), "--key", vkey.strip())
    assert code == 1 and "not JSON" in err
    code, _, _ = run(capsys, "ledger", "verify", "--bundle", str(bad))
    assert code == 2
    code, _, err = run(capsys, "ledger", "prove", "no-such-record", "--config", config)
    assert code == 1 and "no region" in err
