"""Sessions on every control-store backend: digests at rest, idle and absolute timeouts,
sign-out, and a new secret at every sign-in."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from onshore.adapters.clock import FixedClock
from onshore.core.errors import SessionExpired, Unauthenticated
from onshore.services.runtime.sessions import open_session_store
from onshore.services.sessions import Sessions, csrf_matches, csrf_token, digest
from onshore.settings import Settings, default_config_dict

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _settings(url: str, base: Path) -> Settings:
    cfg = default_config_dict()
    cfg["deployment"]["control_store"] = url
    cfg["base_dir"] = str(base)
    return Settings.model_validate(cfg)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def clock_and_sessions(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[FixedClock, Sessions]]:
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = "sqlite:///data/control.db"
    else:
        url = request.getfixturevalue("pg_url")
    clock = FixedClock(AT)
    sessions = Sessions(open_session_store(_settings(url, tmp_path)), clock)
    yield clock, sessions
    sessions.close()


def test_start_resume_end(clock_and_sessions: tuple[FixedClock, Sessions]) -> None:
    _clock, sessions = clock_and_sessions
    started = sessions.start("usr_a", "password")
    assert started.record.session_id.startswith("ses_") and len(started.secret) >= 43
    record = sessions.resume(started.secret)
    assert (record.user_id, record.method, record.created_at) == ("usr_a", "password", AT)
    assert sessions.end(started.secret) == record
    with pytest.raises(Unauthenticated) as exc:
        sessions.resume(started.secret)
    assert exc.value.details["reason"] == "invalid"
    assert sessions.end(started.secret) is None


def test_every_sign_in_is_a_new_secret(clock_and_sessions: tuple[FixedClock, Sessions]) -> None:
    _, sessions = clock_and_sessions
    one, two = sessions.start("usr_a", "password"), sessions.start("usr_a", "password")
    assert one.secret != two.secret and one.record.session_id != two.record.session_id
    assert one.csrf_token != two.csrf_token
    assert sessions.end_user("usr_a") == 2
    for s in (one, two):
        with pytest.raises(Unauthenticated):
            sessions.resume(s.secret)


def test_idle_timeout_counts_from_the_last_request(
    clock_and_sessions: tuple[FixedClock, Sessions],
) -> None:
    clock, sessions = clock_and_sessions
    started = sessions.start("usr_a", "password")
    for _ in range(5):  # active every 29 minutes: alive for 2h25m
        clock.at += timedelta(minutes=29)
        sessions.resume(started.secret)
    clock.at += timedelta(minutes=30)
    with pytest.raises(SessionExpired) as exc:
        sessions.resume(started.secret)
    assert exc.value.details["reason"] == "idle" and exc.value.code == "auth.session_expired"
    with pytest.raises(Unauthenticated) as gone:  # deleted, not merely refused
        sessions.resume(started.secret)
    assert gone.value.code == "auth.unauthenticated"


def test_absolute_timeout_holds_however_active(
    clock_and_sessions: tuple[FixedClock, Sessions],
) -> None:
    clock, sessions = clock_and_sessions
    started = sessions.start("usr_a", "oidc")
    while clock.at - AT < timedelta(hours=11, minutes=30):
        clock.at += timedelta(minutes=20)
        sessions.resume(started.secret)
    clock.at = AT + timedelta(hours=12)
    with pytest.raises(SessionExpired) as exc:
        sessions.resume(started.secret)
    assert exc.value.details["reason"] == "absolute"


def test_sign_in_purges_ended_sessions(clock_and_sessions: tuple[FixedClock, Sessions]) -> None:
    clock, sessions = clock_and_sessions
    old = sessions.start("usr_a", "password")
    clock.at += timedelta(hours=1)
    sessions.start("usr_b", "password")
    assert sessions.store.by_digest(digest(old.secret)) is None


def test_junk_secrets_are_refused(clock_and_sessions: tuple[FixedClock, Sessions]) -> None:
    _, sessions = clock_and_sessions
    for junk in ["", "x", "a" * 500]:
        with pytest.raises(Unauthenticated):
            sessions.resume(junk)


def test_csrf_token_belongs_to_its_session() -> None:
    assert csrf_matches("secret-1", csrf_token("secret-1"))
    assert not csrf_matches("secret-1", csrf_token("secret-2"))
    assert not csrf_matches("secret-1", None) and not csrf_matches("secret-1", "")
    assert not csrf_matches("secret-1", "\udcff")


def test_only_the_digest_is_stored(tmp_path: Path) -> None:
    settings = _settings("sqlite:///data/control.db", tmp_path)
    sessions = Sessions(open_session_store(settings), FixedClock(AT))
    started = sessions.start("usr_a", "password")
    sessions.close()
    conn = sqlite3.connect(tmp_path / "data" / "control.db")
    rows = conn.execute("SELECT * FROM sessions").fetchall()
    conn.close()
    assert len(rows) == 1 and digest(started.secret) in rows[0]
    assert started.secret not in repr(rows) and started.secret.encode() not in repr(rows).encode()


def test_oidc_links_are_unique_per_subject(
    clock_and_sessions: tuple[FixedClock, Sessions],
) -> None:
    clock, sessions = clock_and_sessions
    store = sessions.store
    assert store.linked_user("https://id.example", "sub-1") is None
    assert store.link("https://id.example", "sub-1", "usr_a", clock.now())
    assert not store.link("https://id.example", "sub-1", "usr_b", clock.now())  # never moved
    assert store.link("https://other.example", "sub-1", "usr_b", clock.now())
    assert store.linked_user("https://id.example", "sub-1") == "usr_a"
    assert store.linked_user("https://other.example", "sub-1") == "usr_b"
    assert store.unlink("https://id.example", "sub-1")
    assert not store.unlink("https://id.example", "sub-1")
    assert store.linked_user("https://id.example", "sub-1") is None
