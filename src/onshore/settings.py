"""Settings: ``onshore.toml`` plus ``ONSHORE_*`` environment overrides, read once at the edge.

``load_settings()`` is called by the CLI's and the server's entry points only; everything below
receives the resulting ``Settings`` value (core never sees it).

Environment overrides use ``__`` between levels, region names upper-cased with ``-`` as ``_``:

- ``ONSHORE_CONFIG=/etc/onshore.toml`` picks the file;
- ``ONSHORE_DEPLOYMENT__DEFAULT_REGION=vn-hcm``;
- ``ONSHORE_REGIONS__VN_HCM__STORE=postgresql://onshore@db-vn/onshore``;
- ``ONSHORE_DEPLOYMENT__PACKS=vn,eu`` (lists are comma-separated);
- ``ONSHORE_BACKUPS__VN_ARCHIVE__PATH=/srv/backups/vn`` (a ``[backups.*]`` destination).

Example:
    >>> s = Settings.model_validate(default_config_dict())
    >>> sorted(s.regions), s.deployment.default_region
    (['sg-1', 'vn-hcm'], 'sg-1')
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pycountry
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from onshore.core.errors import ConfigError

CONFIG_FILE = "onshore.toml"
ENV_PREFIX = "ONSHORE_"
#: ``ONSHORE_*`` variables that are not settings: the configuration file, the CLI's
#: ``--port``/``--host`` defaults (``onshore serve``, ``onshore run``), failpoints and soak runs.
NOT_SETTINGS = frozenset(
    ENV_PREFIX + name for name in ("CONFIG", "PORT", "HOST", "FAILPOINTS", "SOAK")
)
_BACKENDS = ("memory", "sqlite", "postgresql", "postgres")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _country(value: str) -> str:
    code = value.strip().upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


class EntitySettings(_Strict):
    """Facts about the deploying entity that decide which rules bind it."""

    incorporated_in: str = Field(description="Country of incorporation (ISO alpha-2), e.g. VN.")
    sectors: list[str] = Field(
        default_factory=list, description="Business sectors, e.g. social_network, telecom."
    )
    size: str | None = Field(
        default=None,
        description="Enterprise size: micro, small, household, startup, medium, large.",
    )
    roles: list[str] = Field(
        default_factory=list, description="Roles such as cross_border_provider or controller."
    )
    data_subjects: int | None = Field(
        default=None, ge=0, description="Approximate number of data subjects processed."
    )

    _check_country = field_validator("incorporated_in")(_country)


class DeploymentSettings(_Strict):
    """``[deployment]``: who runs onshore, under which packs, and where data goes by default."""

    name: str = Field(default="demo", description="A name for this deployment.")
    packs: list[str] = Field(default_factory=lambda: ["vn"], description="Policy packs to load.")
    pack_paths: list[Path] = Field(
        default_factory=list, description="Extra directories holding house policy packs."
    )
    entity: EntitySettings = Field(
        default_factory=lambda: EntitySettings(incorporated_in="VN", sectors=["social_network"]),
        description="The deploying entity's facts (incorporation, sectors...).",
    )
    storage_decisions: list[str] = Field(
        default_factory=list,
        description="Rule ids whose authority decision this entity received (e.g. VN-D53-26.3).",
    )
    default_region: str = Field(description="Region used when the law leaves the choice open.")
    enforce_unconfirmed: bool = Field(
        default=False, description="Enforce rules marked unconfirmed instead of only warning."
    )
    default_phone_region: str = Field(
        default="VN", description="Country assumed for phone numbers written without a prefix."
    )
    default_country: str = Field(
        default="VN", description="Subject country when no residency signal is given."
    )
    max_record_bytes: int = Field(
        default=256 * 1024, gt=0, description="Largest accepted record (serialised JSON bytes)."
    )
    pack_max_bytes: int = Field(
        default=1 << 20, gt=0, description="Largest policy pack or cases file read (bytes)."
    )
    control_store: str = Field(
        default="sqlite:///data/control.db",
        description="Database for deployment-wide state that is not personal data (API tokens).",
    )
    geoip_mmdb: Path | None = Field(
        default=None,
        description=(
            "A MaxMind-format (.mmdb) country database, IPv4 and IPv6, kept current by the "
            "operator (relative to onshore.toml's directory); default: geoip2fast's bundled "
            "IPv4+IPv6 data of June 2024."
        ),
    )
    checkpoint_interval_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How often the server signs a checkpoint of each region whose ledger grew "
        "(the unsigned tail window; 0 turns the server's timer off).",
    )
    checkpoint_on_close: bool = Field(
        default=True,
        description="Sign a checkpoint of each region whose ledger grew when the vault closes "
        "(the end of every CLI command, server shutdown).",
    )
    sqlite_synchronous: Literal["full", "normal"] = Field(
        default="full",
        description=(
            "SQLite region stores' synchronous mode: full (a receipt survives power loss) or "
            "normal (faster; UNSAFE: the last commits can vanish on power loss or an OS crash)."
        ),
    )

    _check_phone = field_validator("default_phone_region", "default_country")(_country)


class RegionSettings(_Strict):
    """``[regions.NAME]``: a place where data is stored, with its country and stores."""

    name: str = Field(description="The region's name (the table key), e.g. vn-hcm.")
    country: str = Field(description="ISO 3166-1 alpha-2 country the region is in.")
    store: str = Field(description="Record store URL: sqlite:///path, postgresql://..., memory://.")
    objects: str | None = Field(
        default=None, description="Object store URL: file:///path or s3://bucket/prefix."
    )
    keys_dir: Path | None = Field(
        default=None, description="Directory of the region's key files (default data/NAME/keys)."
    )
    keys: str = Field(
        default="file",
        description=(
            "Where the region's keys are held: file (keys_dir) or a pkcs11: URI naming an HSM "
            "token (the kek stays in the HSM; PIN from pin-env or pin-source, never here)."
        ),
    )

    _check_country = field_validator("country")(_country)

    @field_validator("keys")
    @classmethod
    def _check_keys(cls, value: str) -> str:
        if value != "file" and not value.startswith("pkcs11:"):
            raise ValueError("a key store is file or pkcs11:token=...?module-path=...")
        if "pin-value=" in value:
            raise ValueError("never write the HSM PIN here: use pin-env=VAR or pin-source=file:")
        return value

    @field_validator("store")
    @classmethod
    def _check_store(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].lower()
        if ":" not in value or scheme not in _BACKENDS:
            raise ValueError(
                f"unknown store backend {scheme!r}: use sqlite:///, postgresql:// or memory://"
            )
        return value


class BackupDestination(_Strict):
    """``[backups.NAME]``: a place region backups may be written to, and the country it is in.

    ``onshore backup create --to`` must name one or point inside its ``path``; the policy packs
    decide whether a region's data may be stored in its ``country``.
    """

    name: str = Field(description="The destination's name (the table key), e.g. vn-archive.")
    country: str = Field(description="ISO 3166-1 alpha-2 country the destination is in.")
    path: Path = Field(description="Directory backups are written to (relative: to base_dir).")

    _check_country = field_validator("country")(_country)


class ServerSettings(_Strict):
    """``[server]``: the HTTP API's input limits and deadline (``onshore serve``); each is
    checked before any work is done on the request (docs/reliability.md, "Input limits")."""

    max_body_bytes: int = Field(
        default=8 * 1024 * 1024,
        gt=0,
        description="Largest request body in bytes (413 input.body_too_large).",
    )
    max_header_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Largest request line plus headers in bytes (431 input.header_too_large).",
    )
    max_json_depth: int = Field(
        default=32, ge=2, description="Deepest nesting of a JSON body (400 input.invalid_json)."
    )
    max_string_chars: int = Field(
        default=64 * 1024,
        gt=0,
        description="Longest string (key or value) in a JSON body (413 input.string_too_long).",
    )
    max_array_items: int = Field(
        default=10_000,
        gt=0,
        description="Most items in any one JSON array of a body (413 input.too_many_items).",
    )
    max_data_fields: int = Field(
        default=1_000,
        gt=0,
        description="Most fields in one record's data, nested ones included, and members of "
        "any one JSON object (413 input.too_many_fields).",
    )
    max_batch_records: int = Field(
        default=1_000,
        gt=0,
        description="Most records in one batch request (413 input.too_many_items).",
    )
    max_rows: int = Field(
        default=10_000,
        gt=0,
        description="Most rows in one audience metrics or follower request "
        "(413 input.too_many_items).",
    )
    max_scope_items: int = Field(
        default=1_000,
        gt=0,
        description="Most identifiers in one authority request's scope (413 input.too_many_items).",
    )
    request_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Longest a request may take before it is answered 504 server.timeout (s).",
    )


class Settings(_Strict):
    """Everything onshore reads from its configuration, as one immutable value."""

    deployment: DeploymentSettings = Field(description="The ``[deployment]`` table.")
    regions: dict[str, RegionSettings] = Field(description="The ``[regions.*]`` tables.")
    backups: dict[str, BackupDestination] = Field(
        default_factory=dict, description="The ``[backups.*]`` tables: backup destinations."
    )
    server: ServerSettings = Field(
        default_factory=ServerSettings, description="The ``[server]`` table (HTTP limits)."
    )
    base_dir: Path = Field(
        default=Path("."), description="Directory relative paths are resolved against."
    )

    @model_validator(mode="before")
    @classmethod
    def _name_regions(cls, data: Any) -> Any:
        for table in ("regions", "backups"):
            if isinstance(data, Mapping) and isinstance(data.get(table), Mapping):
                named = {}
                for name, body in data[table].items():
                    named[name] = {"name": name, **body} if isinstance(body, Mapping) else body
                data = {**data, table: named}
        return data

    @model_validator(mode="after")
    def _check_regions(self) -> Settings:
        if not self.regions:
            raise ValueError("regions: at least one region must be configured")
        seen: dict[str, str] = {}
        stores: dict[str, str] = {}
        for name, region in self.regions.items():
            key = _env_name(name)
            if key in seen:
                raise ValueError(f"regions.{name}: duplicate region (same as regions.{seen[key]})")
            seen[key] = name
            if region.store != "memory://" and region.store in stores:
                raise ValueError(
                    f"regions.{name}.store: duplicate region store "
                    f"(also used by regions.{stores[region.store]})"
                )
            stores[region.store] = name
        if self.deployment.default_region not in self.regions:
            raise ValueError(
                f"deployment.default_region: {self.deployment.default_region!r} "
                "is not a configured region"
            )
        return self

    def backup_path(self, destination: str) -> Path:
        """The directory of backup destination ``destination`` (absolute)."""
        path = self.backups[destination].path
        return path if path.is_absolute() else self.base_dir / path

    def keys_dir(self, region: str) -> Path:
        """Where ``region``'s key files live (inside the region's data directory)."""
        configured = self.regions[region].keys_dir
        path = configured if configured is not None else Path("data") / region / "keys"
        return path if path.is_absolute() else self.base_dir / path


def _env_name(region: str) -> str:
    return region.upper().replace("-", "_").replace(".", "_")


def default_config_dict() -> dict[str, Any]:
    """The embedded default (DESIGN §3): a domestic VN social network, regions vn-hcm and sg-1."""
    return {
        "deployment": {
            "name": "demo",
            "packs": ["vn"],
            "entity": {"incorporated_in": "VN", "sectors": ["social_network"]},
            "default_region": "sg-1",
        },
        "regions": {
            "vn-hcm": {
                "country": "VN",
                "store": "sqlite:///data/vn-hcm.db",
                "objects": "file:///data/vn-hcm/objects",
            },
            "sg-1": {"country": "SG", "store": "sqlite:///data/sg-1.db"},
        },
    }


#: Where the documentation lives (the wheel installs no docs/): pyproject's Documentation URL.
DOCS_URL = "https://github.com/onshore-dev/onshore/blob/main/docs"

DEFAULT_TOML = (
    (
        "# onshore configuration (created by `onshore init`); every key is described in\n"
        f"# {DOCS_URL}/configuration.md\n"
    )
    + """\
