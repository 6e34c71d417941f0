"""``onshore login | whoami | logout`` against a real ``onshore serve``, as a user with a
password (and a TOTP second factor)."""

from __future__ import annotations

import json
import stat
from typing import Any

import httpx
import pyotp
import pytest

from onshore.cli.host import host_principal
from onshore.cli.remote import ENV_TOKEN, ENV_URL, credentials_path, read_stored
from onshore.services.runtime.clocks import system_clock
from onshore.services.runtime.tokens import open_tokens
from onshore.services.users import Users
from onshore.settings import load_settings
from tests.server.live import LiveServer
from tests.support.cli import onshore

from ..takedowns.conftest import NOTICE


def create_user(live: LiveServer, name: str, roles: list[str], password: str) -> dict[str, Any]:
    """A user made by the server's admin over ``POST /v1/users``."""
    answer = httpx.post(
        f"{live.base}/v1/users",
        json={"name": name, "roles": roles, "password": password},
        headers={"Authorization": f"Bearer {live.tokens['admin']}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def login(live: LiveServer, name: str, password: str, *extra: str) -> Any:
    """``onshore login`` with the password on stdin."""
    return onshore(
        "login", "--url", live.base, "--name", name, "--password-stdin", *extra,
        input=password + "\n", cwd=live.directory,
    )  # fmt: skip


def test_login_stores_a_private_token_and_acts_as_the_user(live: LiveServer) -> None:
    user = create_user(live, "olga", ["operator"], "correct horse battery")
    done = login(live, "olga", "correct horse battery")
    assert done.returncode == 0, done.stderr
    path = credentials_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    stored = read_stored()
    assert stored is not None and stored["url"] == live.base
    token = stored["token"]
    assert token and token not in done.stdout + done.stderr
    assert "correct horse battery" not in done.stdout + done.stderr
    done = onshore("whoami", "--json", cwd=live.directory)
    assert done.returncode == 0, done.stderr
    me = json.loads(done.stdout)
    assert (me["id"], me["name"], me["roles"]) == (user["user_id"], "olga", ["operator"])
    # a case command acts as olga on the server: no --actor, and not the host administrator
    done = onshore(
        "takedowns", "receive", "--source", "authority_order", "--notice", json.dumps(NOTICE),
        "--json", cwd=live.directory,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    cid = json.loads(done.stdout)["case_id"]
    done = onshore("takedowns", "show", cid, "--json", cwd=live.directory)
    [opened] = json.loads(done.stdout)["history"]
    assert opened["actor"] in {user["user_id"], "olga"} and opened["role"] == "operator"
    assert opened["actor"] != host_principal().id
    # logout revokes the token on the server and removes the file
    done = onshore("logout", cwd=live.directory)
    assert done.returncode == 0, done.stderr
    assert not path.exists()
    done = onshore("whoami", env={ENV_URL: live.base, ENV_TOKEN: token}, cwd=live.directory)
    assert done.returncode == 1 and "error[auth.unauthenticated]" in done.stderr
    assert token not in done.stderr


def test_a_wrong_password_stores_nothing(live: LiveServer) -> None:
    create_user(live, "mai", ["auditor"], "the right one")
    done = login(live, "mai", "the wrong one")
    assert done.returncode == 1 and "error[auth.invalid_credentials]" in done.stderr
    assert "the wrong one" not in done.stderr + done.stdout
    assert not credentials_path().exists()


def test_login_asks_for_the_totp_code_when_the_server_wants_one(live: LiveServer) -> None:
    create_user(live, "binh", ["legal_reviewer"], "binh's password")
    settings = load_settings(live.directory / "onshore.toml")
    tokens = open_tokens(settings, system_clock())
    try:
        secret = Users(tokens, settings.identities).enrol_totp(host_principal(), "binh").secret
    finally:
        tokens.close()
    done = login(live, "binh", "binh's password")  # no code given, none can be asked
    assert done.returncode == 1 and "error[auth.totp_required]" in done.stderr
    code = pyotp.TOTP(secret).now()
    done = onshore(
        "login", "--url", live.base, "--name", "binh",
        input="binh's password\n" + code + "\n", cwd=live.directory,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (
        "TOTP code" in done.stdout
        and json.loads(onshore("whoami", "--json", cwd=live.directory).stdout)["name"] == "binh"
    )


@pytest.mark.parametrize("url", ["ftp://x.example", "onshore.example.vn"])
def test_login_wants_an_http_url(url: str) -> None:
    done = onshore("login", "--url", url, "--name", "x", "--password-stdin", input="p\n")
    assert done.returncode == 2 and "input.invalid" in done.stderr
