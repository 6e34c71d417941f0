"""``Settings``: the whole configuration as one immutable value, its tables checked together
(at least one region, no two regions sharing a name or a store, a default region that exists).

Example:
    >>> from onshore.settings.defaults import default_config_dict
    >>> s = Settings.model_validate(default_config_dict())
    >>> s.keys_dir("vn-hcm").as_posix()
    'data/vn-hcm/keys'
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from onshore.settings.calendar import CalendarSettings
from onshore.settings.console import ConsoleSettings
from onshore.settings.environment import env_name
from onshore.settings.idempotency import IdempotencySettings
from onshore.settings.identities import IdentitySettings
from onshore.settings.notifications import NotificationSettings
from onshore.settings.oidc import OidcSettings
from onshore.settings.scan import ScanSettings
from onshore.settings.scan_limits import ScanLimitSettings
from onshore.settings.sections import (
    BackupDestination,
    DeploymentSettings,
    RegionSettings,
    ServerSettings,
    Strict,
)
from onshore.settings.sessions import SessionSettings
from onshore.settings.transfers import TransferSettings


class Settings(Strict):
    """Everything onshore reads from its configuration, as one immutable value."""

    deployment: DeploymentSettings = Field(description="The ``[deployment]`` table.")
    regions: dict[str, RegionSettings] = Field(description="The ``[regions.*]`` tables.")
    backups: dict[str, BackupDestination] = Field(
        default_factory=dict, description="The ``[backups.*]`` tables: backup destinations."
    )
    server: ServerSettings = Field(
        default_factory=ServerSettings, description="The ``[server]`` table (HTTP limits)."
    )
    identities: IdentitySettings = Field(
        default_factory=IdentitySettings,
        description="The ``[identities]`` table: sign-in, lockout, login tokens.",
    )
    notifications: NotificationSettings = Field(
        default_factory=NotificationSettings,
        description="The ``[notifications]`` table (deadline scheduler).",
    )
    idempotency: IdempotencySettings = Field(
        default_factory=IdempotencySettings, description="The ``[idempotency]`` table."
    )
    sessions: SessionSettings = Field(
        default_factory=SessionSettings, description="``[sessions]``."
    )
    scan_limits: ScanLimitSettings = Field(
        default_factory=ScanLimitSettings, description="``[scan_limits]``: onshore scan's limits."
    )
    oidc: OidcSettings = Field(default_factory=OidcSettings, description="The ``[oidc]`` table.")
    console: ConsoleSettings = Field(default_factory=ConsoleSettings, description="``[console]``.")
    calendar: CalendarSettings = Field(default_factory=CalendarSettings, description="Calendar.")
    transfers: TransferSettings = Field(default_factory=TransferSettings, description="Transfers.")
    scan: ScanSettings = Field(default_factory=ScanSettings, description="``[scan]``.")
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
            key = env_name(name)
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
