"""Case commands against a real ``onshore serve``: the token's principal acts, never the host
administrator, and the server's errors come back as CLI errors."""

from __future__ import annotations

import json

from onshore.cli.host import host_principal
from onshore.cli.remote import ENV_TOKEN, ENV_URL, save_credentials
from tests.server.live import LiveServer
from tests.support.cli import onshore

from ..audience.conftest import write_csv
from ..takedowns.conftest import NOTICE


def as_token(live: LiveServer, role: str) -> dict[str, str]:
    """The environment of a CLI talking to ``live`` with the service token of ``role``."""
    return {ENV_URL: live.base, ENV_TOKEN: live.tokens[role]}


def test_a_takedown_through_the_server(live: LiveServer) -> None:
    env = as_token(live, "operator")
    done = onshore(
        "takedowns", "receive", "--source", "authority_order", "--notice", json.dumps(NOTICE),
        "--json", env=env, cwd=live.directory,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    case = json.loads(done.stdout)
    cid = case["case_id"]
    done = onshore("takedowns", "act", cid, "validate", "--json", env=env, cwd=live.directory)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["state"] != case["state"]
    done = onshore("takedowns", "show", cid, "--json", env=env, cwd=live.directory)
    history = json.loads(done.stdout)["history"]
    assert [h["action"] for h in history] == ["open", "validate"]
    actors = {h["actor"] for h in history}
    assert host_principal().id not in actors and host_principal().name not in actors
    assert {h["role"] for h in history} == {"operator"}
    done = onshore("takedowns", "list", "--json", env=env, cwd=live.directory)
    assert cid in {c["case_id"] for c in json.loads(done.stdout)}
    done = onshore("takedowns", "due", "--json", env=env, cwd=live.directory)
    assert done.returncode == 0 and isinstance(json.loads(done.stdout), list)


def test_the_server_decides_what_a_token_may_do(live: LiveServer) -> None:
    env = as_token(live, "auditor")
    done = onshore(
        "takedowns", "receive", "--source", "authority_order", "--notice", json.dumps(NOTICE),
        env=env, cwd=live.directory,
    )  # fmt: skip
    assert done.returncode == 1 and "error[auth.forbidden]:" in done.stderr
    assert live.tokens["auditor"] not in done.stderr + done.stdout
    done = onshore("takedowns", "show", "takedown-missing", env=env, cwd=live.directory)
    assert done.returncode == 1 and "case.not_found" in done.stderr


def test_onshore_token_beats_the_credentials_file(live: LiveServer) -> None:
    save_credentials({"url": live.base, "token": "revoked-or-made-up"})
    done = onshore("requests", "list", "--json", cwd=live.directory)
    assert done.returncode == 1 and "error[auth.unauthenticated]" in done.stderr
    done = onshore(
        "requests", "list", "--json", env={ENV_TOKEN: live.tokens["auditor"]}, cwd=live.directory
    )
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout), list)


def test_an_audience_obligation_through_the_server(live: LiveServer) -> None:
    path = write_csv(
        live.directory / "m.csv",
        ["acct-9,account,VN,2026-11-19,9990,,,", "acct-9,account,VN,2026-11-20,10412,,,"],
    )
    # VN-D147-10k concerns users of a FOREIGN platform: the host ingests as one incorporated
    # outside VN (the same stores, a copy of the configuration naming another country)
    text = (live.directory / "onshore.toml").read_text(encoding="utf-8")
    assert 'incorporated_in = "VN"' in text
    foreign = live.directory / "foreign.toml"
    foreign.write_text(text.replace('incorporated_in = "VN"', 'incorporated_in = "SG"'))
    done = onshore("audience", "ingest", str(path), "--json", "--config", str(foreign),
                   cwd=live.directory)  # fmt: skip
    assert done.returncode == 0, done.stderr
    env = as_token(live, "operator")
    done = onshore("audience", "obligations", "--json", env=env, cwd=live.directory)
    assert done.returncode == 0, done.stderr
    [case] = [c for c in json.loads(done.stdout) if c["data"]["subject_id"] == "acct-9"]
    details = json.dumps(
        {"contact": {"name": "An", "phone": "+84912345678"}, "content_summary": "music covers"}
    )
    done = onshore(
        "audience", "prepare", case["case_id"], "--details", details, "--json",
        env=env, cwd=live.directory,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = onshore("audience", "file", case["case_id"], "--json", env=env, cwd=live.directory)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["state"] == "filed"
    done = onshore("audience", "show", case["case_id"], "--json", env=env, cwd=live.directory)
    history = json.loads(done.stdout)["history"]
    assert [h["action"] for h in history][-2:] == ["prepare", "file"]
    assert host_principal().id not in {h["actor"] for h in history[-2:]}
