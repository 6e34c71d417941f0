"""Erasure for a data-subject request: ask retention first, then erase through the vault.

Retention outranks erasure (issue 16, item 4). Before erasing, a request asks an
:class:`ErasurePolicy`, by default :class:`onshore.services.retention.RetentionService`
(retention minimums such as VN-D53-27.data, 24 months after a storage request, and legal
holds), for every subject id the case names: erase now, or deferred until a date because
of rules (:class:`onshore.core.retention.ErasureDecision`). :func:`decide` folds the
answers for several subjects (an e-mail address may name two accounts) into one: the
latest date wins and every rule is named.

Example:
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> later = ErasureDecision(datetime(2028, 1, 1, tzinfo=timezone.utc), ("VN-D53-27.data",))
    >>> decide([ErasureDecision(), later], at).rules
    ('VN-D53-27.data',)
    >>> decide([], at).erase_now
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from onshore.core.retention import ErasureDecision, combine

__all__ = ["ErasureDecision", "ErasurePolicy", "decide"]


class ErasurePolicy(Protocol):
    """What erasure asks before it erases (``RetentionService``'s contract)."""

    def erasure_decision(
        self, subject: str | bytes, regions: Iterable[str] | None, at: datetime
    ) -> ErasureDecision:
        """Erase now, or deferred until a date because of rules."""
        ...


def decide(decisions: Iterable[ErasureDecision], at: datetime) -> ErasureDecision:
    """One decision from several subjects': deferred to the latest date, every rule named."""
    found = [(rule, d.until) for d in decisions if d.until is not None for rule in d.rules]
    return combine(found, at)
