"""The token service of a deployment, over its control store (the adapters chosen here)."""

from __future__ import annotations

from onshore.adapters import open_token_store, open_user_store
from onshore.ports import Clock
from onshore.services.tokens import Tokens
from onshore.settings import Settings


def open_tokens(settings: Settings, clock: Clock) -> Tokens:
    """The token service of a deployment, over its control store
    (``settings.deployment.control_store``): the token digests and the users and service
    accounts that own them (one database; ``memory://`` gives a fresh one)."""
    url, base = settings.deployment.control_store, settings.base_dir
    store = open_token_store(url, base=base)
    try:
        owners = open_user_store(url, base=base)
    except BaseException:
        store.close()
        raise
    return Tokens(store, owners, clock)
