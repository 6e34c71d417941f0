"""Cross-region reads: a record read from another region leaves a leaf on its own ledger.

When a caller in region A reads records held in region B (``GET /v1/subjects/{id}`` with
``caller_region``), the read needs a purpose, and B's ledger gets one ``record_read`` leaf per
record (from B to A, with the purpose), appended in B's transaction. Records held in the
caller's own region are read without a leaf.

Example:
    >>> from onshore.services.runtime import open_runtime
    >>> from onshore.services.vault import Vault
    >>> from onshore.settings import Settings, default_config_dict
    >>> import tempfile
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> vault = Vault(open_runtime(Settings.model_validate(cfg), create_keys=True))
    >>> record_cross_region_reads(vault, [], "vn-hcm", None, "t1")  # nothing foreign: no leaf
    >>> vault.close()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from onshore.core.errors import InputError
from onshore.core.ledger import EventType, LedgerEvent

if TYPE_CHECKING:
    from onshore.services.vault import Record, Vault


def record_cross_region_reads(
    vault: Vault,
    records: Sequence[Record],
    caller_region: str,
    purpose: str | None,
    actor: str,
) -> None:
    """Append a ``record_read`` leaf to the ledger of each region that holds one of
    ``records`` other than ``caller_region``; ``InputError`` when there is one and no
    ``purpose``, ``UnknownRegion`` when ``caller_region`` is not configured."""
    vault.runtime.region(caller_region)
    foreign: dict[str, list[Record]] = {}
    for r in records:
        if r.region != caller_region:
            foreign.setdefault(r.region, []).append(r)
    if foreign and not purpose:
        raise InputError("a read from another region needs a purpose", details={"field": "purpose"})
    now = vault.runtime.clock.now()
    for region, held in foreign.items():
        events = [
            LedgerEvent(
                type=EventType.RECORD_READ,
                at=now,
                region=region,
                record_id=r.record_id,
                actor=actor,
                payload={
                    "from_region": region,
                    "to_region": caller_region,
                    "purpose": purpose or "",
                },
            )
            for r in held
        ]
        with vault.runtime.regions[region].db.transaction():
            vault.ledger(region).append(events)
