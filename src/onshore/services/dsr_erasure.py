"""Erasure for a data-subject request: ask retention first, then erase through the vault.

Retention outranks erasure (issue 16, item 4). Before erasing, the request asks an
:class:`ErasurePolicy` (``RetentionService.erasure_decision(subject, regions, at)`` of
:mod:`onshore.services.retention`, when that module is installed) whether the subject may
be erased now. Its answer is read as an :class:`ErasureVerdict`: erase now, or deferred
until a date because of rule ids. Without a retention service, :class:`EraseNow` answers
"erase now" (legal holds still bind: :func:`onshore.services.erasure.erase_subject`
retains held regions).

Example:
    >>> from datetime import datetime, timezone
    >>> EraseNow().erasure_decision("u-1", ["vn-hcm"], datetime.now(timezone.utc)).deferred
    False
    >>> later = ErasureVerdict(datetime(2028, 1, 1, tzinfo=timezone.utc), ("VN-D53-27.data",))
    >>> verdict_of(later).to_dict()["until"], verdict_of(later).rule_ids
    ('2028-01-01T00:00:00+00:00', ('VN-D53-27.data',))
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from onshore.services.runtime import Runtime


@dataclass(frozen=True, slots=True)
class ErasureVerdict:
    """Erase now (``until`` None) or deferred until ``until`` because of ``rule_ids``."""

    until: datetime | None = None
    rule_ids: tuple[str, ...] = ()

    @property
    def deferred(self) -> bool:
        """True when retention defers the erasure."""
        return self.until is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "deferred": self.deferred,
            "until": self.until.isoformat() if self.until else None,
            "rule_ids": list(self.rule_ids),
        }


class ErasurePolicy(Protocol):
    """What erasure asks before it erases (the retention service's contract)."""

    def erasure_decision(self, subject: str, regions: Sequence[str], at: datetime) -> Any:
        """Erase now, or deferred until a date because of rule ids."""
        ...


class EraseNow:
    """The policy when no retention service is installed: every erasure may happen now."""

    def erasure_decision(
        self, subject: str, regions: Sequence[str], at: datetime
    ) -> ErasureVerdict:
        """Erase now."""
        return ErasureVerdict()


def verdict_of(answer: Any) -> ErasureVerdict:
    """Read a retention answer as an :class:`ErasureVerdict`: an ``ErasureVerdict``, or any
    object with a date (``until``, ``deferred_until`` or ``date``; None or an ``erase_now``
    true means now) and rule ids (``rule_ids`` or ``rules``)."""
    if isinstance(answer, ErasureVerdict):
        return answer
    if getattr(answer, "erase_now", False) is True:
        return ErasureVerdict()
    until = None
    for name in ("until", "deferred_until", "date"):
        until = getattr(answer, name, None)
        if until is not None:
            break
    rules = getattr(answer, "rule_ids", None) or getattr(answer, "rules", None) or ()
    if until is not None and not isinstance(until, datetime):
        until = datetime.fromisoformat(str(until))
    return ErasureVerdict(until, tuple(str(r) for r in rules))


def default_policy(runtime: Runtime) -> ErasurePolicy:
    """``RetentionService(runtime)`` when :mod:`onshore.services.retention` exists, else
    :class:`EraseNow`."""
    try:
        module = importlib.import_module("onshore.services.retention")
    except ImportError:
        return EraseNow()
    policy: ErasurePolicy = module.RetentionService(runtime)
    return policy
