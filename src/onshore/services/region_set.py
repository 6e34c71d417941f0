"""The vault's regions as its write and read paths use them: handles, ledgers and the sealer.

``RegionSet(runtime, sealer)`` is what the vault owns and passes down to the paths it
delegates to (``services.batch_commit``, ``services.batch_recovery``,
``services.idempotency``, ``services.erasure``, ``services.transfer``,
``services.record_update``): the runtime's regions and clock, one ``Ledger`` per region
(built once), and the ``RecordSealer`` that seals and opens records. Those paths import this
module, never the vault.

Example:
    >>> import tempfile
    >>> from onshore.services.record_sealer import RecordSealer
    >>> from onshore.services.runtime import open_runtime
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> rt = open_runtime(Settings.model_validate(cfg), create_keys=True)
    >>> regions = RegionSet(rt, RecordSealer("VN"))
    >>> regions.ledger("sg-1").region, regions.ledger("sg-1") is regions.ledger("sg-1")
    ('sg-1', True)
    >>> rt.close()
"""

from __future__ import annotations

from onshore.services.ledger import Ledger
from onshore.services.record_sealer import RecordSealer
from onshore.services.runtime import Runtime


class RegionSet:
    """A runtime's regions with their ledgers and the record sealer (module docstring)."""

    def __init__(self, runtime: Runtime, sealer: RecordSealer) -> None:
        self.runtime = runtime
        self.sealer = sealer
        self._ledgers = {name: Ledger(name, r.db, r.keys) for name, r in runtime.regions.items()}

    def ledger(self, region: str) -> Ledger:
        """The ledger of ``region``; ``UnknownRegion`` when it is not configured."""
        self.runtime.region(region)
        return self._ledgers[region]
