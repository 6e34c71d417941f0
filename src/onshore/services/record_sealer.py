"""Sealing and opening records: the region's keys, the blind-index terms and the AAD.

``RecordSealer(phone_region)`` seals a batch of prepared records for a region under one fresh
data key, with their blind-index terms, every stored field bound into the ciphertext's AAD
(``core.envelope``, version 2); ``open`` decrypts a sealed row after every stored field has
been checked (``services.record_integrity``). The vault owns one and hands it to the paths
that write or read records (``services.region_set``).

Example:
    >>> from datetime import datetime, timezone
    >>> from onshore.adapters import open_database
    >>> from onshore.adapters.keystore import MemoryKeyStore, ensure_region_keys
    >>> from onshore.services.intake import Prepared, encode_body
    >>> from onshore.services.placement import Placement
    >>> from onshore.services.runtime import Region
    >>> keys = MemoryKeyStore(); ensure_region_keys(keys)
    >>> region = Region("vn-hcm", "VN", open_database("memory://"), keys)
    >>> at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    >>> data = {"phone": "+84912345678"}
    >>> body = encode_body("u-1", "profile", data, at, "VN")
    >>> p = Prepared("r-1", "u-1", "profile", body, data, {"phone": frozenset({"phone_number"})},
    ...              Placement("vn-hcm", "VN", frozenset({"phone_number"}), ()))
    >>> sealer = RecordSealer("VN")
    >>> [sealed] = sealer.seal(region, [p], at)
    >>> sealed.categories, len(sealed.index_terms)
    (('phone_number',), 1)
    >>> sealer.open(region, sealed).data
    {'phone': '+84912345678'}
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from onshore.core import blind_index
from onshore.core.envelope import Sealer, record_aad_v2
from onshore.ports import SealedRecord
from onshore.services.intake import Prepared
from onshore.services.record import Record
from onshore.services.record_integrity import open_row
from onshore.services.runtime import Region

_CATEGORY_SETS = 4096


class RecordSealer:
    """Seals records for a region and opens them again (see the module docstring)."""

    def __init__(self, phone_region: str) -> None:
        self.phone_region = phone_region
        self._sorted_categories: dict[frozenset[str], tuple[str, ...]] = {}

    def seal(self, region: Region, batch: Sequence[Prepared], now: datetime) -> list[SealedRecord]:
        """Seal a batch for ``region`` under one fresh data key, with its blind-index terms."""
        sealer = Sealer(region.keys.current("kek"), region.name)
        index_key = region.keys.current("index").material
        phone_region = self.phone_region
        name = region.name
        terms_for = blind_index.terms_for
        # a subject's records and a category set recur within a batch: compute each once
        refs: dict[str, bytes] = {}
        sorted_cats = self._sorted_categories
        out = []
        for p in batch:
            ref = refs.get(p.subject)
            if ref is None:
                ref = refs[p.subject] = blind_index.subject_ref(index_key, p.subject)
            fields = p.field_categories
            union = frozenset().union(*fields.values()) if fields else frozenset()
            categories = sorted_cats.get(union)
            if categories is None:
                if len(sorted_cats) > _CATEGORY_SETS:
                    sorted_cats.clear()
                categories = sorted_cats[union] = tuple(sorted(union))
            terms = terms_for(p.data, fields, index_key, default_region=phone_region)
            # every stored field is bound into the ciphertext's AAD (core.envelope, v2)
            aad = record_aad_v2(name, p.record_id, ref, p.kind, now, categories, terms)
            key_id, wrapped, nonce, ciphertext = sealer.seal(p.record_id, p.plaintext, aad=aad)
            out.append(
                SealedRecord(
                    p.record_id,
                    name,
                    ref,
                    p.kind,
                    now,
                    categories,
                    key_id,
                    wrapped,
                    nonce,
                    ciphertext,
                    terms,
                )
            )
        return out

    def open(self, region: Region, sealed: SealedRecord) -> Record:
        """Decrypt a sealed record of ``region`` (no ledger event: callers decide).

        Every stored field is checked first (``services.record_integrity``): an edited,
        moved or swapped row raises ``StoreIntegrityError`` naming region and record.
        """
        body = open_row(region, sealed)
        return Record(
            record_id=sealed.record_id,
            subject_id=body["s"],
            kind=body["k"],
            data=body["d"],
            created_at=sealed.created_at,
            region=region.name,
            categories=sealed.categories,
            subject_country=body["c"],
        )
