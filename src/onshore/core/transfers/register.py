"""The transfer register: every transfer the ledgers record, grouped by route (pure).

A :class:`TransferLeaf` is what one ``record_transferred`` leaf on the exporting region's
ledger says (its time, the keyed hash of the subject, and its payload: regions, countries,
purpose, data categories, record kind, deciding rules). :func:`build_register` groups them by
exporting region, destination country and purpose into :class:`RegisterRow` values: the
data categories, the number of records and of distinct subjects (counted by keyed hash,
nothing decrypted), the legal basis (the rules that decided the transfers) and the first and
last transfer times. A leaf written before onshore recorded a field says so: the field reads
:data:`NOT_RECORDED`.

Example:
    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 3, 6, tzinfo=timezone.utc)
    >>> leaf = TransferLeaf(t, "vn-hcm", "sg-1", "VN", "SG", "analytics",
    ...                     ("email",), "profile", ("VN-D356-17-18",), b"s1")
    >>> [row] = build_register([leaf, leaf])
    >>> row.records, row.subjects, row.categories
    (2, 1, ('email',))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: What a field reads when the leaf was written before onshore recorded it.
NOT_RECORDED = "not recorded"


@dataclass(frozen=True, slots=True)
class TransferLeaf:
    """One transfer as the exporting region's ledger records it (no personal data: the
    subject is a keyed hash; ``None`` fields were not recorded by older versions)."""

    at: datetime
    from_region: str
    to_region: str
    from_country: str | None
    to_country: str | None
    purpose: str | None
    categories: tuple[str, ...] | None
    kind: str | None
    rules: tuple[str, ...]
    subject_ref: bytes | None

    @classmethod
    def of(
        cls,
        at: datetime,
        payload: Mapping[str, Any],
        subject_ref: bytes | None,
        countries: Mapping[str, str],
    ) -> TransferLeaf:
        """From a leaf's time, payload and subject ref; ``countries`` (region -> country of
        the configured regions) fills the countries a payload did not record."""
        src, dst = str(payload.get("from_region", "")), str(payload.get("to_region", ""))
        cats = payload.get("categories")
        return cls(
            at,
            src,
            dst,
            payload.get("from_country") or countries.get(src),
            payload.get("to_country") or countries.get(dst),
            payload.get("purpose"),
            tuple(cats) if isinstance(cats, list) else None,
            payload.get("kind"),
            tuple(payload.get("rules") or ()),
            subject_ref,
        )


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One route of the register: exporting region, destination country, purpose."""

    from_region: str
    from_country: str
    destination: str
    purpose: str
    categories: tuple[str, ...] | None
    kinds: tuple[str, ...] | None
    records: int
    subjects: int
    rules: tuple[str, ...]
    first_at: datetime
    last_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (fields not recorded read ``not recorded``)."""
        return {
            "from_region": self.from_region,
            "from_country": self.from_country,
            "destination": self.destination,
            "purpose": self.purpose,
            "categories": list(self.categories) if self.categories is not None else NOT_RECORDED,
            "kinds": list(self.kinds) if self.kinds is not None else NOT_RECORDED,
            "records": self.records,
            "subjects": self.subjects,
            "legal_basis": list(self.rules),
            "first_transfer_at": self.first_at.isoformat(),
            "last_transfer_at": self.last_at.isoformat(),
        }


def _union(sets: list[tuple[str, ...] | None]) -> tuple[str, ...] | None:
    known = [s for s in sets if s is not None]
    if not known:
        return None
    return tuple(sorted({c for s in known for c in s}))


def build_register(
    leaves: Iterable[TransferLeaf],
    *,
    country: str | None = None,
    since: datetime | None = None,
    region: str | None = None,
) -> list[RegisterRow]:
    """Group ``leaves`` into register rows (see the module docstring), keeping those to
    ``country`` (destination), from ``region``, at or after ``since``; rows sorted by
    exporting region, destination, purpose."""
    groups: dict[tuple[str, str, str, str], list[TransferLeaf]] = {}
    for leaf in leaves:
        dest = leaf.to_country or NOT_RECORDED
        if country is not None and dest != country:
            continue
        if since is not None and leaf.at < since:
            continue
        if region is not None and leaf.from_region != region:
            continue
        key = (leaf.from_region, leaf.from_country or NOT_RECORDED, dest, leaf.purpose or "")
        groups.setdefault(key, []).append(leaf)
    rows = []
    for (src, src_country, dest, purpose), group in sorted(groups.items()):
        refs = {leaf.subject_ref for leaf in group if leaf.subject_ref is not None}
        rows.append(
            RegisterRow(
                src,
                src_country,
                dest,
                purpose or NOT_RECORDED,
                _union([leaf.categories for leaf in group]),
                _union([(leaf.kind,) if leaf.kind else None for leaf in group]),
                len(group),
                len(refs),
                tuple(sorted({r for leaf in group for r in leaf.rules})),
                min(leaf.at for leaf in group),
                max(leaf.at for leaf in group),
            )
        )
    return rows


def summarise(rows: Iterable[RegisterRow]) -> dict[str, Any]:
    """Totals over ``rows`` for one route set: records, the countries, the categories, the
    rules, first and last transfer (the facts a dossier draws from the register).

    Example:
        >>> summarise([])["records"]
        0
    """
    rows = list(rows)
    cats = _union([r.categories for r in rows])
    return {
        "records": sum(r.records for r in rows),
        "subjects": sum(r.subjects for r in rows),
        "purposes": sorted({r.purpose for r in rows}),
        "categories": list(cats) if cats is not None else NOT_RECORDED,
        "legal_basis": sorted({x for r in rows for x in r.rules}),
        "first_transfer_at": min(r.first_at for r in rows).isoformat() if rows else None,
        "last_transfer_at": max(r.last_at for r in rows).isoformat() if rows else None,
    }
