"""The runtime: the composition root, the one place that chooses and builds adapters.

``open_runtime(settings)`` opens every region's database and key store, loads the policy
packs and the offline IP database, and returns the ``Runtime`` services work with
(``onshore.services.context``: its ports, never the adapters behind them). What a service or a
shell must open by name or URL outside a runtime is opened here too, handed back as a port:

- ``regions``: ``open_runtime``, ``region_keys`` (a region's keys without its database),
  ``entity_facts``, ``open_region_database``, ``store_files``;
- ``key_stores``: file and HSM key stores (``keys export/import``, moving keys to an HSM);
- ``backups``: a region's ``SnapshotStore`` (SQLite or PostgreSQL) for backup and restore;
- ``sources``: the table readers ``onshore scan`` streams, and the offline IP database;
- ``schema``: the stores' schema migrations (``onshore db status``/``upgrade``);
- ``clocks``: the system clock;
- ``tokens``: the API token service over the deployment's control store;
- ``notices``: the deadline-notice log in the control store (``open_notice_log``).
- ``sessions``: the browser-session service over the same store.

Nothing else in ``onshore.services`` and nothing in the shells imports ``onshore.adapters``
(``tests/test_architecture.py``; docs/architecture.md draws the layers).

Example:
    >>> from onshore.services.runtime import open_runtime
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> import tempfile; cfg["base_dir"] = tempfile.mkdtemp()
    >>> rt = open_runtime(Settings.model_validate(cfg), create_keys=True)
    >>> sorted(rt.regions), rt.regions["vn-hcm"].country
    (['sg-1', 'vn-hcm'], 'VN')
    >>> rt.close()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below, for type checkers and the import graph
    from onshore.services.context import Region, Runtime
    from onshore.services.runtime.clocks import system_clock
    from onshore.services.runtime.regions import (
        REQUIRED_KEYS,
        entity_facts,
        open_region_database,
        open_runtime,
        region_keys,
        store_files,
    )
    from onshore.services.runtime.sessions import open_sessions
    from onshore.services.runtime.tokens import open_tokens

#: Where each name lives; it is imported on first use (``__getattr__``).
_HOME = {
    "REQUIRED_KEYS": "onshore.services.runtime.regions",
    "Region": "onshore.services.context",
    "Runtime": "onshore.services.context",
    "entity_facts": "onshore.services.runtime.regions",
    "open_region_database": "onshore.services.runtime.regions",
    "open_runtime": "onshore.services.runtime.regions",
    "open_sessions": "onshore.services.runtime.sessions",
    "open_tokens": "onshore.services.runtime.tokens",
    "region_keys": "onshore.services.runtime.regions",
    "store_files": "onshore.services.runtime.regions",
    "system_clock": "onshore.services.runtime.clocks",
}

__all__ = [
    "REQUIRED_KEYS",
    "Region",
    "Runtime",
    "entity_facts",
    "open_region_database",
    "open_runtime",
    "open_sessions",
    "open_tokens",
    "region_keys",
    "store_files",
    "system_clock",
]


def __getattr__(name: str) -> Any:
    """A name of ``_HOME``, imported on first use: ``onshore scan`` needs only ``sources``
    and must not pay for opening regions (the policy engine, the store adapters)."""
    home = _HOME.get(name)  # every name of __all__ (a test checks the two agree)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
