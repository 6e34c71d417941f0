"""Record update: change a stored record's data where it lives, as its own ledger event.

A put with an existing ``record_id`` never changes the record (the same content returns the
original receipt, different content is ``RecordConflict``); an update is explicit. The record
keeps its id, subject, region and creation time; its fields are classified again (or taken
from ``categories``), the policy packs must still allow those categories in its region, and
it is re-sealed under the region's current key with a ``record_updated`` leaf in the same
transaction.

Example:
    >>> import tempfile
    >>> from onshore.settings import Settings, default_config_dict
    >>> from onshore.services.vault import Vault
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> vault = Vault.open(Settings.model_validate(cfg), create_keys=True)
    >>> first = vault.put("u-1", "profile", {"name": "Lan"}, record_id="r-1")
    >>> second = update_record(vault.region_set, vault.placer, "r-1", {"name": "Lan Anh"})
    >>> (second.region, second.ledger_index > first.ledger_index, vault.get("r-1").data)
    ('vn-hcm', True, {'name': 'Lan Anh'})
    >>> vault.close()
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from onshore.core.ledger import EventType, LedgerEvent
from onshore.services import failpoints
from onshore.services.intake import Prepared, check_kind, sized_body
from onshore.services.placement import Placer
from onshore.services.record import Receipt
from onshore.services.region_lookup import locate
from onshore.services.region_set import RegionSet


def update_record(
    region_set: RegionSet,
    placer: Placer,
    record_id: str,
    data: Mapping[str, Any],
    *,
    kind: str | None = None,
    categories: Mapping[str, Iterable[str]] | None = None,
    actor: str | None = None,
) -> Receipt:
    """Replace ``record_id``'s data (see the module docstring); ``RecordNotFound`` when
    there is no such record, ``PolicyDenied`` when its region may not hold the new data
    (``placer`` checks the new categories in the record's region)."""
    runtime = region_set.runtime
    region, sealed = locate(runtime, record_id)
    old = region_set.sealer.open(region, sealed)
    new_kind = old.kind if kind is None else check_kind(kind)
    settings = runtime.settings
    plaintext = sized_body(
        settings, old.subject_id, new_kind, data, old.created_at, old.subject_country
    )
    now = runtime.clock.now()
    fields = placer.categories(data, categories)
    union = frozenset().union(*fields.values()) if fields else frozenset()
    placement = placer.check(old.subject_country, union, region, now)
    prepared = Prepared(
        record_id, old.subject_id, new_kind, plaintext, data, fields, placement, True
    )
    event = LedgerEvent(
        type=EventType.RECORD_UPDATED,
        at=now,
        region=region.name,
        record_id=record_id,
        subject_id=old.subject_id,
        actor=actor,
        payload=placement.ledger_payload(new_kind),
    )
    with region.db.transaction():
        region.db.records.put_many(region_set.sealer.seal(region, [prepared], old.created_at))
        [index] = region_set.ledger(region.name).append([event])
        failpoints.hit("vault.before_commit")
    failpoints.hit("vault.after_region_commit")
    return Receipt(record_id, region.name, index)
