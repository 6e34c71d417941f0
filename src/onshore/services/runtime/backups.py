"""Opening what backups and restores need: a region's snapshot store.

``onshore.services.backup`` works on the ``SnapshotStore`` port; the SQLite or PostgreSQL
snapshot adapter for the region's configured store is chosen here.

Example:
    >>> from onshore.settings import Settings, default_config_dict
    >>> settings = Settings.model_validate(default_config_dict())
    >>> type(snapshots(settings, "vn-hcm", "sqlite")).__name__
    'SqliteSnapshots'
"""

from __future__ import annotations

from onshore.adapters.snapshots import PostgresSnapshots, SqliteSnapshots
from onshore.ports.snapshots import SnapshotStore
from onshore.settings import Settings


def snapshots(settings: Settings, region: str, backend: str) -> SnapshotStore:
    """Snapshots of ``region``'s configured store, for a backup made by ``backend``."""
    cfg = settings.regions.get(region)
    url = None if cfg is None else cfg.store
    if backend == "sqlite":
        return SqliteSnapshots(url, settings.base_dir)
    return PostgresSnapshots(url)
