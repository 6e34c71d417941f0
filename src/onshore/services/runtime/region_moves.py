"""The migration-plan store of a deployment, over its control store (the adapter is chosen
here by the store URL's scheme, as for the token store)."""

from __future__ import annotations

from onshore.adapters.control_store import open_control_port
from onshore.ports.region_moves import MigrationStore
from onshore.settings import Settings


def open_migration_store(settings: Settings) -> MigrationStore:
    """The migration-plan store of ``settings.deployment.control_store`` (``memory://``,
    ``sqlite:///``, ``postgresql://``), its tables created when missing.

    Example:
        >>> from onshore.settings import Settings, default_config_dict
        >>> cfg = default_config_dict(); cfg["deployment"]["control_store"] = "memory://"
        >>> type(open_migration_store(Settings.model_validate(cfg))).__name__
        'MemoryMigrationStore'
    """
    store: MigrationStore = open_control_port(
        settings.deployment.control_store,
        "region_moves",
        "MigrationStore",
        base=settings.base_dir,
    )
    return store
