"""Count a breach's affected subjects and records per country, without decrypting anything.

The scope names record ids, subject ids, or regions with a time window (records created in
``[from, to)``), in any mix. Everything is read from the sealed rows' clear columns: the
record's region (hence its country: a record lives in the region its subject's law
requires), its ``subject_ref`` (a keyed hash under the region's index key), its
``created_at`` and ``categories``. Subject ids are hashed with every live index key of each
region (as the vault's searches do) and never stored: the case keeps only how many were
named, their masked form and the counts.

A subject is counted once per region (records of one subject in one region share a
reference; two regions hash the same subject with different keys, so a subject with records
in two regions of one country is counted in each); counts are the "approximate numbers" the
laws ask for.

Example:
    >>> counts = Tally()
    >>> counts.add("VN", "vn-hcm", b"ref1", ("email",)); counts.add("VN", "vn-hcm", b"ref1", ())
    >>> counts.to_dict()["by_country"]["VN"]["subjects"]
    1
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from onshore.core import blind_index
from onshore.core.cases.kinds.breach import BreachScope
from onshore.core.errors import InputError
from onshore.ports import SealedRecord
from onshore.services.record_ids import region_of_id
from onshore.services.reindex import live_index_keys
from onshore.services.runtime import Region, Runtime

#: Rows read per page when a time window is scanned.
PAGE = 1000


@dataclass
class Tally:
    """Distinct subject references and records per country (and per region)."""

    refs: dict[str, set[tuple[str, bytes]]] = field(default_factory=dict)
    records: dict[str, set[str]] = field(default_factory=dict)
    categories: dict[str, dict[str, int]] = field(default_factory=dict)
    regions: dict[str, set[str]] = field(default_factory=dict)

    def add(
        self,
        country: str,
        region: str,
        ref: bytes,
        categories: Iterable[str],
        record_id: str | None = None,
    ) -> None:
        """Count one sealed record of ``country`` (its subject once per region)."""
        self.refs.setdefault(country, set()).add((region, ref))
        self.regions.setdefault(country, set()).add(region)
        if record_id is not None:
            seen = self.records.setdefault(country, set())
            if record_id in seen:
                return
            seen.add(record_id)
        cats = self.categories.setdefault(country, {})
        for c in categories:
            cats[c] = cats.get(c, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts: per country, subjects, records, categories, regions; totals."""
        by_country = {
            c: {
                "subjects": len(self.refs[c]),
                "records": len(self.records.get(c, ())),
                "categories": dict(sorted(self.categories.get(c, {}).items())),
                "regions": sorted(self.regions.get(c, ())),
            }
            for c in sorted(self.refs)
        }
        return {
            "by_country": by_country,
            "total_subjects": sum(v["subjects"] for v in by_country.values()),
            "total_records": sum(v["records"] for v in by_country.values()),
        }


def _record(tally: Tally, region: Region, sealed: SealedRecord) -> None:
    tally.add(region.country, region.name, sealed.subject_ref, sealed.categories, sealed.record_id)


def _window_rows(
    region: Region, start: datetime | None, end: datetime | None
) -> Iterator[SealedRecord]:
    after: str | None = None
    while True:
        rows = region.db.records.page(after, PAGE)
        if not rows:
            return
        for row in rows:
            if (start is None or row.created_at >= start) and (end is None or row.created_at < end):
                yield row
        after = rows[-1].record_id


def subject_refs(runtime: Runtime, subjects: Iterable[str]) -> dict[str, list[str]]:
    """Per region, the keyed hashes (hex) of ``subjects`` under every live index key: what
    the case keeps instead of the ids."""
    named = list(dict.fromkeys(s for s in subjects if s.strip()))
    return {
        name: [blind_index.subject_ref(k, s).hex() for s in named for k in live_index_keys(r.keys)]
        for name, r in runtime.regions.items()
    }


def identifier_terms(
    runtime: Runtime, identifiers: Mapping[str, list[str]]
) -> dict[str, list[str]]:
    """Per region, the blind-index terms (hex) of ``identifiers`` under every live index
    key (what the case keeps instead of the values); ``InputError`` naming the category of
    a value that is not one."""
    phone_region = runtime.settings.deployment.default_phone_region
    normal: list[tuple[str, str]] = []
    for category, values in identifiers.items():
        for value in values:
            found = blind_index.normalise(category, value, default_region=phone_region)
            if found is None:
                raise InputError(
                    f"not a valid {category} in the scope", details={"field": category}
                )
            normal.append((category, found))
    return {
        name: [
            blind_index.term(k, c, v).hex()
            for c, v in dict.fromkeys(normal)
            for k in live_index_keys(r.keys)
        ]
        for name, r in runtime.regions.items()
    }


def count_affected(
    runtime: Runtime,
    scope: BreachScope,
    refs: Mapping[str, list[str]],
    named: int,
    terms: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The counts of ``scope`` whose subjects are given as ``refs`` (:func:`subject_refs`;
    ``named`` of them) and whose identifiers as ``terms`` (:func:`identifier_terms`);
    ``InputError`` for an unknown region. Record ids not found anywhere are counted under
    ``unknown_record_ids``."""
    for wanted in scope.regions:
        if wanted not in runtime.regions:
            raise InputError(
                f"unknown region {wanted!r} in the scope",
                details={"known": sorted(runtime.regions)},
            )
    tally = Tally()
    unknown = 0
    for rid in dict.fromkeys(scope.record_ids):
        tagged = region_of_id(rid)
        places = (
            [runtime.regions[tagged]]
            if tagged is not None and tagged in runtime.regions
            else list(runtime.regions.values())
        )
        found = False
        for region in places:
            sealed = region.db.records.get(rid)
            if sealed is not None:
                _record(tally, region, sealed)
                found = True
                break
        unknown += not found
    for name, hexes in refs.items():
        region = runtime.region(name)
        for ref in dict.fromkeys(hexes):
            for sealed in region.db.records.by_subject(bytes.fromhex(ref)):
                _record(tally, region, sealed)
    for name, hexes in (terms or {}).items():
        region = runtime.region(name)
        for term in dict.fromkeys(hexes):
            for sealed in region.db.records.find(bytes.fromhex(term)):
                _record(tally, region, sealed)
    for name in scope.regions:
        region = runtime.regions[name]
        for sealed in _window_rows(region, scope.start, scope.end):
            _record(tally, region, sealed)
    return {
        **tally.to_dict(),
        "unknown_record_ids": unknown,
        "scope": {
            "record_ids": len(set(scope.record_ids)),
            "subjects": named,
            "identifiers": sum(len(v) for v in scope.identifiers.values()),
            "regions": list(scope.regions),
            "from": scope.start.isoformat() if scope.start else None,
            "to": scope.end.isoformat() if scope.end else None,
        },
    }


def scope_dict(scope: BreachScope) -> dict[str, Any]:
    """The scope as the case keeps it for a recount: record ids, regions and window (the
    subjects and identifiers are kept as keyed hashes, never as given)."""
    return scope.model_dump(mode="json", by_alias=True, exclude={"subjects", "identifiers"})
