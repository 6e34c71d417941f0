"""The CLI as a client of a running ``onshore serve``: where the server is, which token to
send, and the server's errors turned back into the CLI's.

The server and the token come from ``ONSHORE_URL`` and ``ONSHORE_TOKEN`` when set, else
from the credentials file ``onshore login`` writes in the user's config directory
(``~/.config/onshore/credentials.json`` on Linux; mode 0600 in a 0700 directory, written
atomically). A credentials file that group or others may read, or that another user owns,
is refused. ``ONSHORE_CA_BUNDLE`` (or ``onshore login --ca-bundle``) names the CA bundle
that verifies the server's certificate; TLS is always verified. No token is ever printed,
logged or put in an error message.

Example:
    >>> remote_error(403, {"error": {"code": "auth.forbidden", "message": "no"}}).code
    'auth.forbidden'
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import typer

from onshore.core.errors import (
    ConfigError,
    DeadlineExceeded,
    OnshoreError,
    ServerUnreachable,
    Unauthenticated,
    error_classes,
)

#: The server's base URL (``https://onshore.example.vn``).
ENV_URL = "ONSHORE_URL"
#: A bearer token for that server; beats the credentials file.
ENV_TOKEN = "ONSHORE_TOKEN"
#: A CA bundle (PEM file) that verifies the server's certificate.
ENV_CA_BUNDLE = "ONSHORE_CA_BUNDLE"
#: The credentials file's name in the config directory.
CREDENTIALS_FILE = "credentials.json"
#: Seconds to wait for a connection, and for each answer.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 120.0


def config_dir() -> Path:
    """The user's onshore config directory (``$XDG_CONFIG_HOME/onshore`` on Linux)."""
    return Path(typer.get_app_dir("onshore"))


def credentials_path() -> Path:
    """Where ``onshore login`` keeps the server URL and the token."""
    return config_dir() / CREDENTIALS_FILE


@dataclass(frozen=True)
class Credentials:
    """A server to talk to, the token to send (never shown) and where the token came from."""

    url: str
    token: str | None = field(default=None, repr=False)
    source: str = ENV_URL
    ca_bundle: str | None = None


def _check_private(path: Path, info: os.stat_result) -> None:
    if info.st_uid != os.getuid():
        raise ConfigError(
            f"the credentials file {path} belongs to another user; refusing to read it "
            "(remove it and run `onshore login`)"
        )
    if info.st_mode & 0o077:
        mode = oct(stat.S_IMODE(info.st_mode))[2:]
        raise ConfigError(
            f"the credentials file {path} is readable by group or others (mode {mode}); "
            f"refusing to read it: run `chmod 600 {path}` or `onshore login` again"
        )


def read_stored(path: Path | None = None) -> dict[str, Any] | None:
    """The stored credentials (None when there is no file); ``config.invalid`` when the file
    is not private to this user or is not what ``onshore login`` writes."""
    path = path or credentials_path()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read the credentials file {path} ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        _check_private(path, os.fstat(handle.fileno()))
        raw = handle.read()
    try:
        stored = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        stored = None
    if not isinstance(stored, dict) or not isinstance(stored.get("url"), str):
        raise ConfigError(f"the credentials file {path} is damaged: run `onshore login` again")
    return stored


