"""``onshore serve`` (the HTTP API) and ``onshore run`` (``make run``: set up, then serve).

``serve`` reads the configuration once, builds ``create_app(settings)`` and runs it under
uvicorn with JSON logs. On SIGTERM or Ctrl-C uvicorn stops accepting connections, finishes
every request it accepted (each write commits before its 201 is sent), then closes the
stores.

``run`` is the front door for a newcomer: on first start it writes ``onshore.toml`` and the
region keys, writes the demo data set when every store is empty, and writes an admin token
to ``data/admin.token`` (mode 0600); then it prints the URL and serves.

Both bind their socket first (``--port``, else ``$ONSHORE_PORT``, else 8000): a port in use
stops them with ``serve.cannot_listen`` (exit 1) before anything is written or printed.
FastAPI, uvicorn and the services are imported only when a command runs, so that the CLI
starts fast (``tests/test_cli_start.py``).
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from onshore.cli.console import CliConsole
from onshore.cli.host import host_actor
from onshore.cli.options import ConfigOpt
from onshore.core.errors import AuthError, CannotListen

if TYPE_CHECKING:
    from onshore.services.tokens import Tokens
    from onshore.services.vault import Vault
    from onshore.settings import Settings

console = CliConsole()
log = logging.getLogger("onshore.server")

HostOpt = Annotated[
    str, typer.Option("--host", help="Interface to listen on.", envvar="ONSHORE_HOST")
]
PortOpt = Annotated[
    int,
    typer.Option(
        "--port", help="TCP port (0: any free one).", min=0, max=65535, envvar="ONSHORE_PORT"
    ),
]
LogOpt = Annotated[str, typer.Option("--log-level", help="debug, info, warning or error.")]
BodyOpt = Annotated[
    int | None,
    typer.Option(
        "--max-body-bytes",
        help="Largest request body (413 above); default: [server] max_body_bytes.",
        min=1,
    ),
]

ADMIN_TOKEN_FILE = "admin.token"
BACKLOG = 2048  # uvicorn's default


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``, before anything is printed or set up.

    Raises ``CannotListen`` saying why (the port is in use, no permission, no such
    address) and what to do. Example: ``listen("127.0.0.1", 0).getsockname()``
    """
    where = f"{host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise CannotListen(
            f"cannot listen on {where}: {exc.strerror}", details={"host": host, "port": port}
        ) from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)  # connections queue while the app starts
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            why = (
                "the port is already in use (another onshore or another program); stop it "
                "or choose another port with --port or ONSHORE_PORT (make run PORT=8080)"
            )
        elif exc.errno == errno.EACCES:
            why = "permission denied (ports below 1024 need privileges); choose --port 8000"
        else:
            why = exc.strerror or type(exc).__name__
        raise CannotListen(
            f"cannot listen on {where}: {why}", details={"host": host, "port": port}
        ) from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    """The ``http://host:port/`` URL of a bound socket (IPv6 hosts in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


#: The interpreter's thread switch interval while serving (Python's default is 5 ms). Work
#: such as classifying a large record runs on a worker thread and holds the GIL; every light
#: request needs the GIL many times, so with 5 ms turns one heavy request made light writes'
#: p99 83x their quiet p99 in bench/api.py, with 0.5 ms turns 3.4x.
SWITCH_INTERVAL_S = 0.0005


def _serve(
    settings: Settings,
    sock: socket.socket,
    log_level: str,
    max_body: int | None,
    *,
    vault: Vault | None = None,
    tokens: Tokens | None = None,
) -> None:
    import uvicorn

    from onshore.server.app import create_app
    from onshore.server.context import ServerOptions
    from onshore.server.logs import configure
    from onshore.server.protocol import protocol_for

    try:
        configure(log_level)
        sys.setswitchinterval(SWITCH_INTERVAL_S)  # one heavy request must not starve the rest
        overrides = {} if max_body is None else {"max_body_bytes": max_body}
        options = ServerOptions.from_settings(settings.server, **overrides)
        notices = settings.notifications.in_server
        app = create_app(
            settings, vault=vault, tokens=tokens, options=options, notifications=notices
        )
        head_limit = settings.server.max_header_bytes
        config = uvicorn.Config(
            app,
            http=protocol_for(head_limit),  # head limit; protocol errors in the JSON shape
            h11_max_incomplete_event_size=head_limit,
            log_config=None,
            access_log=False,
            log_level=log_level,
            timeout_graceful_shutdown=30,
            server_header=False,
            ws="none",  # no websockets here
        )
        log.info("serving", extra={"url": url_of(sock)})
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        for resource in (tokens, vault):  # handed in by `run`: closed once serving is over
            if resource is not None:
                resource.close()


def serve(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    config: ConfigOpt = None,
    log_level: LogOpt = "info",
    max_body_bytes: BodyOpt = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json, status page at /).

    Exits 1 with ``serve.cannot_listen`` when the port is taken.
    Example: ``onshore serve --host 0.0.0.0 --port 8080 --config /etc/onshore.toml``
    """
    from onshore.settings import load_settings

    settings = load_settings(config)
    _serve(settings, listen(host, port), log_level, max_body_bytes)


