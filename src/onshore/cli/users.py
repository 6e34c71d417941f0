"""``onshore users``: people who sign in, managed on the host (create, list, disable,
enable, roles, password, TOTP).

These are host administrator commands: they open the control store directly, and every
change is written to the default region's ledger with the host administrator (and the OS
user) as the actor. A password is read from a prompt (typed twice) or with
``--password-stdin``, never from an argument (arguments show in ``ps`` and shell history).
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from onshore.cli.console import CliConsole
from onshore.cli.options import ConfigOpt, JsonOpt

if TYPE_CHECKING:
    from onshore.core.identity import Principal
    from onshore.ports import ServiceAccount
    from onshore.services.users import Users

console = CliConsole()
users_app = typer.Typer(
    help="Users who sign in: create, list, disable, enable, roles, password, TOTP.",
    no_args_is_help=True,
)

_ROLE_HELP = "A role to hold (repeatable): operator, legal_reviewer, approver, auditor, admin."
NameArg = Annotated[str, typer.Argument(help="The user's name (or usr_ id).")]
ServiceOpt = Annotated[
    bool, typer.Option("--service", help="NAME is a service account (onshore token create).")
]
StdinOpt = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]


def actor() -> Principal:
    """The host administrator running this command (recorded as the actor)."""
    from onshore.core.identity import host_administrator

    return host_administrator(getpass.getuser())


@contextmanager
def open_users(config: Path | None, *, journal: bool = True) -> Iterator[Users]:
    """The user service over the control store of ``config``; with ``journal`` its changes
    go to the default region's ledger (the regions are opened for that)."""
    from onshore.services.runtime import open_runtime, open_tokens, system_clock
    from onshore.services.users import Users, ledger_journal
    from onshore.settings import load_settings

    settings = load_settings(config)
    runtime = open_runtime(settings) if journal else None
    try:
        tokens = open_tokens(settings, runtime.clock if runtime else system_clock())
        try:
            yield Users(
                tokens,
                settings.identities,
                journal=ledger_journal(runtime) if runtime else None,
                region=settings.deployment.default_region,
            )
        finally:
            tokens.close()
    finally:
        if runtime is not None:
            runtime.close()


def read_password(from_stdin: bool) -> str:
    """A new password: the first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _print_enrolment(name: str, uri: str, secret: str) -> None:
    console.print(
        f"TOTP for {name}: add it to an authenticator app now (shown this once).",
        highlight=False,
    )
    typer.echo(uri)
    typer.echo(f"secret: {secret}")


@users_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="A unique name: 1-64 letters, digits, _ . -.")],
    role: Annotated[list[str], typer.Option("--role", help=_ROLE_HELP)],
    email: Annotated[str | None, typer.Option("--email", help="Contact address.")] = None,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="The name shown to people.")
    ] = None,
    totp: Annotated[
        bool, typer.Option("--totp", help="Enrol a TOTP second factor (printed once).")
    ] = False,
    password_stdin: StdinOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Create a user holding one or more roles; asks for the password.

    Example: ``onshore users create lan --role legal_reviewer --email lan@example.vn``
    """
    password = read_password(password_stdin)
    with open_users(config) as users:
        user = users.create(
            actor(), name, role, password=password, display_name=display_name, email=email
        )
        enrolment = users.enrol_totp(actor(), user.user_id) if totp else None
    console.print(
        f"created {user.user_id} ({user.name}: {', '.join(sorted(user.roles))})", highlight=False
    )
    if enrolment is not None:
        _print_enrolment(user.name, enrolment.uri, enrolment.secret)


