"""``onshore requests ...`` and ``onshore report transparency`` end to end."""
# ruff: noqa: E501  (command lines read better whole)

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from onshore.cli.host import host_principal
from onshore.cli.main import main
from onshore.core.identity import Principal

from .conftest import REGISTRY_YAML


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def release_as_another_person(cfg: str, case_id: str) -> dict[str, Any]:
    """The release by a second person (an approver other than the host administrator)."""
    from onshore.cli.authority_requests import case_view, open_service

    svc = open_service(Path(cfg))
    try:
        ada = Principal("user", "usr_ada", "ada", frozenset({"approver"}))
        return case_view(svc.act(case_id, "release", principal=ada))
    finally:
        svc.vault.close()


def test_request_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", "--dir", str(tmp_path))[0] == 0
    (tmp_path / "authorities.yaml").write_text(REGISTRY_YAML)
    cfg = str(tmp_path / "onshore.toml")
    code, _, err = run(capsys, "put", "--config", cfg, "--subject", "u1", "--kind", "profile",
                       "--data", '{"phone": "+84912345678", "email": "a@example.vn"}',
                       "--signal", "phone_number=+84912345678", "--json")  # fmt: skip
    assert code == 0, err
    scope = json.dumps({"phone_number": ["0912345678"], "categories": ["phone_number"]})
    code, out, err = run(capsys, "requests", "receive", "--config", cfg, "--authority", "VN-A05",
                         "--process", "warrant", "--reference", "CV-1", "--basis", "CPC 196",
                         "--scope", scope, "--respond-within", "2:working_day",
                         "--json")  # fmt: skip
    assert code == 0, err
    case = json.loads(out)
    cid = case["case_id"]
    assert case["state"] == "received" and "scope_terms" not in case["data"]
    steps = [
        ("authenticate", None), ("verify", '{"channel": "a05-portal"}'), ("submit", None),
        ("approve", None), ("check_residency", None), ("collect", None), ("submit_qa", None),
        ("package", None), ("request_release", None),
    ]  # fmt: skip
    for action, note in steps:
        args = ["requests", "act", cid, action, "--config", cfg, "--json"]
        if note:
            args += ["--note", note]
        code, out, err = run(capsys, *args)
        assert code == 0, (action, err)
    # every local step is the host administrator's, recorded with the OS user
    code, out, _ = run(capsys, "requests", "show", cid, "--config", cfg, "--json")
    history = json.loads(out)["history"]
    assert {h["actor"] for h in history} == {host_principal().id}
    assert [h["role"] for h in history if h["action"] == "approve"] == ["legal_reviewer"]
    # the host administrator approved in legal review, so it may not release: exit 1
    code, _, err = run(capsys, "requests", "act", cid, "release", "--config", cfg)
    assert code == 1 and "case.separation_of_duties" in err
    produced = release_as_another_person(cfg, cid)
    assert produced["state"] == "produced"
    pkg = produced["data"]["package"]["dir"]
    code, out, _ = run(capsys, "requests", "verify-package", pkg, "--json")
    assert code == 0 and json.loads(out)["ok"]
    manifest = Path(pkg) / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b"CV-1", b"CV-2"))
    code, out, _ = run(capsys, "requests", "verify-package", pkg)
    assert code == 1 and "FAIL" in out
    code, out, _ = run(capsys, "requests", "show", cid, "--config", cfg, "--json")
    assert [h["action"] for h in json.loads(out)["history"]][-1] == "release"
    code, out, _ = run(capsys, "requests", "due", "--config", cfg, "--json")
    assert code == 0 and json.loads(out) == {"overdue": [], "due_soon": []}
    code, out, _ = run(capsys, "requests", "lifecycle", "--format", "json")
    assert json.loads(out)["initial"] == "received"
    code, _, err = run(capsys, "requests", "act", cid, "approve", "--config", cfg)
    assert code == 1 and "case.illegal_transition" in err
    out_dir = tmp_path / "report"
    code, out, err = run(capsys, "report", "transparency", "--config", cfg, "--from", "2000-01-01",
                         "--to", "2100-01-01", "--k", "1", "--out", str(out_dir), "--json")  # fmt: skip
    assert code == 0, err
    doc = json.loads((out_dir / "transparency.json").read_text())
    assert doc["tables"][0]["rows"][0]["requests"] == 1
    assert json.loads(out)["ledger_index"] >= 0
    code, _, err = run(capsys, "report", "transparency", "--config", cfg, "--from", "soon",
                       "--to", "2100-01-01")  # fmt: skip
    assert code == 2 and "input.invalid" in err
