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
    >>> second = update_record(vault, "r-1", {"name": "Lan Anh"})
    >>> (second.region, second.ledger_index > first.ledger_index, vault.get("r-1").data)
    ('vn-hcm', True, {'name': 'Lan Anh'})
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from onshore.core.ledger import EventType, LedgerEvent
from onshore.services import failpoints
from onshore.services.intake import Prepared, check_kind, sized_body

if TYPE_CHECKING:
    from onshore.services.vault import Receipt, Vault


def update_record(
    vault: Vault,
    record_id: str,
    data: Mapping[str, Any],
    *,
    kind: str | None = None,
    categories: Mapping[str, Iterable[str]] | None = None,
    actor: str | None = None,
) -> Receipt:
    """Replace ``record_id``'s data (see the module docstring); ``RecordNotFound`` when
    there is no such record, ``PolicyDenied`` when its region may not hold the new data."""
    from onshore.services.vault import Receipt

    region, sealed = vault.locate(record_id)
    old = vault.open_sealed(region, sealed)
    new_kind = old.kind if kind is None else check_kind(kind)
    settings = vault.runtime.settings
    plaintext = sized_body(
        settings, old.subject_id, new_kind, data, old.created_at, old.subject_country
    )
    now = vault.runtime.clock.now()
    fields = vault.placer.categories(data, categories)
    union = frozenset().union(*fields.values()) if fields else frozenset()
    placement = vault.placer.check(old.subject_country, union, region, now)
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
        region.db.records.put_many(vault.seal(region, [prepared], old.created_at))
        [index] = vault.ledger(region.name).append([event])
        failpoints.hit("vault.before_commit")
    failpoints.hit("vault.after_region_commit")
    return Receipt(record_id, region.name, index)