[deployment]
name = "demo"
packs = ["vn"]
# A domestic social network: Decree 53 art. 26.2 keeps VN users' data in Vietnam.
entity = { incorporated_in = "VN", sectors = ["social_network"] }
# storage_decisions = ["VN-D53-26.3"]   # a foreign entity that received an MPS storage decision
default_region = "sg-1"

[regions.vn-hcm]
country = "VN"
store = "sqlite:///data/vn-hcm.db"        # or postgresql://...
objects = "file:///data/vn-hcm/objects"    # or s3://bucket/prefix

[regions.sg-1]
country = "SG"
store = "sqlite:///data/sg-1.db"
"""
)


def _apply_env(data: dict[str, Any], env: Mapping[str, str]) -> None:
    for raw_key, value in env.items():
        if not raw_key.startswith(ENV_PREFIX) or raw_key in NOT_SETTINGS:
            continue
        parts = raw_key[len(ENV_PREFIX) :].lower().split("__")
        if parts[0] in ("regions", "backups") and len(parts) == 3:
            regions = data.setdefault(parts[0], {})
            name = next((n for n in regions if _env_name(n) == parts[1].upper()), None)
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
        elif parts[0] == "server" and len(parts) == 2:
            data.setdefault("server", {})[parts[1]] = value
        else:
            raise ConfigError(f"{raw_key}: unknown setting", details={"key": raw_key})


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
    _apply_env(data, env)
    data.setdefault("base_dir", str(base))
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_error(exc), details={"file": str(chosen)}) from exc
