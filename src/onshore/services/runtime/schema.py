"""Schema migrations of the configured stores, for ``onshore db status`` and ``db upgrade``.

The migration runner and its targets are adapters (``onshore.adapters.migrations``); shells
reach them through here: ``open_target`` opens a store's schema target, ``status`` and
``upgrade`` report and apply its migrations, ``latest`` is the version this onshore needs.

Example:
    >>> latest("region") >= 1, open_target("memory://") is None
    (True, True)
"""

from __future__ import annotations

from onshore.adapters.migrations import latest
from onshore.adapters.migrations.runner import SchemaStatus, status, upgrade
from onshore.adapters.migrations.targets import SchemaTarget, open_target

__all__ = ["SchemaStatus", "SchemaTarget", "latest", "open_target", "status", "upgrade"]
