"""The deferred-erasure log of a deployment, over its control store (the adapter chosen here)."""

from __future__ import annotations

from onshore.adapters import open_deferred_erasures as _open
from onshore.ports.retention import DeferredErasureLog
from onshore.settings import Settings


def open_deferred_erasures(settings: Settings) -> DeferredErasureLog:
    """The deferred-erasure log in the deployment's control store
    (``settings.deployment.control_store``), shared by every worker and server."""
    return _open(settings.deployment.control_store, base=settings.base_dir)
