"""``onshore dsr ...`` end to end: on the host as the host administrator, and against a real
``onshore serve`` as the token's principal (two people where the lifecycle wants two)."""
# ruff: noqa: E501  (command lines read better whole)

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from onshore.cli.host import host_principal
from onshore.cli.remote import ENV_TOKEN, ENV_URL
from tests.server.live import LiveServer, start_live_server
from tests.support.cli import onshore

from .conftest import CHI


def ok(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Any:
    done = onshore(*args, "--json", cwd=cwd, env=env)
    assert done.returncode == 0, (args, done.stderr)
    return json.loads(done.stdout)


def deliver_as_another_person(cfg: Path, case_id: str) -> dict[str, Any]:
    """The delivery by a second person (an approver other than the host administrator)."""
    from onshore.cli.dsr import _service, case_dict

    with _service(cfg) as svc:
        return case_dict(svc.act(case_id, "deliver", principal=CHI))


def test_an_access_request_on_the_host(tmp_path: Path) -> None:
    assert onshore("init", "--dir", str(tmp_path)).returncode == 0
    cfg = tmp_path / "onshore.toml"
    for residence in ("VN", "SG"):
        ok("put", "--config", str(cfg), "--subject", "u-lan", "--kind", "profile",
           "--data", '{"email": "lan@example.vn"}', "--signal", f"declared_residence={residence}", cwd=tmp_path)  # fmt: skip
    case = ok("dsr", "open", "--config", str(cfg), "--type", "access", "--channel", "email",
              "--email", "lan@example.vn", "--reference", "M-1", cwd=tmp_path)  # fmt: skip
    cid = case["case_id"]
    assert case["state"] == "received" and "scope_terms" not in case["data"]
    done = onshore("dsr", "act", cid, "verify_identity", "--config", str(cfg), cwd=tmp_path)
    assert done.returncode == 1 and "needs 'method'" in done.stderr
    ok(
        "dsr",
        "act",
        cid,
        "verify_identity",
        "--config",
        str(cfg),
        "--note",
        '{"method": "otp_email"}',
        cwd=tmp_path,
    )
    assembled = ok("dsr", "act", cid, "assemble", "--config", str(cfg), cwd=tmp_path)
    assert assembled["data"]["package"]["records"] == 2
    done = onshore("dsr", "act", cid, "deliver", "--config", str(cfg), cwd=tmp_path)
    assert done.returncode == 1 and "case.separation_of_duties" in done.stderr
    delivered = deliver_as_another_person(cfg, cid)
    assert delivered["state"] == "answered"
    pkg = delivered["data"]["package"]["dir"]
    assert ok("dsr", "verify-package", pkg, cwd=tmp_path)["ok"]
    summary = Path(pkg) / "summary.html"
    summary.write_bytes(summary.read_bytes().replace(b"lan@", b"lam@"))
    done = onshore("dsr", "verify-package", pkg, cwd=tmp_path)
    assert done.returncode == 1 and "FAIL summary.html does not match" in done.stdout
    shown = ok("dsr", "show", cid, "--config", str(cfg), cwd=tmp_path)
    actors = [h["actor"] for h in shown["history"]]
    assert actors[:3] == [host_principal().id] * 3 and actors[3] == CHI.id
    listed = ok("dsr", "list", "--config", str(cfg), cwd=tmp_path)
    assert [c["case_id"] for c in listed] == [cid]
    assert ok("dsr", "due", "--config", str(cfg), cwd=tmp_path) == {"overdue": [], "due_soon": []}
    table = onshore("dsr", "lifecycle", cwd=tmp_path).stdout
    assert "| verified | erase | answered |" in table


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


def test_an_erasure_through_the_server(live: LiveServer) -> None:
    def env(role: str) -> dict[str, str]:
        return {ENV_URL: live.base, ENV_TOKEN: live.tokens[role]}

    d = live.directory
    ok("put", "--subject", "u-7", "--kind", "profile", "--data", '{"email": "bay@example.vn"}',
       "--signal", "declared_residence=VN", cwd=d)  # fmt: skip
    case = ok(
        "dsr",
        "open",
        "--type",
        "erasure",
        "--channel",
        "app",
        "--subject",
        "u-7",
        "--country",
        "VN",
        cwd=d,
        env=env("operator"),
    )
    assert case["data"]["deadline"]["source"] == "VN-D165-del"
    cid = case["case_id"]
    ok(
        "dsr",
        "act",
        cid,
        "verify_identity",
        "--note",
        '{"method": "account_session"}',
        cwd=d,
        env=env("operator"),
    )
    done = onshore("dsr", "act", cid, "erase", cwd=d, env=env("operator"))
    assert done.returncode == 1 and "error[case.role_not_permitted]" in done.stderr
    erased = ok("dsr", "act", cid, "erase", cwd=d, env=env("legal_reviewer"))
    assert erased["state"] == "answered" and erased["data"]["erasure"]["erased"] == {"vn-hcm": 1}
    history = ok("dsr", "show", cid, cwd=d, env=env("auditor"))["history"]
    assert [h["role"] for h in history] == ["operator", "operator", "legal_reviewer"]
    assert host_principal().id not in {h["actor"] for h in history}
