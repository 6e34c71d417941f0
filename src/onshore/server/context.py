"""What every route reaches through ``request.app.state.onshore``: the vault, the token
service, metrics, the access-decision writer and the server's limits.

Example:
    >>> ServerOptions().max_batch
    1000
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request

from onshore.server.access_ledger import AccessLedger
from onshore.server.metrics import Metrics
from onshore.services.idempotency_keys import IdempotencyKeys
from onshore.services.sessions import Sessions
from onshore.services.tokens import Tokens
from onshore.services.users import Users
from onshore.services.vault import Vault
from onshore.settings import ServerSettings

if TYPE_CHECKING:  # imported by create_app only when OIDC is configured (authlib is heavy)
    from onshore.server.oidc import OidcClient


@dataclass(frozen=True)
class ServerOptions:
    """Limits of the HTTP API (``onshore serve`` flags)."""

    max_body_bytes: int = 8 * 1024 * 1024
    """Largest request body; larger ones get 413 ``input.body_too_large``."""
    max_batch: int = 1000
    """Most records in one ``POST /v1/records/batch``."""
    page_limit: int = 100
    """Default page size of listings (``limit`` may ask for up to ``max_page_limit``)."""
    max_page_limit: int = 1000
    """Largest page a listing returns."""
    ledger_delay: float = 0.0
    """Longest the access-decision writer waits for more decisions to commit together (s)."""
    max_json_depth: int = 32
    """Deepest nesting of a JSON body (400 ``input.invalid_json``)."""
    max_string_chars: int = 64 * 1024
    """Longest string in a JSON body (413 ``input.string_too_long``)."""
    max_array_items: int = 10_000
    """Most items in one JSON array (413 ``input.too_many_items``)."""
    max_data_fields: int = 1_000
    """Most fields in a record's data or a JSON object (413 ``input.too_many_fields``)."""
    max_rows: int = 10_000
    """Most audience metrics or follower rows in one request (413 ``input.too_many_items``)."""
    max_scope_items: int = 1_000
    """Most identifiers in a request scope (413 ``input.too_many_items``)."""
    request_timeout: float = 30.0
    """Longest a request may take before it is answered 504 ``server.timeout`` (s)."""

    @classmethod
    def from_settings(cls, server: ServerSettings, **overrides: Any) -> ServerOptions:
        """The options a ``[server]`` table sets, with ``overrides`` (``onshore serve`` flags).

        Example:
            >>> ServerOptions.from_settings(ServerSettings(max_batch_records=5)).max_batch
            5
        """
        values: dict[str, Any] = {
            "max_body_bytes": server.max_body_bytes,
            "max_batch": server.max_batch_records,
            "max_json_depth": server.max_json_depth,
            "max_string_chars": server.max_string_chars,
            "max_array_items": server.max_array_items,
            "max_data_fields": server.max_data_fields,
            "max_rows": server.max_rows,
            "max_scope_items": server.max_scope_items,
            "request_timeout": server.request_timeout,
        }
        values.update(overrides)
        return cls(**values)


@dataclass
class ServerContext:
    """The services one app serves (built in ``create_app``'s lifespan)."""

    vault: Vault
    tokens: Tokens
    metrics: Metrics
    options: ServerOptions = field(default_factory=ServerOptions)
    idempotency: IdempotencyKeys | None = None
    """The ``Idempotency-Key`` service (``server.idempotency``; opened by ``create_app``)."""
    access: AccessLedger = field(init=False)
    """Where authorisation decisions are written (group commits, see ``access_ledger``)."""
    users: Users = field(init=False)
    """Users and sign-in over the token service's control store (changes go to the ledger)."""
    sessions: Sessions | None = None
    """Browser sessions (``server.sessions``; opened by ``create_app``)."""
    oidc: OidcClient | None = None
    """The OIDC client (``server.oidc.OidcClient``), None when OIDC sign-in is off."""

    def __post_init__(self) -> None:
        self.access = AccessLedger(self.vault, max_delay=self.options.ledger_delay)
        settings = self.vault.runtime.settings
        self.users = Users(
            self.tokens,
            settings.identities,
            journal=self.access.record_sync,
            region=settings.deployment.default_region,
        )


async def context(request: Request) -> ServerContext:
    """The app's context (a FastAPI dependency; async, so it costs no thread hop)."""
    ctx: ServerContext = request.app.state.onshore
    return ctx
