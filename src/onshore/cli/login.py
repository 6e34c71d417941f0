"""``onshore login | logout | whoami``: sign the CLI in to a running onshore server.

``login`` exchanges a user's name and password (and a TOTP code when the server asks for
one) for a bearer token at ``POST /v1/auth/token`` and keeps the server URL and the token
in the credentials file (:mod:`onshore.cli.remote`: mode 0600, never printed). Case
commands then act as that user on the server. ``logout`` revokes the token
(``DELETE /v1/auth/token``) and removes the file; ``whoami`` asks the server who the token
belongs to (``GET /v1/auth/whoami``), or names the host administrator when no server is
configured.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from onshore.cli.console import CliConsole
from onshore.cli.host import host_principal, os_user
from onshore.cli.options import JsonOpt
from onshore.cli.remote import (
    ENV_CA_BUNDLE,
    ENV_TOKEN,
    ENV_URL,
    Credentials,
    Remote,
    configured,
    credentials_path,
    forget_credentials,
    read_stored,
    save_credentials,
)
from onshore.core.errors import AuthError, InputError, OnshoreError

console = CliConsole(markup=False, highlight=False)
err_console = CliConsole(stderr=True, markup=False, highlight=False)

#: The code the server answers with when the user has a second factor and sent no code.
TOTP_REQUIRED = "auth.totp_required"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
    else:
        password = typer.prompt("Password", hide_input=True)
    if not password:
        raise InputError("the password is empty")
    return password


def _url(url: str | None) -> str:
    found = url or os.environ.get(ENV_URL) or ((read_stored() or {}).get("url"))
    if not found:
        raise InputError(f"give the server's address: --url URL (or set {ENV_URL})")
    found = str(found).strip().rstrip("/")
    if not found.startswith(("http://", "https://")):
        raise InputError("--url must start with https:// (or http:// on the same host)")
    return found


def _describe(principal: dict[str, Any]) -> str:
    roles = ", ".join(principal.get("roles") or []) or "no role"
    return f"{principal.get('name')} ({principal.get('id')}; {roles})"


def login(
    url: Annotated[
        str | None, typer.Option("--url", help="The server, e.g. https://onshore.example.vn.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Your user name.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
    totp: Annotated[
        str | None, typer.Option("--totp", help="The current TOTP code (asked when needed).")
    ] = None,
    ca_bundle: Annotated[
        Path | None,
        typer.Option("--ca-bundle", help=f"CA bundle to verify the server (or {ENV_CA_BUNDLE})."),
    ] = None,
) -> None:
    """Sign in to an onshore server and keep its token for the next commands.

    Asks for the password (and a TOTP code when your account has one); the token goes into
    the credentials file in your config directory (mode 0600) and is never printed.
    Example: ``onshore login --url https://onshore.example.vn --name lan``
    """
    server = _url(url)
    who = name or typer.prompt("Name", default=os_user())
    body: dict[str, Any] = {"name": who, "password": _password(password_stdin)}
    if totp:
        body["totp"] = totp
    bundle = str(ca_bundle) if ca_bundle else os.environ.get(ENV_CA_BUNDLE) or None
    with Remote(Credentials(server, None, "login", bundle)) as remote:
        try:
            answer = remote.request("POST", "/v1/auth/token", body=body, authenticated=False)
        except AuthError as exc:
            if exc.code != TOTP_REQUIRED or "totp" in body or password_stdin:
                raise
            body["totp"] = typer.prompt("TOTP code")
            answer = remote.request("POST", "/v1/auth/token", body=body, authenticated=False)
    principal = dict(answer.get("principal") or {})
    expires_at = answer.get("expires_at") or (answer.get("info") or {}).get("expires_at")
    stored = {
        "url": server,
        "token": answer["token"],
        "expires_at": expires_at,
        "principal": principal,
        "ca_bundle": bundle,
    }
    path = save_credentials(stored)
    expires = expires_at or "never"
    console.print(f"logged in to {server} as {_describe(principal)}; token expires {expires}")
    console.print(f"credentials kept in {path}")


def logout() -> None:
    """Revoke the stored token on its server and remove the credentials file.

    Example: ``onshore logout``
    """
    stored = read_stored()
    if stored is None:
        console.print("not logged in (no credentials file)")
        return
    failure: OnshoreError | None = None
    if stored.get("token"):
        credentials = Credentials(
            str(stored["url"]), str(stored["token"]), "file", stored.get("ca_bundle")
        )
        with Remote(credentials) as remote:
            try:
                remote.request("DELETE", "/v1/auth/token")
            except AuthError:
                pass  # expired or revoked already: nothing left to revoke
            except OnshoreError as exc:
                failure = exc
    forget_credentials()
    if failure is not None:
        err_console.print(
            f"removed {credentials_path()}, but the server did not revoke the token "
            f"[{failure.code}]: {failure.message}"
        )
        raise typer.Exit(1)
    console.print(f"logged out of {stored['url']}")


def whoami(as_json: JsonOpt = False) -> None:
    """Who the next command acts as: the user of the token on the configured server, or
    the host administrator when no server is configured.

    Example: ``onshore whoami --json``
    """
    credentials = configured()
    if credentials is None:
        principal = host_principal().to_dict()
        where = "this host (no server configured: local commands)"
    else:
        with Remote(credentials) as remote:
            answer = remote.request("GET", "/v1/auth/whoami")
        principal = dict(answer.get("principal", answer))
        where = credentials.url
        if credentials.source == ENV_TOKEN:
            where += f" (token from {ENV_TOKEN})"
    if as_json:
        typer.echo(json.dumps(principal, ensure_ascii=False))
        return
    console.print(f"{_describe(principal)} on {where}")


def register(app: typer.Typer) -> None:
    """Attach ``onshore login``, ``logout`` and ``whoami``."""
    app.command("login")(login)
    app.command("logout")(logout)
    app.command("whoami")(whoami)