def _write_secret(path: Path, secret: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secret + "\n")
    os.chmod(path, 0o600)


def admin_token(tokens: Tokens, path: Path) -> str:
    """The admin token kept in ``path`` (0600), creating a fresh one when the file is
    missing or its token no longer works."""
    if path.exists():
        secret = path.read_text(encoding="utf-8").strip()
        try:
            if tokens.verify(secret).role == "admin":
                return secret
        except AuthError:  # unknown, revoked, expired, or its owner lost the role
            pass
    name = "admin"
    if tokens.store.lookup(name) is not None:
        name = f"admin-{secrets.token_hex(3)}"
    issued = tokens.create(name, "admin")
    _write_secret(path, issued.secret)
    return issued.secret


def seed_demo(vault: Vault, users: int, seed: int = 7) -> int:
    """Write the demo data set when every region's store is empty; returns records written."""
    from onshore.services.demo import demo_records, generate_users

    if any(r.db.records.count() for r in vault.runtime.regions.values()):
        return 0
    records = demo_records(generate_users(users, seed=seed))
    for start in range(0, len(records), 500):
        vault.put_many(records[start : start + 500], actor=host_actor())
    return len(records)


def run(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    directory: Annotated[
        Path, typer.Option("--dir", help="Where onshore.toml and data/ live.")
    ] = Path("."),
    users: Annotated[int, typer.Option("--users", help="Demo users written on first start.")] = 300,
    log_level: LogOpt = "info",
) -> None:
    """Set up on first start (onshore.toml, keys, demo data, an admin token in
    data/admin.token), print the URL, and serve. Run by ``make run``.

    Example: ``onshore run --port 8080``
    """
    from onshore.cli.vault import init
    from onshore.services.runtime import open_tokens
    from onshore.services.vault import Vault
    from onshore.settings import CONFIG_FILE, load_settings

    sock = listen(host, port)  # first: a taken port stops us before anything is written
    try:
        path = directory / CONFIG_FILE
        if not path.exists():
            init(directory=directory, force=False)
        settings = load_settings(path)
        vault = Vault.open(settings, create_keys=True)
    except BaseException:
        sock.close()
        raise
    try:
        written = seed_demo(vault, users)
        tokens = open_tokens(settings, vault.runtime.clock)
        token_path = settings.base_dir / "data" / ADMIN_TOKEN_FILE
        admin_token(tokens, token_path)
    except BaseException:
        vault.close()
        sock.close()
        raise
    if written:
        console.print(f"wrote {written} demo records ({users} users)")
    url = url_of(sock)
    console.print(f"\n[bold]onshore is serving at {url}[/]  (API docs: {url}docs)")
    console.print(f"admin token: {token_path} (mode 0600)")
    console.print(
        f'try:  curl -s {url}v1/records -H "Authorization: Bearer $(cat {token_path})" '
        """-d '{"subject": "u-1", "kind": "profile", "data": {"phone": "+84912345678"}, """
        """"signals": {"phone_number": "+84912345678"}}'\n""",
        highlight=False,
        markup=False,
    )
    _serve(settings, sock, log_level, None, vault=vault, tokens=tokens)


def register(app: typer.Typer) -> None:
    """Attach ``serve`` and ``run`` to the main app."""
    app.command("serve")(serve)
    app.command("run")(run)