@users_app.command("list")
def list_users(
    as_json: JsonOpt = False,
    services: Annotated[
        bool, typer.Option("--services", help="List the service accounts instead.")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """List users (never a password hash or TOTP secret), or the service accounts.

    Example: ``onshore users list --json``
    """
    with open_users(config, journal=False) as users:
        if services:
            accounts = users.services(None, 100_000)
        else:
            found, after = [], None
            while page := users.page(after, 500):
                found.extend(page)
                after = page[-1].name
    if services:
        _print_services(accounts, as_json)
        return
    if as_json:
        typer.echo(json.dumps([u.to_dict() for u in found]))
        return
    table = Table("id", "name", "roles", "state", "totp", "email")
    for u in found:
        state = "disabled" if u.disabled else ("locked" if u.locked_until else "active")
        table.add_row(
            u.user_id,
            u.name,
            " ".join(sorted(u.roles)),
            state,
            "yes" if u.has_totp else "",
            u.email or "",
        )
    console.print(table)


def _print_services(accounts: list[ServiceAccount], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([a.to_dict() for a in accounts]))
        return
    table = Table("id", "name", "roles", "state")
    for a in accounts:
        state = "disabled" if a.disabled else "active"
        table.add_row(a.account_id, a.name, " ".join(sorted(a.roles)), state)
    console.print(table)


def _set_disabled(name: str, service: bool, config: Path | None, disabled: bool) -> None:
    """Disable or enable a user or service account, and say which."""
    done = "disabled" if disabled else "enabled"
    with open_users(config) as users:
        if service:
            account = users.change_service(actor(), name, disabled=disabled)
            console.print(f"{done} {account.account_id} ({account.name})", highlight=False)
            return
        user = users.disable(actor(), name) if disabled else users.enable(actor(), name)
    console.print(f"{done} {user.user_id} ({user.name})", highlight=False)


@users_app.command("disable")
def disable(name: NameArg, service: ServiceOpt = False, config: ConfigOpt = None) -> None:
    """Disable a user (or a service account): no sign-in, and their tokens stop working at once.

    Example: ``onshore users disable lan``
    """
    _set_disabled(name, service, config, disabled=True)


@users_app.command("enable")
def enable(name: NameArg, service: ServiceOpt = False, config: ConfigOpt = None) -> None:
    """Enable a disabled user (or service account) again.

    Example: ``onshore users enable lan``
    """
    _set_disabled(name, service, config, disabled=False)


@users_app.command("roles")
def roles(
    name: NameArg,
    add: Annotated[list[str] | None, typer.Option("--add", help="A role to give.")] = None,
    remove: Annotated[list[str] | None, typer.Option("--remove", help="A role to take.")] = None,
    service: ServiceOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Show a user's roles, or add and remove some; their tokens lose a removed role at once.

    Example: ``onshore users roles lan --add approver --remove operator``
    """
    with open_users(config, journal=bool(add or remove)) as users:
        if service:
            account = (
                users.change_service(actor(), name, add=add or (), remove=remove or ())
                if add or remove
                else users.service(name)
            )
            typer.echo(" ".join(sorted(account.roles)))
            return
        if add or remove:
            user = users.change_roles(actor(), name, add or (), remove or ())
        else:
            user = users.get(name)
    typer.echo(" ".join(sorted(user.roles)))


@users_app.command("password")
def password(name: NameArg, password_stdin: StdinOpt = False, config: ConfigOpt = None) -> None:
    """Set a user's password (asked twice, or read from stdin); clears their lockout.

    Example: ``onshore users password lan``
    """
    secret = read_password(password_stdin)
    with open_users(config) as users:
        user = users.set_password(actor(), name, secret)
    console.print(f"password set for {user.user_id} ({user.name})", highlight=False)


@users_app.command("totp")
def totp(
    name: NameArg,
    remove: Annotated[
        bool, typer.Option("--remove", help="Remove the second factor instead.")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Enrol a user in TOTP (prints the otpauth:// URI and the secret, this once), or remove it.

    Example: ``onshore users totp lan``
    """
    with open_users(config) as users:
        if remove:
            user = users.remove_totp(actor(), name)
            console.print(f"TOTP removed for {user.user_id} ({user.name})", highlight=False)
            return
        enrolment = users.enrol_totp(actor(), name)
    _print_enrolment(name, enrolment.uri, enrolment.secret)


def register(app: typer.Typer) -> None:
    """Attach ``onshore users`` to the main app."""
    app.add_typer(users_app, name="users")
