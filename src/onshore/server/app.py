"""``create_app(settings)``: the FastAPI app over the vault, the policy engine and the ledger.

Routers come from the modules in ``ROUTERS`` (one line each: add yours there). The app
opens the vault and the token store when it is created (unless they are handed in) and
closes the ones it opened when it shuts down, after uvicorn has finished every request it
accepted. While it runs, a background task signs a checkpoint of every region whose ledger
grew, every ``deployment.checkpoint_interval_seconds`` (``services.checkpointer``).

Example:
    >>> import tempfile
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> cfg["deployment"]["control_store"] = "memory://"
    >>> app = create_app(Settings.model_validate(cfg), create_keys=True)
    >>> "/v1/records" in app.openapi()["paths"]
    True
    >>> app.state.onshore.vault.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

import onshore
from onshore.server import api_docs, console, contract, errors, idempotency, openapi
from onshore.server.context import ServerContext, ServerOptions
from onshore.server.deadline import Deadline
from onshore.server.limits import BodyLimit
from onshore.server.metrics import Metrics
from onshore.server.observe import Observe
from onshore.services.checkpointer import run_periodically
from onshore.services.idempotency_keys import IdempotencyKeys
from onshore.services.runtime import open_sessions, open_tokens
from onshore.services.runtime.idempotency import open_idempotency
from onshore.services.sessions import Sessions
from onshore.services.tokens import Tokens
from onshore.services.vault import Vault
from onshore.settings import Settings

#: The route modules, each exposing ``router``. Workflow areas add their module here.
ROUTERS: list[str] = [
    "onshore.server.routes.status",
    "onshore.server.routes.health",
    "onshore.server.routes.records",
    "onshore.server.routes.subjects",
    "onshore.server.routes.decisions",
    "onshore.server.routes.ledger",
    "onshore.server.routes.tokens",
    "onshore.server.routes.auth",
    "onshore.server.routes.users",
    "onshore.server.routes.session",
    "onshore.server.routes.session_oidc",
    "onshore.server.routes.oidc_links",
    "onshore.server.routes.authority_requests",
    "onshore.server.routes.takedowns",
    "onshore.server.routes.audience",
    "onshore.server.routes.dsr",
    "onshore.server.routes.breaches",
    "onshore.server.routes.transfers",
]

DESCRIPTION = """Keep regulated user data where the law says it must live, and prove it.

Authenticate with `Authorization: Bearer <token>` (`onshore token create`). Every error is
`{"error": {"code", "message", "details"}}` with a stable dotted code (see docs/api.md).
"""


def create_app(
    settings: Settings,
    *,
    vault: Vault | None = None,
    tokens: Tokens | None = None,
    options: ServerOptions | None = None,
    create_keys: bool = False,
    notifications: bool = False,
) -> FastAPI:
    """Build the app for ``settings`` (or over an already open ``vault``/``tokens``);
    ``notifications`` runs the deadline scheduler beside it (``onshore serve``)."""
    owned: list[Vault | Tokens | IdempotencyKeys | Sessions] = []
    if vault is None:
        vault = Vault.open(settings, create_keys=create_keys)
        owned.append(vault)
    if tokens is None:
        tokens = open_tokens(settings, vault.runtime.clock)
        owned.append(tokens)
    keys = open_idempotency(settings, vault.runtime.clock)
    owned.append(keys)
    sessions = open_sessions(settings, vault.runtime.clock)
    owned.append(sessions)
    metrics = Metrics()
    ctx = ServerContext(
        vault=vault,
        tokens=tokens,
        metrics=metrics,
        options=options or ServerOptions.from_settings(settings.server),
        idempotency=keys,
    )
    ctx.sessions = sessions
    if settings.oidc.enabled:
        from onshore.server.oidc import open_oidc

        ctx.oidc = open_oidc(settings.oidc, settings.base_dir, vault.runtime.clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        notices = None
        if notifications:  # the deadline scheduler (services.scheduler), on its own thread
            from onshore.services.scheduler import open_scheduler

            notices = open_scheduler(vault.runtime, registry=metrics.registry)
            notices.start()
        interval = settings.deployment.checkpoint_interval_seconds
        stop = asyncio.Event()
        timer = None
        if interval > 0:
            timer = asyncio.create_task(run_periodically(vault.runtime, interval, stop))
        try:
            yield
        finally:
            if notices is not None:  # the check under way ends before the stores close
                notices.close()
            if timer is not None:  # the round under way ends before the stores close
                stop.set()
                with contextlib.suppress(asyncio.CancelledError):
                    await timer
            ctx.access.close()  # every queued access decision is written before the stores close
            for resource in reversed(owned):  # what the caller handed in, the caller closes
                resource.close()
            owned.clear()

    app = FastAPI(
        title="onshore",
        version=getattr(onshore, "__version__", "0"),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=contract.operation_id,
    )
    app.state.onshore = ctx
    errors.install(app)
    routers: list[APIRouter] = [importlib.import_module(m).router for m in ROUTERS]
    for router in routers:
        app.include_router(router)
    api_docs.install(app)
    console.install(app)  # the reviewer console at /console (not in the API's contract)
    contracts = contract.document(app, routers)
    openapi.install(
        app,
        contracts,
        max_batch=ctx.options.max_batch,
        max_rows=ctx.options.max_rows,
        max_key=settings.idempotency.max_key_length,
    )
    idempotency.install(app, keys)  # innermost: it sees the response the route produced
    app.add_middleware(BodyLimit, max_body_bytes=ctx.options.max_body_bytes)
    app.add_middleware(Deadline, seconds=ctx.options.request_timeout)
    app.add_middleware(Observe, metrics=metrics)
    return app
