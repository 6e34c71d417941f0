"""Opening the configured regions: each region's database and key store, checked together.

``open_runtime(settings)`` opens every region's database and key store, loads the policy
packs and the offline IP database, and checks that each region has its key material and
that its keys are the ones its database was written with (``services.key_custody``).

A region whose store cannot be reached does not stop the others: its database is a
``services.region_guard.GuardedDatabase`` that opens on first use (and runs the key check
then); until it does, every call on it raises ``StoreUnavailable`` naming the region.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from onshore.adapters import open_database, sqlite_path
from onshore.adapters.clock import SystemClock
from onshore.adapters.geoip import open_country_lookup
from onshore.adapters.keystore import MemoryKeyStore, ensure_region_keys
from onshore.core.errors import ConfigError, KeyMissing, StoreUnavailable, UnknownRegion
from onshore.core.local_time import set_deployment_zone
from onshore.core.policy import EntityFacts
from onshore.ports import Clock, KeyStore, RegionDatabase
from onshore.services import key_custody
from onshore.services.checkpointer import sign_grown
from onshore.services.context import Region, Runtime
from onshore.services.policy import load_engine
from onshore.services.region_guard import GuardedDatabase
from onshore.services.runtime.key_stores import open_key_store
from onshore.settings import Settings

REQUIRED_KEYS = ("kek", "index", "ledger-hmac", "ledger-signing")


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


def _missing_keys(settings: Settings, name: str, missing: list[str]) -> ConfigError:
    return ConfigError(
        f"regions.{name}.keys_dir: missing key material {missing[0]!r} in "
        f"{settings.keys_dir(name)} (run `onshore init` to create a new region's keys)",
        details={"region": name, "key": missing[0]},
    )


def _keys_for(settings: Settings, name: str, db: GuardedDatabase, *, create: bool) -> KeyStore:
    region = settings.regions[name]
    keys: KeyStore
    if region.store == "memory://" and region.keys_dir is None and region.keys == "file":
        keys = MemoryKeyStore()
        ensure_region_keys(keys)
        return keys
    directory = settings.keys_dir(name)
    if create:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    keys = open_key_store(settings, name)
    missing = [k for k in REQUIRED_KEYS if not keys.versions(k)]
    if not missing:
        return keys
    if create:
        # a key is only ever created for a region known to hold nothing: its store must answer
        has_data = key_custody.holds_data(db.inner)
    else:
        try:
            has_data = db.try_open() and key_custody.holds_data(db.inner)
        except StoreUnavailable:
            has_data = False
    if has_data:
        raise KeyMissing(
            f"region {name!r} holds data but key {missing[0]!r} is missing from {directory}: "
            "restore the region's keys from a backup (onshore keys import); a new key would "
            "leave its records unreadable, so none is created",
            details={"region": name, "key": missing[0], "keys_dir": str(directory)},
        )
    if create:
        ensure_region_keys(keys)
        return keys
    raise _missing_keys(settings, name, missing)


def _guarded(settings: Settings, name: str) -> GuardedDatabase:
    url = settings.regions[name].store
    sync = settings.deployment.sqlite_synchronous
    return GuardedDatabase(
        name, url, lambda: open_database(url, base=settings.base_dir, sqlite_synchronous=sync)
    )


def _key_check(name: str, keys: KeyStore, clock: Clock) -> Callable[[RegionDatabase], None]:
    def check(db: RegionDatabase) -> None:
        with db.transaction():
            key_custody.check_region_keys(name, db, keys, clock.now())

    return check


def region_keys(settings: Settings, name: str) -> KeyStore:
    """Region ``name``'s key store, without opening its database (backup and restore)."""
    if name not in settings.regions:
        raise UnknownRegion(
            f"unknown region {name!r}", details={"configured": sorted(settings.regions)}
        )
    keys = open_key_store(settings, name)
    missing = [k for k in REQUIRED_KEYS if not keys.versions(k)]
    if missing:
        raise _missing_keys(settings, name, missing)
    return keys


def open_region_database(settings: Settings, name: str) -> RegionDatabase:
    """Region ``name``'s database, opened on its own (no key check; the caller closes it)."""
    return open_database(settings.regions[name].store, base=settings.base_dir)


def store_files(settings: Settings, name: str) -> list[Path]:
    """The files region ``name``'s SQLite store keeps its data in (database, WAL) that exist
    now; none for other backends (``onshore demo`` looks for plaintext in them)."""
    url = settings.regions[name].store
    if not url.startswith("sqlite:///"):
        return []
    path = sqlite_path(url, settings.base_dir)
    return [p for p in (path, Path(f"{path}-wal")) if p.exists()]


def open_runtime(
    settings: Settings, *, create_keys: bool = False, clock: Clock | None = None
) -> Runtime:
    """Open every configured region and load the policy packs.

    ``create_keys`` generates missing key material for regions that hold no data yet
    (``onshore init`` and the demo do); a region that holds data and lacks a key raises
    ``KeyMissing`` pointing at ``onshore keys import``. Keys that do not match what a
    region was written with raise ``KeysMismatch``. A region whose store is down is
    opened later, on first use (see the module docstring).
    """
    dep = settings.deployment
    country = dep.entity.incorporated_in
    set_deployment_zone(settings.calendar.zone(country))  # bare dates in the API's models
    engine = load_engine(
        dep.packs,
        dep.pack_paths,
        dep.enforce_unconfirmed,
        max_bytes=dep.pack_max_bytes,
        calendars=settings.calendar.calendars(country),
    )
    clock = clock or SystemClock()
    regions: dict[str, Region] = {}
    try:
        guarded: dict[str, GuardedDatabase] = {}
        for name, cfg in settings.regions.items():
            db = guarded[name] = _guarded(settings, name)
            regions[name] = Region(name=name, country=cfg.country, db=db, keys=MemoryKeyStore())
            regions[name].keys = _keys_for(settings, name, db, create=create_keys)
        # no region may hold another's key material; checked before anything is recorded
        key_custody.check_distinct(
            {n: key_custody.present_keys(r.keys).values() for n, r in regions.items()}
        )
        for name, db in guarded.items():
            db.set_on_open(_key_check(name, regions[name].keys, clock))
    except BaseException:
        for region in regions.values():
            region.db.close()
        raise
    return Runtime(
        settings=settings,
        regions=regions,
        engine=engine,
        entity=entity_facts(settings),
        geo=open_country_lookup(
            dep.geoip_mmdb
            if dep.geoip_mmdb is None or dep.geoip_mmdb.is_absolute()
            else settings.base_dir / dep.geoip_mmdb
        ),
        clock=clock,
        sign_grown=sign_grown,
    )
