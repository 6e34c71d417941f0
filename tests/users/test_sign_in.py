"""Signing in: wrong and unknown are one error, lockout with backoff (logged without the
password), TOTP required / invalid / replayed, disabled users, re-hashing."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest

from onshore.adapters.clock import FixedClock
from onshore.core.errors import (
    AccountLocked,
    InputError,
    InvalidCredentials,
    TotpInvalid,
    TotpRequired,
    UserDisabled,
)
from onshore.services.users import Users
from onshore.settings.identities import IdentitySettings
from tests.users.conftest import ADMIN, FAST, PASSWORD, open_users


def test_right_password_signs_in(users: Users) -> None:
    made = users.create(ADMIN, "lan", ["legal_reviewer", "operator"], password=PASSWORD)
    p = users.authenticate("lan", PASSWORD)
    assert (p.kind, p.id, p.name, p.roles) == ("user", made.user_id, "lan", made.roles)
    assert p.token_id is None


def test_wrong_password_and_unknown_user_are_the_same_error(users: Users) -> None:
    users.create(ADMIN, "lan", ["operator"], password=PASSWORD)
    with pytest.raises(InvalidCredentials) as wrong:
        users.authenticate("lan", PASSWORD + "!")
    with pytest.raises(InvalidCredentials) as unknown:
        users.authenticate("nobody", PASSWORD)
    assert wrong.value.to_dict() == unknown.value.to_dict()
    assert wrong.value.code == "auth.invalid_credentials"
    users.create(ADMIN, "nopass", ["operator"])
    with pytest.raises(InvalidCredentials):  # a user without a password cannot sign in
        users.authenticate("nopass", "")


def test_repeated_failures_lock_with_growing_backoff(
    users: Users, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    users.create(ADMIN, "lan", ["operator"], password=PASSWORD)
    caplog.set_level(logging.INFO, logger="onshore.identity")
    for _ in range(FAST.lockout_threshold):
        with pytest.raises(InvalidCredentials):
            users.authenticate("lan", "guess-" + PASSWORD)
    with pytest.raises(AccountLocked) as locked:  # even the right password, while locked
        users.authenticate("lan", PASSWORD)
    assert locked.value.code == "auth.locked"
    assert locked.value.details["retry_after"] == FAST.lockout_base_seconds
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "sign-in failed" in logged and "failures" in logged
    assert PASSWORD not in logged and "guess-" not in logged
    clock.at += timedelta(seconds=FAST.lockout_base_seconds)  # the lock is over
    with pytest.raises(InvalidCredentials):
        users.authenticate("lan", "wrong again")
    with pytest.raises(AccountLocked) as longer:  # the next failure locks twice as long
        users.authenticate("lan", PASSWORD)
    assert longer.value.details["retry_after"] == 2 * FAST.lockout_base_seconds
    clock.at += timedelta(minutes=30)
    assert users.authenticate("lan", PASSWORD).name == "lan"  # success clears the count
    with pytest.raises(InvalidCredentials):
        users.authenticate("lan", "one slip")
    assert users.get("lan").failed_attempts == 1 and users.get("lan").locked_until is None


def test_the_lock_never_exceeds_its_maximum(tmp_path: Path, clock: FixedClock) -> None:
    settings = FAST.model_copy(update={"lockout_threshold": 1, "lockout_max_seconds": 45})
    users = open_users("memory://", tmp_path, clock, settings=settings)
    users.create(ADMIN, "lan", ["operator"], password=PASSWORD)
    for _ in range(6):
        with pytest.raises(InvalidCredentials):
            users.authenticate("lan", "nope nope")
        with pytest.raises(AccountLocked) as locked:
            users.authenticate("lan", PASSWORD)
        assert locked.value.details["retry_after"] <= 45
        clock.at += timedelta(seconds=locked.value.details["retry_after"])
    assert locked.value.details["retry_after"] == 45


def test_disabled_user_is_told_only_after_the_right_password(users: Users) -> None:
    users.create(ADMIN, "lan", ["operator"], password=PASSWORD)
    users.disable(ADMIN, "lan")
    with pytest.raises(InvalidCredentials):
        users.authenticate("lan", "not the password")
    with pytest.raises(UserDisabled) as err:
        users.authenticate("lan", PASSWORD)
    assert err.value.code == "auth.user_disabled"
    users.enable(ADMIN, "lan")
    assert users.authenticate("lan", PASSWORD).name == "lan"


def test_totp_required_invalid_and_replayed(users: Users, clock: FixedClock) -> None:
    users.create(ADMIN, "lan", ["approver"], password=PASSWORD)
    enrolment = users.enrol_totp(ADMIN, "lan")
    assert enrolment.uri.startswith("otpauth://totp/") and enrolment.secret in enrolment.uri
    totp = pyotp.TOTP(enrolment.secret)
    with pytest.raises(TotpRequired) as required:
        users.authenticate("lan", PASSWORD)
    assert required.value.code == "auth.totp_required"
    code = totp.at(clock.now())
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(TotpInvalid):
        users.authenticate("lan", PASSWORD, wrong)
    with pytest.raises(InvalidCredentials):  # the right code with a wrong password: no use,
        users.authenticate("lan", "bad password", code)  # and the code is not spent
    assert users.authenticate("lan", PASSWORD, code).name == "lan"
    with pytest.raises(TotpInvalid) as replay:
        users.authenticate("lan", PASSWORD, code)
    assert replay.value.code == "auth.totp_invalid"
    previous = totp.at(clock.now() - timedelta(seconds=30))  # an older step: refused too
    with pytest.raises(TotpInvalid):
        users.authenticate("lan", PASSWORD, previous)
    clock.at += timedelta(seconds=30)  # the next step's code works once, with drift of one step
    assert users.authenticate("lan", PASSWORD, totp.at(clock.now() + timedelta(seconds=30)))
    clock.at += timedelta(minutes=5)
    stale = totp.at(clock.now() - timedelta(seconds=90))
    with pytest.raises(TotpInvalid):  # outside the window
        users.authenticate("lan", PASSWORD, stale)


def test_wrong_totp_codes_count_towards_the_lock(users: Users, clock: FixedClock) -> None:
    users.create(ADMIN, "lan", ["approver"], password=PASSWORD)
    users.enrol_totp(ADMIN, "lan")
    for _ in range(FAST.lockout_threshold):
        with pytest.raises(TotpInvalid):
            users.authenticate("lan", PASSWORD, "000000x")
    with pytest.raises(AccountLocked):
        users.authenticate("lan", PASSWORD, "123456")


def test_removing_totp_signs_in_with_the_password_alone(users: Users) -> None:
    users.create(ADMIN, "lan", ["approver"], password=PASSWORD)
    users.enrol_totp(ADMIN, "lan")
    assert users.get("lan").has_totp
    users.remove_totp(ADMIN, "lan")
    assert users.authenticate("lan", PASSWORD).name == "lan"


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(
    tmp_path: Path, clock: FixedClock
) -> None:
    url = "sqlite:///data/control.db"
    old = open_users(url, tmp_path, clock)
    old.create(ADMIN, "lan", ["operator"], password=PASSWORD)
    before = old.get("lan").password_hash
    old.tokens.close()
    stronger = FAST.model_copy(update={"argon2_time_cost": 2, "argon2_memory_kib": 16})
    new = open_users(url, tmp_path, clock, settings=stronger)
    try:
        assert new.authenticate("lan", PASSWORD).name == "lan"
        after = new.get("lan").password_hash
        assert after != before and after is not None and "m=16,t=2" in after
        assert before is not None and "m=8,t=1" in before
        assert new.authenticate("lan", PASSWORD).name == "lan"
    finally:
        new.tokens.close()


def test_password_rules_and_no_password_in_errors(users: Users) -> None:
    with pytest.raises(InputError) as short:
        users.create(ADMIN, "lan", ["operator"], password="short")
    assert "short" not in str(short.value.to_dict())
    with pytest.raises(InputError):
        users.create(ADMIN, "lan", ["operator"], password="x" * 2000)
    assert users.page() == []


def test_the_default_parameters_are_argon2id_with_64_mib() -> None:
    from onshore.services.passwords import Passwords

    stored = Passwords.from_settings(IdentitySettings()).hash("a long enough passphrase")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
