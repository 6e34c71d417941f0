"""Where the CLI finds its server and token, and how it guards them (``onshore.cli.remote``)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from onshore.cli.remote import (
    ENV_TOKEN,
    ENV_URL,
    configured,
    credentials_path,
    read_stored,
    remote_error,
    save_credentials,
)
from onshore.core.errors import AuthError, ConfigError, Forbidden, OnshoreError
from tests.server.live import free_port
from tests.support.cli import onshore


def test_saved_credentials_are_private_and_atomic() -> None:
    path = save_credentials({"url": "https://onshore.example.vn", "token": "t0k"})
    assert path == credentials_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    assert read_stored() == {"url": "https://onshore.example.vn", "token": "t0k"}


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_credentials_file_others_may_read_is_refused(mode: int) -> None:
    path = save_credentials({"url": "https://onshore.example.vn", "token": "s3cret-token"})
    path.chmod(mode)
    with pytest.raises(ConfigError, match="readable by group or others"):
        read_stored()
    done = onshore("whoami")
    assert done.returncode == 1
    assert f"config.invalid]: the credentials file {path} is readable by group" in done.stderr
    assert "chmod 600" in done.stderr and "s3cret-token" not in done.stderr + done.stdout


def test_a_damaged_credentials_file_is_refused() -> None:
    path = save_credentials({"url": "https://onshore.example.vn"})
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="damaged"):
        read_stored()


def test_the_environment_beats_the_file() -> None:
    save_credentials({"url": "https://a.example.vn", "token": "from-file"})
    env = {ENV_URL: "https://a.example.vn/", ENV_TOKEN: "from-env"}
    got = configured(env)
    assert got is not None and (got.url, got.token, got.source) == (
        "https://a.example.vn",
        "from-env",
        ENV_TOKEN,
    )
    # ONSHORE_TOKEN alone keeps the file's server
    got = configured({ENV_TOKEN: "from-env"})
    assert got is not None and (got.url, got.token) == ("https://a.example.vn", "from-env")
    # the file's token goes only to the server that issued it
    got = configured({ENV_URL: "https://b.example.vn"})
    assert got is not None and (got.url, got.token) == ("https://b.example.vn", None)
    got = configured({})
    assert got is not None and got.token == "from-file" and "from-file" not in repr(got)


def test_nothing_configured_means_local() -> None:
    assert configured({}) is None
    with pytest.raises(ConfigError, match="ONSHORE_URL"):
        configured({ENV_TOKEN: "x"})


def test_server_errors_keep_their_code_and_family() -> None:
    err = remote_error(403, {"error": {"code": "auth.forbidden", "message": "no", "details": {}}})
    assert type(err) is Forbidden and err.message == "no"
    err = remote_error(401, {"error": {"code": "auth.totp_required", "message": "code?"}})
    assert isinstance(err, AuthError) and err.code == "auth.totp_required"
    err = remote_error(502, "<html>bad gateway</html>")
    assert type(err) is OnshoreError and "HTTP 502" in err.message


def test_connection_refused_names_the_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = onshore("requests", "list", env={ENV_URL: url, ENV_TOKEN: "x"}, cwd=tmp_path)
    assert done.returncode == 1
    assert f"error[server.unreachable]: cannot connect to the onshore server at {url}" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr


def test_a_server_url_without_a_token_asks_for_a_login(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = onshore("takedowns", "show", "takedown-1", env={ENV_URL: url}, cwd=tmp_path)
    assert done.returncode == 1
    assert f"auth.unauthenticated]: not logged in to {url}: run `onshore login`" in done.stderr


def test_whoami_without_a_server_is_the_host_administrator(tmp_path: Path) -> None:
    done = onshore("whoami", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    me = json.loads(done.stdout)
    assert me["kind"] == "host" and me["name"].startswith("host administrator (")
    assert os.environ.get("XDG_CONFIG_HOME")  # the test's own, empty config directory


def test_logout_without_the_server_still_forgets_the_token(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    path = save_credentials({"url": url, "token": "s3cret-token"})
    done = onshore("logout", cwd=tmp_path)
    assert done.returncode == 1 and not path.exists()
    assert "did not revoke the token [server.unreachable]" in done.stderr
    assert "s3cret-token" not in done.stderr + done.stdout
    assert onshore("logout", cwd=tmp_path).stdout.startswith("not logged in")
