"""The two-person rule through the CLI against a real server: the user who approved a request
in legal review cannot release it, whatever roles they hold; another approver can."""

from __future__ import annotations

import json

from onshore.cli.remote import ENV_TOKEN, ENV_URL, credentials_path, read_stored
from tests.server.live import LiveServer
from tests.support.cli import onshore

from .test_login import create_user, login


def token_of(live: LiveServer, name: str, password: str) -> str:
    """Sign ``name`` in through ``onshore login``; their token (the file is then removed)."""
    done = login(live, name, password)
    assert done.returncode == 0, done.stderr
    stored = read_stored()
    assert stored is not None
    credentials_path().unlink()
    return str(stored["token"])


def test_the_approver_in_review_cannot_release(live: LiveServer) -> None:
    create_user(live, "oanh", ["operator"], "oanh-password")
    create_user(live, "rita", ["legal_reviewer", "approver"], "rita-password")
    create_user(live, "ada", ["approver"], "ada-password")
    tokens = {n: token_of(live, n, f"{n}-password") for n in ("oanh", "rita", "ada")}

    def as_user(name: str, *argv: str) -> dict[str, object]:
        env = {ENV_URL: live.base, ENV_TOKEN: tokens[name]}
        done = onshore(*argv, "--json", env=env, cwd=live.directory)
        assert done.returncode == 0, (argv, done.stderr)
        return dict(json.loads(done.stdout))

    done = onshore(
        "put", "--subject", "u-2p", "--kind", "profile", "--data", '{"phone": "+84912345678"}',
        "--signal", "phone_number=+84912345678", cwd=live.directory,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    scope = json.dumps({"phone_number": ["0912345678"], "categories": ["phone_number"]})
    case = as_user(
        "oanh", "requests", "receive", "--authority", "VN-A05", "--process", "warrant",
        "--reference", "CV-2P", "--basis", "CPC 196", "--scope", scope,
    )  # fmt: skip
    cid = str(case["case_id"])
    for who, action, note in [
        ("oanh", "authenticate", None), ("oanh", "verify", '{"channel": "a05-portal"}'),
        ("oanh", "submit", None), ("rita", "approve", None), ("oanh", "check_residency", None),
        ("oanh", "collect", None), ("oanh", "submit_qa", None), ("oanh", "package", None),
        ("oanh", "request_release", None),
    ]:  # fmt: skip
        as_user(who, "requests", "act", cid, action, *(["--note", note] if note else []))
    env = {ENV_URL: live.base, ENV_TOKEN: tokens["rita"]}
    done = onshore("requests", "act", cid, "release", env=env, cwd=live.directory)
    assert done.returncode == 1 and "error[case.separation_of_duties]" in done.stderr
    released = as_user("ada", "requests", "act", cid, "release")
    assert released["state"] == "produced"
    history = as_user("ada", "requests", "show", cid)["history"]
    assert isinstance(history, list)
    by_action = {h["action"]: h for h in history}
    assert by_action["approve"]["role"] == "legal_reviewer"
    assert by_action["release"]["role"] == "approver"
    assert by_action["approve"]["actor"] != by_action["release"]["actor"]
