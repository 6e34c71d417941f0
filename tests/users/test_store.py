"""The user store port: one behaviour on memory, SQLite and PostgreSQL (conformance)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from onshore.adapters import open_user_store
from onshore.core.errors import UserConflict, UserNameTaken, UserNotFound
from onshore.ports import ServiceAccount, User, UserStore
from tests.users.conftest import AT


@pytest.fixture
def store(control_url: str, tmp_path: Path) -> Iterator[UserStore]:
    s = open_user_store(control_url, base=tmp_path)
    yield s
    s.close()


def _user(user_id: str, name: str, *roles: str) -> User:
    return User(user_id, name, frozenset(roles), AT, AT, password_hash="$argon2id$x")


def test_users_round_trip_and_page_by_name(store: UserStore) -> None:
    full = replace(
        _user("usr_1", "lan", "approver", "auditor"),
        display_name="Lan Nguyễn",
        email="lan@example.vn",
        totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        locked_until=AT + timedelta(seconds=30),
    )
    store.insert_user(full)
    assert store.user("usr_1") == full
    assert store.user_by_name("lan") == full
    assert store.user("usr_2") is None and store.user_by_name("Lan") is None
    for i, name in enumerate(["b", "Z", "a", "é"]):
        store.insert_user(_user(f"usr_x{i}", name, "operator"))
    names: list[str] = []
    after = None
    while page := store.users(after, 2):
        names.extend(u.name for u in page)
        after = page[-1].name
    assert names == ["Z", "a", "b", "lan", "é"]  # code-point order on every backend


def test_names_are_unique(store: UserStore) -> None:
    store.insert_user(_user("usr_1", "lan", "operator"))
    with pytest.raises(UserNameTaken):
        store.insert_user(_user("usr_2", "lan", "auditor"))
    store.insert_user(_user("usr_3", "minh", "auditor"))
    with pytest.raises(UserNameTaken):
        store.update_user(replace(_user("usr_3", "lan", "auditor")), AT)


def test_updates_are_optimistic(store: UserStore) -> None:
    store.insert_user(_user("usr_1", "lan", "operator"))
    later = AT + timedelta(minutes=1)
    changed = replace(_user("usr_1", "lan", "admin"), disabled=True, updated_at=later)
    store.update_user(changed, AT)
    got = store.user("usr_1")
    assert got is not None and got.roles == {"admin"} and got.disabled and got.updated_at == later
    with pytest.raises(UserConflict):  # read before that change: refused
        store.update_user(replace(changed, roles=frozenset({"auditor"})), AT)
    with pytest.raises(UserNotFound):
        store.update_user(_user("usr_9", "ghost", "operator"), AT)


def test_failures_lock_and_success(store: UserStore) -> None:
    store.insert_user(_user("usr_1", "lan", "operator"))
    assert [store.record_failure("usr_1") for _ in range(3)] == [1, 2, 3]
    assert store.record_failure("usr_nobody") == 0
    until = AT + timedelta(seconds=60)
    store.lock("usr_1", until)
    got = store.user("usr_1")
    assert got is not None and (got.failed_attempts, got.locked_until) == (3, until)
    assert got.updated_at == AT  # sign-in bookkeeping is not a change of the user
    store.record_success("usr_1")
    got = store.user("usr_1")
    assert got is not None and (got.failed_attempts, got.locked_until) == (0, None)


def test_update_keeps_the_sign_in_counters(store: UserStore) -> None:
    store.insert_user(_user("usr_1", "lan", "operator"))
    store.record_failure("usr_1")
    assert store.use_totp_step("usr_1", 100)
    store.update_user(replace(_user("usr_1", "lan", "auditor"), failed_attempts=0), AT)
    got = store.user("usr_1")
    assert got is not None and got.failed_attempts == 1 and got.totp_last_step == 100


def test_a_totp_step_is_accepted_once_and_never_an_older_one(store: UserStore) -> None:
    store.insert_user(_user("usr_1", "lan", "operator"))
    assert store.use_totp_step("usr_1", 1000)
    assert not store.use_totp_step("usr_1", 1000)  # replay
    assert not store.use_totp_step("usr_1", 999)  # older
    assert store.use_totp_step("usr_1", 1001)
    assert not store.use_totp_step("usr_nobody", 5)


def test_service_accounts(store: UserStore) -> None:
    account = ServiceAccount("svc_1", "ci-bot", frozenset({"operator"}), AT, AT)
    store.insert_service(account)
    assert store.service("svc_1") == account and store.service_by_name("ci-bot") == account
    with pytest.raises(UserNameTaken):
        store.insert_service(ServiceAccount("svc_2", "ci-bot", frozenset(), AT, AT))
    store.insert_user(_user("usr_1", "ci-bot", "operator"))  # users are a namespace of their own
    later = AT + timedelta(seconds=1)
    store.update_service(
        replace(account, roles=frozenset({"auditor"}), disabled=True, updated_at=later), AT
    )
    got = store.service("svc_1")
    assert got is not None and got.roles == {"auditor"} and got.disabled
    with pytest.raises(UserConflict):
        store.update_service(replace(account, updated_at=later), AT)
    store.insert_service(ServiceAccount("svc_3", "a-job", frozenset({"auditor"}), AT, AT))
    assert [s.name for s in store.services(None, 10)] == ["a-job", "ci-bot"]
    assert [s.name for s in store.services("a-job", 10)] == ["ci-bot"]


def test_generation_moves_on_every_change(store: UserStore) -> None:
    before = store.generation()
    store.insert_user(_user("usr_1", "lan", "operator"))
    after = store.generation()
    if before is None:  # PostgreSQL cannot tell cheaply
        assert after is None
        return
    assert after != before
    store.update_user(replace(_user("usr_1", "lan", "auditor")), AT)
    assert store.generation() != after
