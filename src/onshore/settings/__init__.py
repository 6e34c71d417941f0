"""Settings: ``onshore.toml`` plus ``ONSHORE_*`` environment overrides, read once at the edge.

``load_settings()`` is called by the CLI's and the server's entry points only; everything below
receives the resulting ``Settings`` value (core never sees it).

Environment overrides use ``__`` between levels, region names upper-cased with ``-`` as ``_``:

- ``ONSHORE_CONFIG=/etc/onshore.toml`` picks the file;
- ``ONSHORE_DEPLOYMENT__DEFAULT_REGION=vn-hcm``;
- ``ONSHORE_REGIONS__VN_HCM__STORE=postgresql://onshore@db-vn/onshore``;
- ``ONSHORE_DEPLOYMENT__PACKS=vn,eu`` (lists are comma-separated);
- ``ONSHORE_BACKUPS__VN_ARCHIVE__PATH=/srv/backups/vn`` (a ``[backups.*]`` destination).

Import every name from here; the parts live in ``sections`` (one model per table),
``model`` (``Settings``), ``defaults`` (the embedded configuration), ``environment`` (the
``ONSHORE_*`` overrides) and ``loader`` (``load_settings``).

Example:
    >>> s = Settings.model_validate(default_config_dict())
    >>> sorted(s.regions), s.deployment.default_region
    (['sg-1', 'vn-hcm'], 'sg-1')
"""

from __future__ import annotations

from onshore.settings.defaults import (
    CONFIG_FILE,
    DEFAULT_TOML,
    DOCS_URL,
    default_config_dict,
)
from onshore.settings.environment import ENV_PREFIX, NOT_SETTINGS
from onshore.settings.loader import load_settings
from onshore.settings.model import Settings
from onshore.settings.sections import (
    BackupDestination,
    DeploymentSettings,
    EntitySettings,
    RegionSettings,
    ServerSettings,
)

__all__ = [
    "CONFIG_FILE",
    "DEFAULT_TOML",
    "DOCS_URL",
    "ENV_PREFIX",
    "NOT_SETTINGS",
    "BackupDestination",
    "DeploymentSettings",
    "EntitySettings",
    "RegionSettings",
    "ServerSettings",
    "Settings",
    "default_config_dict",
    "load_settings",
]
