"""What every route reaches through ``request.app.state.onshore``: the vault, the token
service, metrics, the access-decision writer and the server's limits.

Example:
    >>> ServerOptions().max_batch
    1000
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from onshore.server.access_ledger import AccessLedger
from onshore.server.metrics import Metrics
from onshore.services.tokens import Tokens
from onshore.services.vault import Vault


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


@dataclass
class ServerContext:
    """The services one app serves (built in ``create_app``'s lifespan)."""

    vault: Vault
    tokens: Tokens
    metrics: Metrics
    options: ServerOptions = field(default_factory=ServerOptions)
    access: AccessLedger = field(init=False)
    """Where authorisation decisions are written (group commits, see ``access_ledger``)."""

    def __post_init__(self) -> None:
        self.access = AccessLedger(self.vault, max_delay=self.options.ledger_delay)


async def context(request: Request) -> ServerContext:
    """The app's context (a FastAPI dependency; async, so it costs no thread hop)."""
    ctx: ServerContext = request.app.state.onshore
    return ctx
