"""The tables of ``onshore.toml``, one model each: ``[deployment]`` (with its entity),
``[regions.*]``, ``[backups.*]`` and ``[server]``.

Every field has a description (``tests/test_docs.py`` checks each is in
docs/configuration.md); the models are immutable and refuse unknown keys.

Example:
    >>> RegionSettings(name="vn-hcm", country="vn", store="memory://").country
    'VN'
    >>> ServerSettings().max_rows
    10000
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pycountry
from pydantic import BaseModel, ConfigDict, Field, field_validator

_BACKENDS = ("memory", "sqlite", "postgresql", "postgres")


class Strict(BaseModel):
    """A settings table: immutable, and an unknown key is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _country(value: str) -> str:
    code = value.strip().upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


class EntitySettings(Strict):
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


class DeploymentSettings(Strict):
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


class RegionSettings(Strict):
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


class BackupDestination(Strict):
    """``[backups.NAME]``: a place region backups may be written to, and the country it is in.

    ``onshore backup create --to`` must name one or point inside its ``path``; the policy packs
    decide whether a region's data may be stored in its ``country``.
    """

    name: str = Field(description="The destination's name (the table key), e.g. vn-archive.")
    country: str = Field(description="ISO 3166-1 alpha-2 country the destination is in.")
    path: Path = Field(description="Directory backups are written to (relative: to base_dir).")

    _check_country = field_validator("country")(_country)


class ServerSettings(Strict):
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
