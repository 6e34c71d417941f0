"""The deadline-notice log of a deployment, over its control store (the adapter chosen here)."""

from __future__ import annotations

from onshore.adapters import open_notice_log as _open
from onshore.ports.notices import NoticeLog
from onshore.settings import Settings


def open_notice_log(settings: Settings) -> NoticeLog:
    """The notice log in the deployment's control store (``settings.deployment.control_store``),
    shared by every worker and server of the deployment."""
    return _open(settings.deployment.control_store, base=settings.base_dir)
