"""The import progress log of a deployment, over its control store (the adapter chosen here)."""

from __future__ import annotations

from onshore.adapters import open_import_progress as _open
from onshore.ports.import_progress import ImportProgressLog
from onshore.settings import Settings


def open_import_progress(settings: Settings) -> ImportProgressLog:
    """The import progress log in the deployment's control store
    (``settings.deployment.control_store``), shared by every import run."""
    return _open(settings.deployment.control_store, base=settings.base_dir)


def open_import_progress_url(url: str) -> ImportProgressLog:
    """The import progress log at a control-database URL (``memory://`` in examples)."""
    return _open(url)
