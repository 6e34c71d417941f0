"""Blind-index key rotation: move every record's keyed hashes to the newest ``index`` key.

After ``onshore keys rotate REGION --key index`` the region has two live index keys: new
records are written under the newest, and every search (``find``, ``records_of``,
erasure, authority-request scopes) computes its terms under each live version, so both
old and moved records are found throughout. ``reindex`` then walks the records page by
page, each page in one transaction: it opens each record, recomputes its subject ref and
each stored term under the newest key, and replaces them (ciphertexts untouched). A term is
recomputed only when its old value is found again from the record's own fields, so a
record whose stored terms cannot all be reproduced is left as it was and counted as
``stuck`` (still found under the old key). Legal holds and the scope terms of open cases
that name a moved ref or term get the new one added. ``retire_index`` takes an old
version out of use once nothing depends on it. Safe to interrupt and re-run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

from onshore.core import blind_index
from onshore.core.cases.listing import CaseQuery
from onshore.core.envelope import Sealer, sealed_aad, unseal
from onshore.core.errors import KeyRotationIncomplete, KeyStoreUnavailable
from onshore.core.ledger import EventType, LedgerEvent
from onshore.ports import KeyStore, KeyVersion, LegalHold, SealedRecord
from onshore.services.ledger import Ledger
from onshore.services.runtime import Region, Runtime

INDEX_KEY = "index"


@runtime_checkable
class RetiringKeyStore(Protocol):
    """A key store that can take an old key version out of use (every onshore store can)."""

    def retire(self, key_id: str) -> None:
        """Stop serving ``key_id`` (never the current version)."""


def live_index_keys(keys: KeyStore) -> list[bytes]:
    """The material of every live ``index`` version, newest first (what searches hash with).

    Example:
        >>> from onshore.adapters.keystore import MemoryKeyStore
        >>> s = MemoryKeyStore(); a = s.create("index").material; b = s.rotate("index").material
        >>> live_index_keys(s) == [b, a]
        True
    """
    return [v.material for v in reversed(keys.versions(INDEX_KEY))]


@dataclass
class ReindexReport:
    """What ``reindex`` did in one region."""

    region: str
    key_id: str
    records: int = 0
    moved: int = 0
    stuck: list[str] = field(default_factory=list)
    holds: int = 0
    cases: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
        return {
            "region": self.region,
            "key_id": self.key_id,
            "records": self.records,
            "moved": self.moved,
            "stuck": len(self.stuck),
            "holds": self.holds,
            "cases": self.cases,
        }


def _moved_record(
    record: SealedRecord,
    body: Mapping[str, Any],
    old: list[KeyVersion],
    new: KeyVersion,
    phone_region: str,
) -> tuple[SealedRecord, bytes, dict[bytes, bytes]] | None:
    """The record under ``new`` with the old ref and term map, or None when a stored term
    cannot be reproduced from its fields."""
    subject = str(body["s"])
    data = body.get("d") or {}
    match = [v for v in old if blind_index.subject_ref(v.material, subject) == record.subject_ref]
    if not match:
        return None
    key = match[0].material
    stored = set(record.index_terms)
    categories = sorted(set(record.categories) & blind_index.IDENTIFIER_CATEGORIES)
    terms: dict[bytes, bytes] = {}
    for value in data.values() if isinstance(data, Mapping) else ():
        items = value if isinstance(value, list | tuple) else (value,)
        for category in categories:
            for item in items:
                normal = blind_index.normalise(category, item, default_region=phone_region)
                if normal is None:
                    continue
                old_term = blind_index.term(key, category, normal)
                if old_term in stored and old_term not in terms:
                    terms[old_term] = blind_index.term(new.material, category, normal)
    if set(terms) != stored:
        return None
    new_terms = tuple(dict.fromkeys(terms[t] for t in record.index_terms))
    new_ref = blind_index.subject_ref(new.material, subject)
    return replace(record, subject_ref=new_ref, index_terms=new_terms), new_ref, terms


def _resealed(sealer: Sealer, record: SealedRecord, plaintext: bytes) -> SealedRecord:
    """``record`` sealed again: its AAD binds the subject reference and the index terms, so
    a row moved to a new index key is re-encrypted under a fresh data key."""
    key_id, wrapped, nonce, ciphertext = sealer.seal(
        record.record_id, plaintext, aad=sealed_aad(record)
    )
    return replace(record, key_id=key_id, wrapped_key=wrapped, nonce=nonce, ciphertext=ciphertext)


def reindex(
    runtime: Runtime,
    region_name: str,
    *,
    page_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
    actor: str | None = None,
) -> ReindexReport:
    """Move every record of ``region_name`` to the newest index key (module docstring)."""
    region = runtime.region(region_name)
    newest = region.keys.current(INDEX_KEY)
    old = [v for v in region.keys.versions(INDEX_KEY) if v.version != newest.version]
    report = ReindexReport(region.name, newest.key_id)
    phone_region = runtime.settings.deployment.default_phone_region
    refs: dict[bytes, bytes] = {}
    terms: dict[bytes, bytes] = {}
    total = region.db.records.count()
    after: str | None = None
    while True:
        page = region.db.records.page(after, page_size)
        if not page:
            break
        sealer = Sealer(region.keys.current("kek"), region.name)
        with region.db.transaction():
            for record in page:
                report.records += 1
                plaintext = unseal(record, region.keys.get(record.key_id))
                body = json.loads(plaintext)
                if record.subject_ref == blind_index.subject_ref(newest.material, body["s"]):
                    continue
                moved = _moved_record(record, body, old, newest, phone_region)
                if moved is None:
                    report.stuck.append(record.record_id)
                    continue
                region.db.records.put(_resealed(sealer, moved[0], plaintext))
                refs[record.subject_ref] = moved[1]
                terms.update(moved[2])
                report.moved += 1
        after = page[-1].record_id
        if progress is not None:
            progress(report.records, total)
    report.holds = _move_holds(runtime, refs)
    report.cases = _move_case_terms(runtime, region.name, refs, terms)
    outcome = {"outcome": "reindexed", "records": report.moved}
    _record(region, runtime, actor, {"key_name": INDEX_KEY, "key_id": newest.key_id, **outcome})
    return report


def _move_holds(runtime: Runtime, refs: Mapping[bytes, bytes]) -> int:
    """Give every hold on a moved ref the same hold on the new ref (any region's store)."""
    if not refs:
        return 0
    count = 0
    for region in runtime.regions.values():
        with region.db.transaction():
            for hold in region.db.cases.holds(subject_refs=list(refs)):
                moved = LegalHold(
                    refs[hold.subject_ref],
                    hold.case_id,
                    hold.placed_at,
                    hold.expires_at,
                    hold.extended,
                    hold.released_at,
                )
                region.db.cases.put_hold(moved)
                count += 1
    return count


def _move_case_terms(
    runtime: Runtime, name: str, refs: Mapping[bytes, bytes], terms: Mapping[bytes, bytes]
) -> int:
    """Add the new refs and terms to the scope of every case that names moved ones."""
    if not refs and not terms:
        return 0
    hex_map = {k.hex(): v.hex() for m in (refs, terms) for k, v in m.items()}
    count = 0
    for region in runtime.regions.values():
        after: str | None = None
        while True:
            page = region.db.cases.page(CaseQuery(after=after, limit=200))
            for case in page.cases:
                scope = (case.data.get("scope_terms") or {}).get(name)
                if not scope:
                    continue
                new_scope = {}
                for part in ("terms", "refs"):
                    values = list(scope.get(part, []))
                    extra = [hex_map[v] for v in values if v in hex_map]
                    new_scope[part] = list(dict.fromkeys(values + extra))
                if new_scope == {p: list(scope.get(p, [])) for p in ("terms", "refs")}:
                    continue
                scope_terms = {**case.data["scope_terms"], name: {**scope, **new_scope}}
                with region.db.transaction():
                    region.db.cases.update(
                        replace(case, data={**case.data, "scope_terms": scope_terms})
                    )
                count += 1
            if page.next_cursor is None:
                break
            after = page.next_cursor
    return count


def _record(region: Region, runtime: Runtime, actor: str | None, payload: dict[str, Any]) -> None:
    event = LedgerEvent(
        type=EventType.KEY_ROTATED,
        at=runtime.clock.now(),
        region=region.name,
        actor=actor,
        payload=payload,
    )
    with region.db.transaction():
        Ledger(region.name, region.db, region.keys).append([event])


def retire_index(
    runtime: Runtime, region_name: str, key_id: str, *, actor: str | None = None
) -> ReindexReport:
    """Take index version ``key_id`` out of use after a final ``reindex`` pass finds no
    record still under it. Raises ``KeyRotationIncomplete`` (and retires nothing) when
    records are stuck; ``KeyStoreUnavailable`` when the store cannot retire keys."""
    region = runtime.region(region_name)
    store = region.keys
    if not isinstance(store, RetiringKeyStore):
        raise KeyStoreUnavailable(f"the key store of {region_name!r} cannot retire keys")
    version = store.get(key_id)
    if version.name != INDEX_KEY:
        raise KeyRotationIncomplete(
            f"only index keys are retired ({key_id!r} stays: what it protects names it)",
            details={"key": key_id},
        )
    report = reindex(runtime, region_name, actor=actor)
    if report.stuck:
        raise KeyRotationIncomplete(
            f"{len(report.stuck)} record(s) of {region_name} still carry index terms that "
            f"cannot be moved to {report.key_id}; {key_id} stays live",
            details={"region": region_name, "stuck": report.stuck[:20]},
        )
    # the region's key custody forgets the version first (a crash in between leaves a live
    # key recorded again as new at the next open, never a region that refuses to open)
    with region.db.transaction():
        kept = [(k, f) for k, f in region.db.key_fingerprints.all().items() if k != key_id]
        region.db.key_fingerprints.replace(kept, runtime.clock.now())
    store.retire(key_id)
    _record(region, runtime, actor, {"key_name": INDEX_KEY, "key_id": key_id, "outcome": "retired"})
    return report
