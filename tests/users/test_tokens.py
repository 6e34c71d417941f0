"""Tokens belong to owners: roles never beyond the owner's, effective roles cut to what the
owner still holds, expiry, disabled owners, service accounts, login and logout, and a
change made by another process reaching the verified-token cache at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from onshore.adapters.clock import FixedClock
from onshore.core.errors import (
    InputError,
    OwnerDisabled,
    RoleRevoked,
    TokenExpired,
    TokenNameTaken,
    Unauthenticated,
)
from onshore.core.ledger import EventType, LedgerEvent
from onshore.services.users import Users
from tests.users.conftest import ADMIN, AT, FAST, PASSWORD, open_users


def test_login_gives_an_expiring_token_with_the_users_roles(
    users: Users, clock: FixedClock
) -> None:
    made = users.create(ADMIN, "lan", ["legal_reviewer", "operator"], password=PASSWORD)
    issued = users.login("lan", PASSWORD)
    assert issued.info.owner_id == made.user_id and issued.info.roles == made.roles
    assert issued.info.expires_at == AT + timedelta(seconds=FAST.login_token_ttl_seconds)
    p = users.tokens.verify(issued.secret)
    assert (p.kind, p.id, p.roles, p.token_id) == (
        "user", made.user_id, made.roles, issued.info.token_id
    )  # fmt: skip
    clock.at = issued.info.expires_at
    with pytest.raises(TokenExpired) as expired:
        users.tokens.verify(issued.secret)
    assert expired.value.code == "auth.token_expired"
    assert users.tokens.cached(issued.secret) is None


def test_login_ttl_is_bounded(users: Users) -> None:
    users.create(ADMIN, "lan", ["operator"], password=PASSWORD)
    short = users.login("lan", PASSWORD, ttl_seconds=60)
    assert short.info.expires_at == AT + timedelta(seconds=60)
    longest = FAST.login_token_max_ttl_seconds
    capped = users.login("lan", PASSWORD, ttl_seconds=10 * longest)
    assert capped.info.expires_at == AT + timedelta(seconds=longest)
    for bad in (0, -1):
        with pytest.raises(InputError):
            users.login("lan", PASSWORD, ttl_seconds=bad)


def test_a_token_never_carries_a_role_its_owner_lacks(users: Users) -> None:
    lan = users.create(ADMIN, "lan", ["operator"], password=PASSWORD)
    with pytest.raises(InputError):
        users.tokens.issue(lan, "lan-admin", frozenset({"operator", "admin"}))
    with pytest.raises(InputError):
        users.tokens.issue(lan, "lan-none", frozenset())
    users.disable(ADMIN, "lan")
    with pytest.raises(InputError):
        users.tokens.issue(users.get("lan"), "lan-op", frozenset({"operator"}))


def test_a_role_the_owner_lost_is_cut_and_none_left_is_403(users: Users) -> None:
    users.create(ADMIN, "lan", ["operator", "auditor"], password=PASSWORD)
    secret = users.login("lan", PASSWORD).secret
    assert users.tokens.verify(secret).roles == {"operator", "auditor"}
    users.change_roles(ADMIN, "lan", remove=["operator"])
    assert users.tokens.verify(secret).roles == {"auditor"}  # the next check, not in 30 s
    users.change_roles(ADMIN, "lan", add=["operator"])  # given back: a token has what it had
    assert users.tokens.verify(secret).roles == {"operator", "auditor"}
    users.change_roles(ADMIN, "lan", add=["admin"])  # never more than the token carried
    assert users.tokens.verify(secret).roles == {"operator", "auditor"}
    users.set_roles(ADMIN, "lan", ["admin"])
    with pytest.raises(RoleRevoked) as revoked:
        users.tokens.verify(secret)
    assert revoked.value.code == "auth.role_revoked"


def test_a_disabled_owner_stops_its_tokens_at_once(users: Users) -> None:
    users.create(ADMIN, "lan", ["operator"], password=PASSWORD)
    secret = users.login("lan", PASSWORD).secret
    assert users.tokens.verify(secret).name == "lan"
    users.disable(ADMIN, "lan")
    with pytest.raises(OwnerDisabled) as err:
        users.tokens.verify(secret)
    assert err.value.code == "auth.owner_disabled"
    users.enable(ADMIN, "lan")
    assert users.tokens.verify(secret).name == "lan"


def test_logout_revokes_the_calling_token_only(users: Users) -> None:
    users.create(ADMIN, "lan", ["operator"], password=PASSWORD)
    one, two = users.login("lan", PASSWORD).secret, users.login("lan", PASSWORD).secret
    users.logout(users.tokens.verify(one))
    with pytest.raises(Unauthenticated) as err:
        users.tokens.verify(one)
    assert err.value.details["reason"] == "revoked"
    assert users.tokens.verify(two).name == "lan"


def test_service_account_tokens(users: Users, events: list[LedgerEvent]) -> None:
    first = users.service_token(ADMIN, "ci-bot", "operator")
    p = users.tokens.verify(first.secret)
    assert (p.kind, p.name, p.roles) == ("service", "ci-bot", {"operator"})
    assert p.id.startswith("svc_") and first.info.expires_at is None
    [account] = users.services()
    assert (account.account_id, account.roles) == (p.id, {"operator"})
    with pytest.raises(TokenNameTaken):
        users.service_token(ADMIN, "ci-bot", "auditor")
    assert users.services()[0].roles == {"operator"}  # nothing changed by a refused create
    made = [e for e in events if e.type is EventType.IDENTITY_CHANGED]
    assert len(made) == 1 and made[0].actor == ADMIN.id
    assert made[0].payload["kind"] == "service_account"
    assert made[0].payload["transition"] == "created"


def test_user_changes_are_journaled_without_secrets(
    users: Users, events: list[LedgerEvent]
) -> None:
    lan = users.create(ADMIN, "lan", ["operator"], password=PASSWORD, email="lan@example.vn")
    users.change_roles(ADMIN, "lan", add=["approver"])
    users.set_password(ADMIN, "lan", PASSWORD + " 2")
    enrolment = users.enrol_totp(ADMIN, "lan")
    users.disable(ADMIN, "lan")
    users.enable(ADMIN, "lan")
    users.disable(ADMIN, "lan")
    users.disable(ADMIN, "lan")  # no change, no event
    assert [e.payload["transition"] for e in events] == [
        "created", "roles_changed", "password_set", "totp_enrolled", "disabled", "enabled",
        "disabled",
    ]  # fmt: skip
    for e in events:
        assert e.actor == ADMIN.id and e.region == "vn-hcm"
        assert e.payload["refs"] == {"account": lan.user_id}
        text = repr(e)
        for secret in (PASSWORD, enrolment.secret, "lan@example.vn", "argon2"):
            assert secret not in text


def test_two_processes_share_one_sqlite_control_store(tmp_path: Path, clock: FixedClock) -> None:
    """The server caches verified tokens; a role change or disable made by another process
    (``onshore users ...``) reaches it on the next request."""
    url = "sqlite:///data/control.db"
    server, cli = open_users(url, tmp_path, clock), open_users(url, tmp_path, clock)
    try:
        cli.create(ADMIN, "lan", ["operator", "auditor"], password=PASSWORD)
        secret = server.login("lan", PASSWORD).secret
        assert server.tokens.verify(secret).roles == {"operator", "auditor"}
        assert server.tokens.cached(secret) is not None
        cli.change_roles(ADMIN, "lan", remove=["operator"])
        assert server.tokens.cached(secret) is None
        assert server.tokens.verify(secret).roles == {"auditor"}
        cli.disable(ADMIN, "lan")
        assert server.tokens.cached(secret) is None
        with pytest.raises(OwnerDisabled):
            server.tokens.verify(secret)
    finally:
        server.tokens.close()
        cli.tokens.close()


def test_current_reads_the_user_as_now(users: Users) -> None:
    lan = users.create(ADMIN, "lan", ["operator"], password=PASSWORD)
    p = users.current(lan.user_id, session_id="ses_1")
    assert (p.via, p.session_id, p.roles) == ("session", "ses_1", {"operator"})
    users.set_roles(ADMIN, "lan", [])
    with pytest.raises(RoleRevoked):
        users.current(lan.user_id)
    users.disable(ADMIN, "lan")
    with pytest.raises(OwnerDisabled):
        users.current(lan.user_id)
    with pytest.raises(Unauthenticated):
        users.current("usr_nobody")


def test_service_account_roles_and_state_reach_its_tokens(
    users: Users, events: list[LedgerEvent]
) -> None:
    secret = users.service_token(ADMIN, "ci-bot", "operator").secret
    users.change_service(ADMIN, "ci-bot", add=["auditor"])
    assert users.tokens.verify(secret).roles == {"operator"}  # not more than it carried
    users.change_service(ADMIN, "ci-bot", remove=["operator"])
    with pytest.raises(RoleRevoked):
        users.tokens.verify(secret)
    users.change_service(ADMIN, "ci-bot", add=["operator"], disabled=True)
    with pytest.raises(OwnerDisabled):
        users.tokens.verify(secret)
    users.change_service(ADMIN, users.service("ci-bot").account_id, disabled=False)
    assert users.tokens.verify(secret).kind == "service"
    assert [e.payload["transition"] for e in events] == [
        "created", "roles_changed", "roles_changed", "roles_changed", "disabled", "enabled"
    ]  # fmt: skip
