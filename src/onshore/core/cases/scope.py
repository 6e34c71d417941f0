"""The scope of an authority request, and what of a record may leave under it (pure).

A scope names subjects (by id, or by phone, email or national ID through the blind
index), an optional time range and the data categories asked for. Collection keeps only
records created in the range, and of each record only the fields whose categories all
lie in the scope (a field with no category, or with one category outside the scope, is
left out). That rule is what the property test checks end to end.

Example:
    >>> from datetime import datetime, timezone
    >>> s = Scope(categories=frozenset({"phone_number"}))
    >>> redact({"phone": "+84912345678", "name": "Lan"},
    ...        {"phone": frozenset({"phone_number"}), "name": frozenset({"person_name"})}, s)
    {'phone': '+84912345678'}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from onshore.core.errors import InputError
from onshore.core.taxonomy import CATEGORIES

#: Identifier types a scope may name (each has a blind index).
SCOPE_IDENTIFIERS = ("phone_number", "email", "national_id")
#: The categories counted as content in transparency reports; all others are non-content.
CONTENT_CATEGORIES = frozenset({"user_content"})


@dataclass(frozen=True, slots=True)
class Scope:
    """Time range (``start`` inclusive, ``end`` exclusive; None: open) and categories."""

    categories: frozenset[str]
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        unknown = set(self.categories) - CATEGORIES
        if unknown:
            raise InputError(
                f"unknown data categories in scope: {sorted(unknown)}",
                details={"unknown": sorted(unknown)},
            )
        if not self.categories:
            raise InputError("a scope needs at least one data category")
        if self.start and self.end and self.end <= self.start:
            raise InputError("the scope's time range ends before it starts")

    def covers_time(self, created_at: datetime) -> bool:
        """True when ``created_at`` lies in the range."""
        return (self.start is None or created_at >= self.start) and (
            self.end is None or created_at < self.end
        )

    def covers_field(self, categories: frozenset[str]) -> bool:
        """True when a field with ``categories`` may be disclosed."""
        return bool(categories) and categories <= self.categories

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "categories": sorted(self.categories),
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Scope:
        """Parse ``{"categories": [...], "from": iso|None, "to": iso|None}``."""
        start = _when(raw.get("from"))
        end = _when(raw.get("to"))
        cats = raw.get("categories") or []
        if not isinstance(cats, list | tuple):
            raise InputError("scope categories must be a list", details={"field": "categories"})
        return cls(frozenset(str(c) for c in cats), start, end)


def _when(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(f"scope time range: {exc}", details={"field": "scope"}) from None
    if parsed.tzinfo is None:
        raise InputError(
            f"scope time range: {value!r} needs a timezone offset", details={"field": "scope"}
        )
    return parsed


def redact(
    data: Mapping[str, Any], field_categories: Mapping[str, frozenset[str]], scope: Scope
) -> dict[str, Any]:
    """The fields of ``data`` the scope covers (see the module docstring)."""
    return {
        name: value
        for name, value in data.items()
        if scope.covers_field(frozenset(field_categories.get(name, frozenset())))
    }


def mask(value: str) -> str:
    """A display form of an identifier that does not reveal it: first 3 and last 2 kept.

    Example:
        >>> mask("+84912345678")
        '+84*******78'
    """
    if len(value) <= 5:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]
