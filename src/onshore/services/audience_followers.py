"""Follower attribution: which country each follower of an account counts for, from the
residency resolver's signals, kept only as counts with their confidence.

A follower row is ``follower_id`` plus residency signals (DESIGN §2 keys:
``declared_residence``, ``phone_number``, ``address_country``, ``ip``). Each follower's
country comes from :func:`onshore.core.policy.residency.resolve_residency` (IP look-ups
through the runtime's country lookup). Nothing about a follower is stored: the ids are
keyed-hashed with the region's ``index`` key (``blind_index.subject_ref``) only to find
repeats in the same list, and the result is, per country, the number of followers, their
mean and lowest confidence, and how many were decided by each signal.

Example:
    >>> result = attribute(
    ...     [(1, {"follower_id": "f1", "phone_number": "+84912345678"}),
    ...      (2, {"follower_id": "f2", "ip": "8.8.8.8", "address_country": "VN"}),
    ...      (3, {"follower_id": "f1", "declared_residence": "SG"}),
    ...      (4, {"follower_id": "f3", "favourite": "blue"})],
    ...     index_key=bytes(32), default_country="VN", phone_region="VN",
    ...     ip_country=lambda ip: "US")
    >>> result.counts(), result.good, [b["line"] for b in result.bad_rows]
    ({'VN': 2}, 2, [3, 4])
    >>> result.countries["VN"]["decided_by"]
    {'address_country': 1, 'phone_number': 1}
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onshore.core.blind_index import subject_ref
from onshore.core.errors import InputError
from onshore.core.policy.residency import SIGNAL_KEYS, resolve_residency

FOLLOWER_FIELDS: tuple[str, ...] = ("follower_id", *SIGNAL_KEYS)
_BAD_SHOWN = 1000


@dataclass
class Attribution:
    """Per-country follower counts with their confidence, and the rows that were bad."""

    followers: int = 0
    good: int = 0
    bad: int = 0
    countries: dict[str, dict[str, Any]] = field(default_factory=dict)
    bad_rows: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Followers per country."""
        return {c: int(v["followers"]) for c, v in sorted(self.countries.items())}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (no follower identifiers)."""
        return {
            "followers": self.followers,
            "good": self.good,
            "bad": self.bad,
            "countries": self.countries,
            "bad_rows": self.bad_rows,
        }


def _new_country() -> dict[str, Any]:
    return {
        "followers": 0,
        "confidence": 0.0,
        "min_confidence": 1.0,
        "decided_by": {},
        "conflicts": 0,
    }


def attribute(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    index_key: bytes,
    default_country: str,
    phone_region: str,
    ip_country: Callable[[str], str | None] | None,
) -> Attribution:
    """Resolve each ``(line, row)`` follower's country; repeats (same keyed-hashed id) and
    rows the resolver rejects are bad rows with line and reason."""
    out = Attribution()
    seen: dict[bytes, int] = {}
    sums: dict[str, float] = {}
    for line, row in rows:
        out.followers += 1
        reason, residency = None, None
        fid = row.get("follower_id") if isinstance(row, Mapping) else None
        if not isinstance(row, Mapping):
            reason = "a follower row is an object"
        elif sorted(set(row) - set(FOLLOWER_FIELDS)):
            reason = f"unknown field {sorted(set(row) - set(FOLLOWER_FIELDS))[0]!r}"
        elif not isinstance(fid, str | int) or not str(fid).strip():
            reason = "follower_id is missing"
        else:
            ref = subject_ref(index_key, str(fid).strip())
            if ref in seen:
                reason = f"duplicate of line {seen[ref]} (same follower)"
            else:
                seen[ref] = line
                signals = {
                    k: _signal(k, row[k]) for k in SIGNAL_KEYS if row.get(k) not in (None, "")
                }
                try:
                    residency = resolve_residency(
                        signals,
                        default_country=default_country,
                        phone_region=phone_region,
                        ip_country=ip_country,
                    )
                except InputError as exc:
                    reason = exc.message
        if residency is None:
            out.bad += 1
            if len(out.bad_rows) < _BAD_SHOWN:
                out.bad_rows.append({"line": line, "reason": reason})
            continue
        out.good += 1
        c = out.countries.setdefault(residency.country, _new_country())
        c["followers"] += 1
        sums[residency.country] = sums.get(residency.country, 0.0) + residency.confidence
        c["min_confidence"] = min(c["min_confidence"], residency.confidence)
        c["decided_by"][residency.decided_by] = c["decided_by"].get(residency.decided_by, 0) + 1
        c["conflicts"] += 1 if residency.conflicts else 0
    for country, c in out.countries.items():
        c["confidence"] = round(sums[country] / c["followers"], 4)
        c["decided_by"] = dict(sorted(c["decided_by"].items()))
    out.countries = dict(sorted(out.countries.items()))
    return out


def follower_rows(
    result: Attribution,
    subject_id: str,
    day: str,
    *,
    subject_type: str,
    home_country: str,
    strict: bool,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The metrics rows an attribution ingests (each country's follower count as the day's
    ``subscribers``; ``home_country``, the store's, always gets a row, 0 when no follower
    is attributed to it) and the summary kept with the batch. ``strict``: any bad row
    raises ``InputError`` (nothing is to be applied).

    Example:
        >>> rows, summary = follower_rows(Attribution(1, 1, 0, {"SG": {"followers": 1}}),
        ...                               "acct-1", "2026-11-20", subject_type="account",
        ...                               home_country="VN", strict=True)
        >>> [(r["country"], r["subscribers"]) for r in rows], summary["good"]
        ([('SG', 1), ('VN', 0)], 1)
    """
    if strict and result.bad:
        first = result.bad_rows[0]
        raise InputError(
            f"{result.bad} bad follower row(s); nothing applied (strict): "
            f"line {first['line']}: {first['reason']}",
            details={"bad": result.bad, "bad_rows": result.bad_rows},
        )
    counts = {home_country: 0, **result.counts()}
    rows = [
        {
            "subject_id": subject_id,
            "subject_type": subject_type,
            "country": c,
            "date": day,
            "subscribers": n,
        }
        for c, n in sorted(counts.items())
    ]
    summary = {
        "followers": result.followers,
        "good": result.good,
        "bad": result.bad,
        "countries": result.countries,
    }
    return rows, summary


