"""The runtime: adapters built once from ``Settings`` (the composition root).

``open_runtime(settings)`` opens every region's database and key store, loads the policy
packs and the offline IP database, and checks that each region has its key material.

Example:
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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from onshore.adapters import open_database
from onshore.adapters.clock import SystemClock
from onshore.adapters.geoip import open_country_lookup
from onshore.adapters.keystore import FileKeyStore, MemoryKeyStore, ensure_region_keys
from onshore.core.errors import ConfigError, KeyMissing, UnknownRegion
from onshore.core.policy import EntityFacts
from onshore.ports import Clock, CountryLookup, KeyStore, RegionDatabase
from onshore.services.policy import load_engine
from onshore.settings import Settings

if TYPE_CHECKING:
    from onshore.core.policy import PolicyEngine

REQUIRED_KEYS = ("kek", "index", "ledger-hmac", "ledger-signing")


@dataclass
class Region:
    """One configured region: its country, database and keys."""

    name: str
    country: str
    db: RegionDatabase
    keys: KeyStore


@dataclass
class Runtime:
    """Everything a service needs, built once per process."""

    settings: Settings
    regions: dict[str, Region]
    engine: PolicyEngine
    entity: EntityFacts
    geo: CountryLookup
    clock: Clock = field(default_factory=SystemClock)

    def region(self, name: str) -> Region:
        """The region called ``name``; ``UnknownRegion`` when it is not configured."""
        try:
            return self.regions[name]
        except KeyError:
            raise UnknownRegion(
                f"unknown region {name!r}", details={"configured": sorted(self.regions)}
            ) from None

    def close(self) -> None:
        """Close every region's database."""
        for region in self.regions.values():
            region.db.close()


def entity_facts(settings: Settings) -> EntityFacts:
    """The deployment's entity facts as the policy engine takes them."""
    e = settings.deployment.entity
    return EntityFacts(
        incorporated_in=e.incorporated_in,
        sectors=frozenset(e.sectors),
        storage_decisions=frozenset(settings.deployment.storage_decisions),
        size=e.size,
        roles=frozenset(e.roles),
        data_subjects=e.data_subjects,
    )


def _keys_for(settings: Settings, name: str, *, create: bool) -> KeyStore:
    region = settings.regions[name]
    keys: KeyStore
    if region.store == "memory://" and region.keys_dir is None:
        keys = MemoryKeyStore()
        ensure_region_keys(keys)
        return keys
    directory = settings.keys_dir(name)
    if create:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    keys = FileKeyStore(directory)
    if create:
        ensure_region_keys(keys)
    for key in REQUIRED_KEYS:
        try:
            keys.current(key)
        except KeyMissing as exc:
            raise ConfigError(
                f"regions.{name}.keys_dir: missing key material {key!r} in {directory} "
                "(run `onshore init` to create a region's keys)",
                details={"region": name, "key": key},
            ) from exc
    return keys


def open_runtime(
    settings: Settings, *, create_keys: bool = False, clock: Clock | None = None
) -> Runtime:
    """Open every configured region and load the policy packs.

    ``create_keys`` generates missing key material (``onshore init`` and the demo do);
    otherwise missing keys are a ``ConfigError`` naming the region's ``keys_dir``.
    """
    dep = settings.deployment
    engine = load_engine(dep.packs, dep.pack_paths, dep.enforce_unconfirmed)
    regions: dict[str, Region] = {}
    try:
        for name, cfg in settings.regions.items():
            keys = _keys_for(settings, name, create=create_keys)
            db = open_database(
                cfg.store, base=settings.base_dir, sqlite_synchronous=dep.sqlite_synchronous
            )
            regions[name] = Region(name=name, country=cfg.country, db=db, keys=keys)
    except BaseException:
        for region in regions.values():
            region.db.close()
        raise
    return Runtime(
        settings=settings,
        regions=regions,
        engine=engine,
        entity=entity_facts(settings),
        geo=open_country_lookup(dep.geoip_mmdb),
        clock=clock or SystemClock(),
    )
