"""Key rotation from the command line, as an operator runs it: a region's kek in SoftHSM2,
then the index and ledger-signing keys rotated, re-indexed, retired and the handoff followed
(kek and ledger-hmac rotation by the CLI share the same path; tests/keys/test_rotation.py)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import onshore
from tests.support.softhsm import PIN_ENV, SoftHsm


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``onshore ARGS`` in this process (``tests/support/cli.py``), the token's PIN set."""
    return onshore(*args, cwd=cwd, env={PIN_ENV: os.environ[PIN_ENV]})


def ok(cwd: Path, *args: str) -> str:
    done = run(cwd, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def put(cwd: Path, subject: str, phone: str) -> str:
    record = ["-d", json.dumps({"phone": phone}), "--signal", f"phone_number={phone}"]
    out = ok(cwd, "put", "-s", subject, "-k", "profile", "--json", *record)
    receipt = json.loads(out)
    assert receipt["region"] == "vn-hcm"
    return str(receipt["record_id"])


def found(cwd: Path, phone: str) -> list[str]:
    return [r["record_id"] for r in json.loads(ok(cwd, "find", "--phone", phone, "--json"))]


@pytest.mark.slow
@pytest.mark.timeout(1200)  # ~12 CLI commands, each through the PKCS#11 library
def test_key_rotation_from_the_cli(softhsm: SoftHsm, tmp_path: Path) -> None:
    (tmp_path / "onshore.toml").write_text(
        '[deployment]\ndefault_region = "sg-1"\npacks = ["vn"]\n'
        'entity = { incorporated_in = "VN", sectors = ["social_network"] }\n'
        f'[regions.vn-hcm]\ncountry = "VN"\nstore = "sqlite:///data/vn.db"\n'
        f'keys = "{softhsm.uri()}"\n'
        '[regions.sg-1]\ncountry = "SG"\nstore = "sqlite:///data/sg.db"\n'
    )
    ok(tmp_path, "init")
    assert sorted(p.name for p in (tmp_path / "data" / "vn-hcm" / "keys").iterdir()) == [
        "index.v1.key",
        "ledger-hmac.v1.key",
        "ledger-signing.v1.key",
    ]  # the kek is in the token, not on disk
    first = put(tmp_path, "u1", "+84912000001")
    old_key = ok(tmp_path, "ledger", "key", "vn-hcm").strip()
    (tmp_path / "old.pub").write_text(old_key + "\n")
    for kind in ("index", "ledger-signing"):
        assert f"new key {kind}:2" in ok(tmp_path, "keys", "rotate", "vn-hcm", "--key", kind)
    second = put(tmp_path, "u2", "+84912000002")
    report = json.loads(ok(tmp_path, "keys", "reindex", "vn-hcm", "--json"))
    assert (report["moved"], report["stuck"], report["key_id"]) == (1, 0, "index:2")
    ok(tmp_path, "keys", "retire", "vn-hcm", "index:1")
    assert found(tmp_path, "0912000001") == [first]
    chain = json.loads(ok(tmp_path, "keys", "chain", "vn-hcm", "--trust", "old.pub", "--json"))
    assert chain["handoffs"] == 1 and chain["trusted"] != old_key
    bad = run(tmp_path, "keys", "rotate", "vn-hcm", "--key", "nope")
    assert bad.returncode != 0 and "error[input.invalid]" in bad.stderr
    assert second
