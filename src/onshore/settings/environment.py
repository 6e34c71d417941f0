"""``ONSHORE_*`` environment overrides of the configuration file's values.

Levels are joined with ``__``; a region's or backup destination's name is upper-cased with
``-`` and ``.`` as ``_`` (``ONSHORE_REGIONS__VN_HCM__STORE``); list settings are
comma-separated, and a few ``ONSHORE_*`` variables are not settings (``NOT_SETTINGS``).

Example:
    >>> data = {"regions": {"vn-hcm": {"country": "VN"}}}
    >>> apply_env(data, {"ONSHORE_REGIONS__VN_HCM__STORE": "memory://",
    ...                  "ONSHORE_DEPLOYMENT__PACKS": "vn, eu"})
    >>> data["regions"]["vn-hcm"]["store"], data["deployment"]["packs"]
    ('memory://', ['vn', 'eu'])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onshore.core.errors import ConfigError

ENV_PREFIX = "ONSHORE_"
#: ``ONSHORE_*`` variables that are not settings: the configuration file, the CLI's
#: ``--port``/``--host`` defaults (``onshore serve``, ``onshore run``), failpoints and soak runs.
NOT_SETTINGS = frozenset(
    ENV_PREFIX + name for name in ("CONFIG", "PORT", "HOST", "FAILPOINTS", "SOAK")
)


def env_name(region: str) -> str:
    """How a region (or backup destination) is named in a variable: ``vn-hcm`` is ``VN_HCM``.

    Example:
        >>> env_name("vn-hcm.2")
        'VN_HCM_2'
    """
    return region.upper().replace("-", "_").replace(".", "_")


def apply_env(data: dict[str, Any], env: Mapping[str, str]) -> None:
    """Apply the ``ONSHORE_*`` variables of ``env`` to the parsed configuration ``data`` (in
    place); ``ConfigError`` naming a variable that is not a setting."""
    for raw_key, value in env.items():
        if not raw_key.startswith(ENV_PREFIX) or raw_key in NOT_SETTINGS:
            continue
        parts = raw_key[len(ENV_PREFIX) :].lower().split("__")
        if parts[0] in ("regions", "backups") and len(parts) == 3:
            regions = data.setdefault(parts[0], {})
            name = next((n for n in regions if env_name(n) == parts[1].upper()), None)
            if name is None:
                name = parts[1].replace("_", "-")
            regions.setdefault(name, {})[parts[2]] = value
        elif parts[0] == "deployment" and len(parts) == 2:
            current = data.setdefault("deployment", {}).get(parts[1])
            coerced: Any = value
            if isinstance(current, list) or parts[1] in (
                "packs",
                "pack_paths",
                "storage_decisions",
            ):
                coerced = [v.strip() for v in value.split(",") if v.strip()]
            elif isinstance(current, bool) or parts[1] == "enforce_unconfirmed":
                coerced = value.strip().lower() in ("1", "true", "yes", "on")
            data["deployment"][parts[1]] = coerced
        elif (
            parts[0]
            in (
                "server",
                "identities",
                "notifications",
                "sessions",
                "oidc",
                "console",
                "calendar",
                "scan_limits",
            )
            and len(parts) == 2
        ):
            data.setdefault(parts[0], {})[parts[1]] = value
        else:
            raise ConfigError(f"{raw_key}: unknown setting", details={"key": raw_key})