def _signal(key: str, value: Any) -> Any:
    """A CSV cell with several IPs (separated by spaces, ``;`` or ``|``) becomes a list."""
    if key == "ip" and isinstance(value, str):
        ips = value.replace(";", " ").replace("|", " ").split()
        return ips if len(ips) > 1 else (ips[0] if ips else None)
    return value


def read_followers(path: Path, fmt: str | None = None) -> Iterator[tuple[int, Any]]:
    """Rows of a CSV (header on line 1) or JSON Lines follower file, with their line numbers;
    ``InputError`` for a missing file, a header without ``follower_id`` or a line that is not
    JSON (reported as a bad row instead when it parses but is not an object)."""
    if not path.is_file():
        raise InputError(f"no such file: {path}", details={"path": str(path)})
    fmt = fmt or ("jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv")
    if fmt not in ("csv", "jsonl"):
        raise InputError("format is csv or jsonl", details={"format": fmt})
    with path.open(encoding="utf-8-sig", newline="") as f:
        if fmt == "csv":
            reader = csv.DictReader(f)
            names = [n.strip() for n in reader.fieldnames or []]
            unknown = [n for n in names if n not in FOLLOWER_FIELDS]
            if "follower_id" not in names or unknown:
                raise InputError(
                    "follower file: the header needs follower_id and signal columns",
                    details={"unknown": unknown, "columns": list(FOLLOWER_FIELDS)},
                )
            reader.fieldnames = names
            for row in reader:
                cells = {
                    k: (v.strip() if isinstance(v, str) else v)
                    for k, v in row.items()
                    if v not in (None, "")
                }
                yield reader.line_num, cells
            return
        for n, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                yield n, json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(f"line {n} is not JSON: {exc.msg}", details={"line": n}) from None
