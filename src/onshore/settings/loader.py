"""``load_settings``: the configuration read once, at the edge (file, then environment).

Example:
    >>> load_settings("/nonexistent/onshore.toml", env={}).regions["sg-1"].country
    'SG'
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from onshore.core.errors import ConfigError
from onshore.settings.defaults import CONFIG_FILE, default_config_dict
from onshore.settings.environment import ENV_PREFIX, apply_env
from onshore.settings.model import Settings


def _format_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {message}" if where else message


def load_settings(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the configuration once: ``path`` (or ``$ONSHORE_CONFIG``, or ``./onshore.toml``),
    overridden by ``ONSHORE_*`` variables; the embedded default when no file exists.

    Raises ``ConfigError`` whose message names the offending key.

    Example:
        >>> load_settings("/nonexistent/onshore.toml", env={}).deployment.name
        'demo'
    """
    env = os.environ if env is None else env
    chosen = Path(path) if path is not None else Path(env.get(ENV_PREFIX + "CONFIG", CONFIG_FILE))
    if chosen.exists():
        try:
            data: dict[str, Any] = tomllib.loads(chosen.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                f"{chosen}: not valid TOML ({exc})", details={"file": str(chosen)}
            ) from exc
        except OSError as exc:
            raise ConfigError(f"{chosen}: cannot be read ({exc.strerror})") from exc
        base = chosen.resolve().parent
    else:
        data = default_config_dict()
        base = chosen.resolve().parent if path is not None else Path.cwd()
    apply_env(data, env)
    data.setdefault("base_dir", str(base))
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_error(exc), details={"file": str(chosen)}) from exc
