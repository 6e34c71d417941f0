"""The transfer register, read from the region ledgers (issue 16, item 3).

Every transfer the vault performs (:mod:`onshore.services.transfer`) writes a
``record_transferred`` leaf on the exporting region's ledger and on the importing one's.
:func:`transfer_leaves` reads the exporting side of each region's ledger: it scans the
leaves' type byte, decodes only the transfer leaves and reads their payloads (no personal
data: regions, countries, purpose, categories, record kind, deciding rules; the subject is
a keyed hash, counted, never reversed). :func:`register` groups them into the register's
rows (:func:`onshore.core.transfers.register.build_register`). A region that cannot be read
raises (the register is never silently partial).

Example:
    >>> import tempfile
    >>> from onshore.services.runtime import open_runtime
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> rt = open_runtime(Settings.model_validate(cfg), create_keys=True)
    >>> register(rt)
    []
    >>> rt.close()
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from onshore.core.ledger import EventType
from onshore.core.ledger.leaf import decode_leaf
from onshore.core.transfers.register import RegisterRow, TransferLeaf, build_register
from onshore.services.runtime import Runtime

#: Leaves read per query.
CHUNK = 4096
_TRANSFERRED = int(EventType.RECORD_TRANSFERRED)


def transfer_leaves(runtime: Runtime, region: str | None = None) -> Iterator[TransferLeaf]:
    """Every transfer out of ``region`` (default: out of every configured region), in ledger
    order, from the exporting region's leaves."""
    countries = {name: r.country for name, r in runtime.regions.items()}
    names = [runtime.region(region).name] if region else sorted(runtime.regions)
    for name in names:
        store = runtime.region(name).db.ledger
        size = store.size()
        for start in range(0, size, CHUNK):
            for _, entry, _ in store.leaves(start, min(size, start + CHUNK)):
                if entry[1] != _TRANSFERRED:
                    continue
                leaf = decode_leaf(entry)
                body = store.payload(leaf.payload_commitment)
                if body is None:  # shredded: the leaf no longer says which side it is
                    continue
                payload = json.loads(body)
                if payload.get("from_region") != name:
                    continue  # the importing side of a transfer
                yield TransferLeaf.of(leaf.at, payload, leaf.subject_ref, countries)


def register(
    runtime: Runtime,
    *,
    country: str | None = None,
    since: datetime | None = None,
    region: str | None = None,
) -> list[RegisterRow]:
    """The register's rows (to ``country``, from ``region``, at or after ``since``)."""
    return build_register(
        transfer_leaves(runtime, region), country=country, since=since, region=region
    )
