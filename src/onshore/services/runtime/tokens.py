"""The token service of a deployment, over its control store (the adapter chosen here)."""

from __future__ import annotations

from onshore.adapters import open_token_store
from onshore.ports import Clock
from onshore.services.tokens import Tokens
from onshore.settings import Settings


def open_tokens(settings: Settings, clock: Clock) -> Tokens:
    """The token service of a deployment, over its control store
    (``settings.deployment.control_store``)."""
    store = open_token_store(settings.deployment.control_store, base=settings.base_dir)
    return Tokens(store, clock)
