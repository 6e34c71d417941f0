"""Automatic checkpoints: sign each region whose ledger grew, so the unsigned tail stays short.

A leaf is protected against silent removal once a signed checkpoint covers it; until then it
sits in the *unsigned tail*. Two callers keep that tail short (docs/ledger.md, "the tail
window"):

- ``Runtime.close()`` calls :func:`sign_grown` (setting ``deployment.checkpoint_on_close``),
  so every CLI command that wrote leaves (``put``, ``erase``, case actions...) ends signed;
- the server runs :func:`run_periodically` in its lifespan, every
  ``deployment.checkpoint_interval_seconds``.

Each signs only when the region's log grew, after the tail checks of
``Ledger.checkpoint`` (``services.ledger_audit.audit_tail``); a region whose checks find
something is left unsigned and reported (logged as a warning), never signed over.

Example:
    >>> import tempfile
    >>> from onshore.settings import Settings, default_config_dict
    >>> from onshore.services.vault import Vault
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> vault = Vault.open(Settings.model_validate(cfg), create_keys=True)
    >>> _ = vault.put("u-1", "profile", {"phone": "+84912345678"})
    >>> sign_grown(vault.runtime)
    {'vn-hcm': 'signed'}
    >>> sign_grown(vault.runtime)
    {}
    >>> vault.close()
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Protocol

from onshore.core.errors import OnshoreError
from onshore.ports import Clock, KeyStore, RegionDatabase
from onshore.services.ledger import Ledger

log = logging.getLogger("onshore.ledger")


class SignableRegion(Protocol):
    """What signing a region's ledger needs of it (``services.runtime.Region`` has it)."""

    @property
    def db(self) -> RegionDatabase:
        """The region's database."""
        ...

    @property
    def keys(self) -> KeyStore:
        """The region's key store."""
        ...


class SignableRegions(Protocol):
    """The regions to sign and the clock (``services.runtime.Runtime`` has them): the
    runtime calls this module on close, so this module does not import it."""

    @property
    def regions(self) -> Mapping[str, SignableRegion]:
        """Region name -> region."""
        ...

    @property
    def clock(self) -> Clock:
        """The clock checkpoints are dated by."""
        ...


def sign_grown(runtime: SignableRegions) -> dict[str, str]:
    """Checkpoint every region whose ledger grew; ``{region: "signed" | error message}``.

    Never raises for a region's problem: a refused or failed checkpoint is logged and
    returned, and the other regions are still signed.
    """
    outcome: dict[str, str] = {}
    for name, region in runtime.regions.items():
        ledger = Ledger(name, region.db, region.keys)
        try:
            if not ledger.grew():
                continue
            ledger.checkpoint(runtime.clock.now())
        except OnshoreError as exc:
            outcome[name] = f"{exc.code}: {exc.message}"
            log.warning("ledger of %s not checkpointed: %s [%s]", name, exc.message, exc.code)
            continue
        outcome[name] = "signed"
    return outcome


async def run_periodically(runtime: SignableRegions, interval: float, stop: asyncio.Event) -> None:
    """Call :func:`sign_grown` (in a worker thread) every ``interval`` seconds until ``stop``
    is set; a round under way finishes first, so the stores are never closed under it."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), interval)
            return
        except TimeoutError:
            pass
        try:
            await asyncio.to_thread(sign_grown, runtime)
        except Exception:  # the timer must outlive one bad round (e.g. a store going down)
            log.exception("automatic checkpoint round failed")
