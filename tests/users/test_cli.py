"""``onshore users`` and ``onshore token create`` run as the host administrator: passwords
from a prompt or stdin (never an argument), changes on the ledger with the OS user as actor."""

from __future__ import annotations

import getpass
import json
import subprocess
from pathlib import Path

import pyotp
import pytest

from onshore.adapters.clock import SystemClock
from onshore.core.errors import OwnerDisabled
from onshore.services.runtime import open_runtime, open_tokens
from onshore.services.users import Users
from onshore.settings import load_settings
from tests.support.cli import onshore
from tests.users.conftest import PASSWORD

FAST = {
    "ONSHORE_IDENTITIES__ARGON2_TIME_COST": "1",
    "ONSHORE_IDENTITIES__ARGON2_MEMORY_KIB": "8",
    "ONSHORE_IDENTITIES__ARGON2_PARALLELISM": "1",
}


def run(cwd: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return onshore(*args, cwd=cwd, env=FAST, input=input)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    assert onshore("init", "--dir", str(tmp_path), cwd=tmp_path).returncode == 0
    return tmp_path


def _users(home: Path) -> Users:
    settings = load_settings(home / "onshore.toml")
    return Users(open_tokens(settings, SystemClock()), settings.identities)


def test_create_list_roles_disable_enable(home: Path) -> None:
    made = run(home, "users", "create", "lan", "--role", "legal_reviewer", "--role", "operator",
               "--email", "lan@example.vn", "--password-stdin", input=PASSWORD + "\n")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "usr_" in made.stdout and PASSWORD not in made.stdout + made.stderr
    listed = json.loads(run(home, "users", "list", "--json").stdout)
    assert [(u["name"], u["roles"], u["email"]) for u in listed] == [
        ("lan", ["legal_reviewer", "operator"], "lan@example.vn")
    ]
    assert "argon2" not in json.dumps(listed)
    roles = run(home, "users", "roles", "lan", "--add", "approver", "--remove", "operator")
    assert roles.stdout.split() == ["approver", "legal_reviewer"]
    assert run(home, "users", "roles", "lan").stdout.split() == ["approver", "legal_reviewer"]
    assert run(home, "users", "disable", "lan").returncode == 0
    assert json.loads(run(home, "users", "list", "--json").stdout)[0]["disabled"] is True
    assert run(home, "users", "enable", "lan").returncode == 0
    users = _users(home)
    try:
        assert users.authenticate("lan", PASSWORD).roles == {"approver", "legal_reviewer"}
    finally:
        users.tokens.close()


def test_the_password_is_prompted_twice_and_never_an_argument(home: Path) -> None:
    typed = run(home, "users", "create", "minh", "--role", "auditor",
                input=f"{PASSWORD}\n{PASSWORD}\n")  # fmt: skip
    assert typed.returncode == 0, typed.stderr
    mismatch = run(home, "users", "password", "minh", input=f"{PASSWORD}\nother one here\n")
    assert mismatch.returncode != 0
    refused = run(home, "users", "create", "x", "--role", "auditor", "--password", PASSWORD)
    assert refused.returncode == 2  # no such option
    changed = run(home, "users", "password", "minh", "--password-stdin",
                  input="a brand new passphrase\n")  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    users = _users(home)
    try:
        assert users.authenticate("minh", "a brand new passphrase").name == "minh"
    finally:
        users.tokens.close()


def test_totp_enrolment_prints_the_uri_once(home: Path) -> None:
    run(home, "users", "create", "lan", "--role", "approver", "--password-stdin",
        input=PASSWORD + "\n")  # fmt: skip
    out = run(home, "users", "totp", "lan")
    assert out.returncode == 0, out.stderr
    uri = next(line for line in out.stdout.splitlines() if line.startswith("otpauth://"))
    secret = next(line for line in out.stdout.splitlines() if line.startswith("secret: "))[8:]
    assert pyotp.parse_uri(uri).secret == secret
    assert secret not in run(home, "users", "list", "--json").stdout
    users = _users(home)
    try:
        assert users.authenticate("lan", PASSWORD, pyotp.TOTP(secret).now()).name == "lan"
    finally:
        users.tokens.close()


def test_errors_are_typed_with_exit_codes(home: Path) -> None:
    run(home, "users", "create", "lan", "--role", "approver", "--password-stdin",
        input=PASSWORD + "\n")  # fmt: skip
    taken = run(home, "users", "create", "lan", "--role", "approver", "--password-stdin",
                input=PASSWORD + "\n")  # fmt: skip
    assert taken.returncode == 2 and "user.name_taken" in taken.stderr
    bad_role = run(home, "users", "create", "x", "--role", "root", "--password-stdin",
                   input=PASSWORD + "\n")  # fmt: skip
    assert bad_role.returncode == 2 and "unknown role" in bad_role.stderr
    short = run(home, "users", "create", "y", "--role", "auditor", "--password-stdin",
                input="short\n")  # fmt: skip
    assert short.returncode == 2 and "short" not in short.stderr
    missing = run(home, "users", "disable", "ghost")
    assert missing.returncode == 1 and "user.not_found" in missing.stderr


def test_token_create_makes_a_service_account_token(home: Path) -> None:
    out = run(home, "token", "create", "--role", "operator", "--name", "ci-bot", "--json")
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["owner_id"].startswith("svc_") and body["role"] == "operator"
    settings = load_settings(home / "onshore.toml")
    tokens = open_tokens(settings, SystemClock())
    try:
        p = tokens.verify(body["token"])
        assert (p.kind, p.id, p.name, p.roles) == ("service", body["owner_id"], "ci-bot",
                                                    {"operator"})  # fmt: skip
        assert run(home, "users", "disable", "ci-bot", "--service").returncode == 0
        with pytest.raises(OwnerDisabled):
            tokens.verify(body["token"])
        listed = json.loads(run(home, "users", "list", "--services", "--json").stdout)
        assert [(a["name"], a["roles"], a["disabled"]) for a in listed] == [
            ("ci-bot", ["operator"], True)
        ]
        roles = run(home, "users", "roles", "ci-bot", "--service", "--add", "auditor")
        assert roles.stdout.split() == ["auditor", "operator"]
    finally:
        tokens.close()


def test_changes_are_on_the_ledger_with_the_host_administrator(home: Path) -> None:
    settings = load_settings(home / "onshore.toml")
    region = settings.deployment.default_region
    rt = open_runtime(settings)
    try:
        before = rt.region(region).db.ledger.size()
    finally:
        rt.close()
    run(home, "users", "create", "lan", "--role", "approver", "--password-stdin",
        input=PASSWORD + "\n")  # fmt: skip
    run(home, "users", "disable", "lan")
    run(home, "token", "create", "--role", "auditor", "--name", "ci-bot")
    run(home, "users", "list")  # reading changes nothing
    from onshore.core.ledger import EventType
    from onshore.core.ledger.leaf import LeafEncoder, decode_leaf

    rt = open_runtime(settings)
    try:
        r = rt.region(region)
        rows = r.db.ledger.leaves(before, before + 10)
        key = r.keys.current("ledger-hmac")
    finally:
        rt.close()
    leaves = [decode_leaf(entry) for _, entry, _ in rows]
    assert [leaf.type for leaf in leaves] == [EventType.IDENTITY_CHANGED] * 3
    actor = LeafEncoder(key.material, key.version).ref("actor", f"host:{getpass.getuser()}")
    assert all(leaf.actor_ref == actor for leaf in leaves)
