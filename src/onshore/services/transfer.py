"""Transfer: move a record to another region when the policy packs allow its new country.

The record is re-sealed under the target region's keys and written there with a
``RECORD_TRANSFERRED`` leaf before it is deleted from the source with its own leaf, so a
failure between the two steps never loses it (a retry finds it in the target and the
source write is idempotent by record id). A denied target raises ``PolicyDenied`` with the
decision's explanation and changes nothing.

The leaves' payload says what the transfer register needs (no personal data): the regions
and their countries, the purpose, the data categories, the record kind, the deciding rules
and the keys of the obligations the ``transfer`` decision owes. When one of these is a
dossier (the TIA dossier after a transfer abroad), a ``transfer_assessment`` case is opened
for the route unless one is open (:mod:`onshore.services.transfer_assessments`).
"""

from __future__ import annotations

from onshore.core.errors import InputError
from onshore.core.ledger import EventType, LedgerEvent
from onshore.services.intake import Prepared, encode_body
from onshore.services.placement import Placer
from onshore.services.record import Receipt
from onshore.services.region_lookup import locate
from onshore.services.region_set import RegionSet
from onshore.services.transfer_assessments import open_owed, transfer_decision


def transfer_record(
    region_set: RegionSet,
    placer: Placer,
    record_id: str,
    to_region: str,
    *,
    purpose: str,
    actor: str | None = None,
) -> Receipt:
    """Move ``record_id`` to ``to_region`` (see the module docstring); ``placer`` checks
    that the policy packs allow the target region's country."""
    runtime = region_set.runtime
    source, sealed = locate(runtime, record_id)
    target = runtime.region(to_region)
    if target.name == source.name:
        raise InputError("the record already lives in that region")
    record = region_set.sealer.open(source, sealed)
    now = runtime.clock.now()
    placement = placer.check(record.subject_country, frozenset(record.categories), target, now)
    plaintext = encode_body(
        record.subject_id, record.kind, record.data, record.created_at, record.subject_country
    )
    prepared = Prepared(
        record_id,
        record.subject_id,
        record.kind,
        plaintext,
        record.data,
        placer.categories(record.data, None),
        placement,
    )
    categories = frozenset(record.categories)
    decision = transfer_decision(
        runtime, record.subject_country, categories, source.country, target.country, now
    )
    payload = {
        "from_region": source.name,
        "to_region": target.name,
        "from_country": source.country,
        "to_country": target.country,
        "purpose": purpose,
        "kind": record.kind,
        "categories": sorted(categories),
        "rules": sorted({*placement.decision_rules, *decision.deciding_rules}),
        "obligations": sorted({o.key for o in decision.obligations if o.key}),
    }

    def event(region: str) -> LedgerEvent:
        return LedgerEvent(
            type=EventType.RECORD_TRANSFERRED,
            at=now,
            region=region,
            record_id=record_id,
            subject_id=record.subject_id,
            actor=actor,
            payload=payload,
        )

    with target.db.transaction():
        target.db.records.put_many(region_set.sealer.seal(target, [prepared], record.created_at))
        [index] = region_set.ledger(target.name).append([event(target.name)])
    with source.db.transaction():
        source.db.records.delete(record_id)
        region_set.ledger(source.name).append([event(source.name)])
    open_owed(runtime, decision, source.name, target.country, now)
    return Receipt(record_id, target.name, index)
