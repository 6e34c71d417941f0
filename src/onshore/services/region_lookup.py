"""Region lookups: find a record's region from its id, and search regions one of which is down.

Record ids the vault generates carry their region (``services.record_ids``:
``<region>~<32 hex>``). ``locate`` asks that region first and is done when it holds the
record; only when it does not (a caller-supplied id, an id from before region tags, or a
record transferred since) are the other regions asked, skipping regions that are down.
Then ``RecordNotFound`` means no region has it, and ``StoreUnavailable`` (naming the
region in ``details``) means a region that might hold it is down.

Searches over every region (``find``, ``records_of``) answer from the healthy regions.
When some region is down they raise ``PartialResults`` (``store.partial``, a
``StoreUnavailable``): ``details["regions"]`` lists the regions down (``details["region"]``
the first), ``details["answered"]`` those searched, and ``.records`` the records found
there. A caller that can use a partial answer catches it; everyone else gets a clear
error rather than a silently short list.

Example:
    >>> region_of_id("vn-hcm~" + "0" * 32)
    'vn-hcm'
    >>> region_of_id("caller-chosen-id") is None
    True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from onshore.core import blind_index
from onshore.core.errors import (
    InputError,
    PartialResults,
    RecordNotFound,
    StoreUnavailable,
    UnknownIdentifier,
)
from onshore.ports import SealedRecord
from onshore.services.record import Record
from onshore.services.record_ids import region_of_id
from onshore.services.record_integrity import (
    check_complete,
    expected_records,
    integrity_error,
)
from onshore.services.record_sealer import RecordSealer
from onshore.services.reindex import live_index_keys
from onshore.services.runtime import Region, Runtime

T = TypeVar("T")


def locate(runtime: Runtime, record_id: str) -> tuple[Region, SealedRecord]:
    """The region holding ``record_id`` and its sealed row (see the module docstring)."""
    tagged = region_of_id(record_id)
    order = list(runtime.regions.values())
    if tagged in runtime.regions:
        order.sort(key=lambda r: r.name != tagged)
    down: list[StoreUnavailable] = []
    for region in order:
        try:
            sealed = region.db.records.get(record_id)
        except StoreUnavailable as exc:
            exc.details.setdefault("region", region.name)
            down.append(exc)
            continue
        if sealed is not None:
            return region, sealed
    if down:
        names = [str(e.details["region"]) for e in down]
        raise StoreUnavailable(
            f"region {names[0]!r} is unavailable and may hold that record",
            details={"region": names[0], "regions": names, "record_id": record_id},
        ) from down[0]
    raise RecordNotFound("no record with that id", details={"record_id": record_id})


def across_regions(runtime: Runtime, search: Callable[[Region], Iterable[T]], what: str) -> list[T]:
    """``search`` over every region; ``PartialResults`` when some region is down."""
    found: list[T] = []
    down: list[str] = []
    answered: list[str] = []
    for region in runtime.regions.values():
        try:
            found.extend(search(region))
        except StoreUnavailable as exc:
            if isinstance(exc, PartialResults):
                raise
            down.append(region.name)
            continue
        answered.append(region.name)
    if down:
        raise PartialResults(
            f"{what}: region {down[0]!r} is unavailable; {len(found)} result(s) from "
            f"{', '.join(answered) or 'no region'} only",
            records=found,
            details={"region": down[0], "regions": down, "answered": answered, "partial": True},
        )
    return found


def _term(key: bytes, category: str, value: str, phone_region: str) -> bytes:
    if category not in blind_index.IDENTIFIER_CATEGORIES:
        raise UnknownIdentifier(
            f"no blind index for {category!r}",
            details={"allowed": sorted(blind_index.IDENTIFIER_CATEGORIES)},
        )
    normal = blind_index.normalise(category, value, default_region=phone_region)
    if normal is None:
        raise InputError(f"not a valid {category} value", details={"field": category})
    return blind_index.term(key, category, normal)


def find_records(runtime: Runtime, sealer: RecordSealer, by: Mapping[str, str]) -> list[Record]:
    """``Vault.find``: every hit's row checked, and checked to carry the searched terms."""
    if not by:
        raise InputError("find needs at least one identifier, e.g. by={'phone_number': ...}")
    phone_region = runtime.settings.deployment.default_phone_region
    for category, value in by.items():  # bad input fails before any region is asked
        _term(bytes(32), category, value, phone_region)

    def search(region: Region) -> list[Record]:
        # every live index key: during a rotation a record sits under the old or the new one
        keys = live_index_keys(region.keys)
        wanted = [[_term(k, c, v, phone_region) for k in keys] for c, v in by.items()]
        hits: dict[str, SealedRecord] | None = None
        for terms in wanted:
            matches = {s.record_id: s for t in terms for s in region.db.records.find(t)}
            hits = matches if hits is None else {k: v for k, v in hits.items() if k in matches}
        out = []
        for sealed in (hits or {}).values():
            record = sealer.open(region, sealed)
            if not all(any(t in sealed.index_terms for t in terms) for terms in wanted):
                raise integrity_error(region.name, sealed.record_id, "index terms edited")
            out.append(record)
        return out

    return across_regions(runtime, search, "find")


def subject_records(runtime: Runtime, sealer: RecordSealer, subject: str) -> list[Record]:
    """``Vault.records_of``: rows checked, the subject id inside each checked, and the set
    checked complete against the ledger (``record_integrity.check_complete``)."""

    def search(region: Region) -> list[Record]:
        return verified_subject_rows(sealer, region, subject)[1]

    return across_regions(runtime, search, "records_of")


def verified_subject_rows(
    sealer: RecordSealer, region: Region, subject: str
) -> tuple[list[SealedRecord], list[Record]]:
    """The subject's rows in ``region`` and their records, every one checked, and checked
    complete against the ledger; ``StoreIntegrityError`` naming region and record."""
    expected = expected_records(region, subject)
    rows: list[SealedRecord] = []
    seen: set[str] = set()
    for v in region.keys.versions("index"):
        ref = blind_index.subject_ref(v.material, subject)
        for sealed in region.db.records.by_subject(ref):
            if sealed.record_id not in seen:
                seen.add(sealed.record_id)
                rows.append(sealed)
    records = []
    for sealed in rows:
        record = sealer.open(region, sealed)
        if record.subject_id != subject:
            raise integrity_error(
                region.name, sealed.record_id, "subject reference edited", field="subject_ref"
            )
        records.append(record)
    check_complete(region, expected, [r.record_id for r in rows])
    return rows, records
