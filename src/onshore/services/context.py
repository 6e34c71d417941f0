"""What a service works with: the opened ``Runtime`` and each configured ``Region``.

``onshore.services.runtime`` (the composition root) builds these from ``Settings``: it picks
the adapters and hands them over typed as ports (``RegionDatabase``, ``KeyStore``, ``Clock``,
``CountryLookup``). Services take a ``Runtime`` or a ``Region`` and use those ports, never the
adapters behind them; this module imports no adapter and no other service, so any service may
import it.

Example:
    >>> from onshore.adapters.keystore import MemoryKeyStore
    >>> from onshore.adapters import open_database
    >>> Region("vn-hcm", "VN", db=open_database("memory://"), keys=MemoryKeyStore()).country
    'VN'
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from onshore.core.errors import StoreUnavailable, UnknownRegion
from onshore.ports import Clock, CountryLookup, KeyStore, RegionDatabase
from onshore.settings import Settings

if TYPE_CHECKING:
    from onshore.core.policy import EntityFacts, PolicyEngine


@dataclass
class Region:
    """One configured region: its country, database and keys."""

    name: str
    country: str
    db: RegionDatabase
    keys: KeyStore


@dataclass
class Runtime:
    """Everything a service needs, built once per process (``services.runtime.open_runtime``)."""

    settings: Settings
    regions: dict[str, Region]
    engine: PolicyEngine
    entity: EntityFacts
    geo: CountryLookup
    clock: Clock
    #: Sign a checkpoint of each grown ledger on ``close()`` (with the setting
    #: ``deployment.checkpoint_on_close``); read-only commands turn it off.
    checkpoint_on_close: bool = True
    closed: bool = False
    #: What signs the grown ledgers on close (``services.checkpointer.sign_grown``, given by
    #: the runtime that opened this one).
    sign_grown: Callable[[Runtime], object] | None = None

    def region(self, name: str) -> Region:
        """The region called ``name``; ``UnknownRegion`` when it is not configured."""
        try:
            return self.regions[name]
        except KeyError:
            raise UnknownRegion(
                f"unknown region {name!r}", details={"configured": sorted(self.regions)}
            ) from None

    def close(self) -> None:
        """Sign the grown ledgers (``services.checkpointer``), then close every database."""
        if self.closed:
            return
        self.closed = True
        try:
            if (
                self.checkpoint_on_close
                and self.settings.deployment.checkpoint_on_close
                and self.sign_grown is not None
            ):
                self.sign_grown(self)
        except Exception:  # closing must close: a failed checkpoint is logged, not raised
            logging.getLogger("onshore.ledger").exception("automatic checkpoint on close failed")
        finally:
            for region in self.regions.values():
                region.db.close()

    def down(self) -> dict[str, str]:
        """Regions whose store cannot be reached now: name -> error code."""
        out: dict[str, str] = {}
        for name, region in self.regions.items():
            try:
                region.db.ping()
            except StoreUnavailable as exc:
                out[name] = exc.code
        return out