def save_credentials(stored: Mapping[str, Any], path: Path | None = None) -> Path:
    """Write ``stored`` (url, token, ...) atomically, mode 0600, in a 0700 directory."""
    path = path or credentials_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd, tmp = tempfile.mkstemp(prefix=".credentials-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(dict(stored), handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def forget_credentials(path: Path | None = None) -> bool:
    """Remove the credentials file; True when there was one."""
    path = path or credentials_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def configured(env: Mapping[str, str] | None = None) -> Credentials | None:
    """The server the CLI should talk to, or None to work locally on the host.

    ``ONSHORE_TOKEN`` beats the file's token; the file's token is sent only to the server it
    was issued by (an ``ONSHORE_URL`` naming another server gets no token from the file).
    """
    env = os.environ if env is None else env
    url = (env.get(ENV_URL) or "").strip().rstrip("/")
    token = env.get(ENV_TOKEN) or None
    ca_bundle = env.get(ENV_CA_BUNDLE) or None
    if url and token:
        return Credentials(url, token, ENV_TOKEN, ca_bundle)
    stored = read_stored()
    if stored is None:
        if token:
            raise ConfigError(f"{ENV_TOKEN} is set but no server is: set {ENV_URL} too")
        return Credentials(url, None, ENV_URL, ca_bundle) if url else None
    stored_url = str(stored["url"]).rstrip("/")
    ca_bundle = ca_bundle or stored.get("ca_bundle")
    if token:
        return Credentials(url or stored_url, token, ENV_TOKEN, ca_bundle)
    if url and url != stored_url:
        return Credentials(url, None, ENV_URL, ca_bundle)
    return Credentials(stored_url, stored.get("token"), str(credentials_path()), ca_bundle)


_BY_CODE: dict[str, type[OnshoreError]] = {}


def _class_for(code: str) -> type[OnshoreError]:
    if not _BY_CODE:
        _BY_CODE.update({cls.code: cls for cls in error_classes()})
    prefix = code
    while prefix:
        if prefix in _BY_CODE:
            return _BY_CODE[prefix]
        prefix = prefix.rpartition(".")[0]
        if prefix and f"{prefix}.error" in _BY_CODE:
            return _BY_CODE[f"{prefix}.error"]
    return OnshoreError


def remote_error(status: int, body: Any) -> OnshoreError:
    """The CLI error for a server's error answer: the class of its code (or of the nearest
    family, e.g. ``auth.error`` for an ``auth.*`` code this CLI does not know), carrying the
    server's code, message and details as sent."""
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict) or not isinstance(err.get("code"), str):
        return OnshoreError(f"the server answered HTTP {status} without an onshore error")
    code = err["code"]
    details = err.get("details") if isinstance(err.get("details"), dict) else None
    error = _class_for(code)(str(err.get("message", "")), details=details)
    if error.code != code:
        vars(error)["code"] = code  # shown as the server sent it; exit code by family
    return error


class Remote:
    """An HTTP client for one onshore server, sending the configured bearer token.

    Example:
        >>> with Remote(Credentials("http://127.0.0.1:9")) as remote:
        ...     remote.url("/v1/auth/whoami")
        'http://127.0.0.1:9/v1/auth/whoami'
    """

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        headers = {"Accept": "application/json", "User-Agent": "onshore-cli"}
        if credentials.token:
            headers["Authorization"] = f"Bearer {credentials.token}"
        self._client = httpx.Client(
            base_url=credentials.url,
            headers=headers,
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
            verify=credentials.ca_bundle or True,
            follow_redirects=False,
        )

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return f"{self.credentials.url}{path}"

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        authenticated: bool = True,
    ) -> Any:
        """Send one request; the JSON answer (text for non-JSON), or the server's error."""
        if authenticated and not self.credentials.token:
            raise Unauthenticated(
                f"not logged in to {self.credentials.url}: run `onshore login` or set {ENV_TOKEN}"
            )
        try:
            response = self._client.request(method, path, json=body, params=params)
        except httpx.TimeoutException:
            raise DeadlineExceeded(
                f"the onshore server at {self.credentials.url} did not answer in time"
            ) from None
        except httpx.TransportError as exc:
            raise ServerUnreachable(_unreachable(self.credentials.url, exc)) from None
        if response.status_code >= 400:
            try:
                payload = response.json()
            except ValueError:
                payload = None
            raise remote_error(response.status_code, payload)
        if response.status_code == 204 or not response.content:
            return None
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.text

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> Remote:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _unreachable(url: str, exc: httpx.TransportError) -> str:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
        return (
            f"TLS verification of the onshore server at {url} failed: give its CA with "
            f"{ENV_CA_BUNDLE} or `onshore login --ca-bundle`"
        )
    if "refused" in text.lower():
        return f"cannot connect to the onshore server at {url}: connection refused"
    return f"cannot reach the onshore server at {url} ({type(exc).__name__})"


def open_remote() -> Remote | None:
    """A client for the configured server, or None when none is configured (work locally)."""
    credentials = configured()
    return Remote(credentials) if credentials else None
