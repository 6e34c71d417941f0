"""API tokens: one behaviour on every control-store backend; hashed at rest; the CLI."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from onshore.adapters import open_token_store, open_user_store
from onshore.adapters.clock import FixedClock
from onshore.core.errors import InputError, TokenNameTaken, TokenNotFound, Unauthenticated
from onshore.services.tokens import ROLES, Tokens, digest
from tests.server.live import cli
from tests.support.cli import onshore

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def open_service(url: str, base: Path, **options: float) -> Tokens:
    """The token service over the control store at ``url`` (tokens and their owners)."""
    return Tokens(
        open_token_store(url, base=base), open_user_store(url, base=base), FixedClock(AT), **options
    )


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def tokens(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tokens]:
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = "sqlite:///data/control.db"
    else:
        url = request.getfixturevalue("pg_url")
    svc = open_service(url, tmp_path)
    yield svc
    svc.close()


def test_create_verify_revoke(tokens: Tokens) -> None:
    issued = tokens.create("ci-bot", "operator")
    assert issued.secret.startswith("onsh_") and len(issued.secret) == 48
    info = tokens.verify(issued.secret)
    assert (info.name, info.role, info.kind) == ("ci-bot", "operator", "service")
    assert issued.info.created_at == AT and info.id == issued.info.owner_id
    assert info.token_id == issued.info.token_id
    revoked = tokens.revoke("ci-bot")
    assert revoked.revoked_at == AT
    with pytest.raises(Unauthenticated) as exc:
        tokens.verify(issued.secret)
    assert exc.value.details["reason"] == "revoked"
    assert tokens.revoke(issued.info.token_id).revoked_at == AT  # idempotent, by id


def test_unknown_and_malformed_tokens(tokens: Tokens) -> None:
    issued = tokens.create("a", "admin")
    for bad in [
        "",
        "onsh_",
        issued.secret[:-1] + ("A" if issued.secret[-1] != "A" else "B"),
        "x" * 48,
        issued.secret + "x",
    ]:
        with pytest.raises(Unauthenticated):
            tokens.verify(bad)


def test_names_are_unique_and_checked(tokens: Tokens) -> None:
    tokens.create("dup", "auditor")
    with pytest.raises(TokenNameTaken):
        tokens.create("dup", "admin")
    for bad_name in ["", " x", "a" * 65, "tok_abc", "bad name"]:
        with pytest.raises(InputError):
            tokens.create(bad_name, "auditor")
    with pytest.raises(InputError):
        tokens.create("fine", "superuser")
    with pytest.raises(TokenNotFound):
        tokens.revoke("nobody")


def test_paging_by_name(tokens: Tokens) -> None:
    names = [f"t{i:02d}" for i in range(7)]
    for i, name in enumerate(reversed(names)):
        tokens.create(name, ROLES[i % len(ROLES)])
    seen: list[str] = []
    after: str | None = None
    while page := tokens.page(after, 3):
        seen.extend(t.name for t in page)
        after = page[-1].name
    assert seen == names


def test_cached_verification_honours_revocation_at_once(tokens: Tokens) -> None:
    issued = tokens.create("cache-me", "operator")
    other = tokens.create("other", "auditor")
    assert tokens.cached(issued.secret) is None  # never verified yet
    assert tokens.verify(issued.secret).name == "cache-me"
    hit = tokens.cached(issued.secret)
    if tokens.generation() is None:  # PostgreSQL: nothing is cached
        assert hit is None
    else:
        assert hit is not None and hit.name == "cache-me"
    tokens.revoke("cache-me")
    assert tokens.cached(issued.secret) is None
    with pytest.raises(Unauthenticated) as exc:
        tokens.verify(issued.secret)
    assert exc.value.details["reason"] == "revoked"
    assert tokens.verify(other.secret).role == "auditor"
    assert tokens.cached("onsh_" + "A" * 43) is None


def test_a_revocation_by_another_process_reaches_the_cache(tmp_path: Path) -> None:
    """Two connections to one SQLite control store, as ``onshore serve`` and
    ``onshore token revoke`` have: the server's cache drops the token on its next check."""
    server = open_service("sqlite:///data/control.db", tmp_path)
    cli_side = open_service("sqlite:///data/control.db", tmp_path)
    try:
        issued = cli_side.create("ci", "operator")
        assert server.verify(issued.secret).name == "ci"
        assert server.cached(issued.secret) is not None
        cli_side.create("unrelated", "auditor")  # any change drops the cached entries
        assert server.cached(issued.secret) is None
        assert server.verify(issued.secret).name == "ci"
        cli_side.revoke("ci")
        assert server.cached(issued.secret) is None
        with pytest.raises(Unauthenticated):
            server.verify(issued.secret)
    finally:
        server.close()
        cli_side.close()


def test_cache_can_be_switched_off(tmp_path: Path) -> None:
    svc = open_service("sqlite:///data/control.db", tmp_path, cache_seconds=0)
    issued = svc.create("ci", "operator")
    assert svc.verify(issued.secret).name == "ci"
    assert svc.cached(issued.secret) is None
    svc.close()


def test_sqlite_store_keeps_only_digests(tmp_path: Path) -> None:
    svc = open_service("sqlite:///data/control.db", tmp_path)
    issued = svc.create("ci", "operator")
    svc.close()
    path = tmp_path / "data" / "control.db"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    blob = b"".join(p.read_bytes() for p in path.parent.glob("control.db*"))
    assert issued.secret.encode() not in blob
    assert issued.secret[5:].encode() not in blob
    assert digest(issued.secret) in blob


def test_region_databases_hold_no_tokens(tmp_path: Path) -> None:
    cli("init", "--dir", str(tmp_path), cwd=tmp_path)
    out = cli("token", "create", "--role", "admin", "--name", "root", "--json", cwd=tmp_path)
    secret = json.loads(out.stdout)["token"]
    d = digest(secret)
    for db in (tmp_path / "data").glob("*.db*"):
        if not db.name.startswith("control"):
            assert d not in db.read_bytes(), db.name


def test_cli_create_list_revoke(tmp_path: Path) -> None:
    cli("init", "--dir", str(tmp_path), cwd=tmp_path)
    out = cli("token", "create", "--role", "auditor", "--name", "aud", "--json", cwd=tmp_path)
    body = json.loads(out.stdout)
    assert body["token"].startswith("onsh_") and body["role"] == "auditor"
    plain = cli("token", "create", "--role", "operator", "--name", "op", cwd=tmp_path)
    assert plain.stdout.strip().startswith("onsh_")
    listed = json.loads(cli("token", "list", "--json", cwd=tmp_path).stdout)
    assert [t["name"] for t in listed] == ["aud", "op"]
    assert body["token"] not in json.dumps(listed)
    cli("token", "revoke", "aud", cwd=tmp_path)
    listed = json.loads(cli("token", "list", "--json", cwd=tmp_path).stdout)
    assert listed[0]["revoked_at"] is not None and listed[1]["revoked_at"] is None


def test_cli_errors_have_exit_codes(tmp_path: Path) -> None:
    cli("init", "--dir", str(tmp_path), cwd=tmp_path)
    bad_role = onshore("token", "create", "--role", "root", "--name", "x", cwd=tmp_path)
    assert bad_role.returncode == 2 and "unknown role" in bad_role.stderr
    missing = onshore("token", "revoke", "ghost", cwd=tmp_path)
    assert missing.returncode == 1 and "no token with that name" in missing.stderr
