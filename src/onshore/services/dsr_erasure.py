"""Erasure for a data-subject request: ask retention first, then erase through the vault.

Retention outranks erasure (issue 16, item 4). Before erasing, a request asks an
:class:`ErasurePolicy`, by default :class:`onshore.services.retention.RetentionService`
(retention minimums such as VN-D53-27.data, 24 months after a storage request, and legal
holds), for every subject id the case names: erase now, or deferred until a date because
of rules (:class:`onshore.core.retention.ErasureDecision`). :func:`decide` folds the
answers for several subjects (an e-mail address may name two accounts) into one: the
latest date wins and every rule is named. A deferred subject is recorded in the
deployment's deferred-erasure log (:func:`record_deferrals`, the log of
:mod:`onshore.services.retention`), whose purge job erases it on the date.

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
from typing import Any, Protocol

from onshore.core.errors import GuardFailed
from onshore.core.identity import Principal
from onshore.core.retention import ErasureDecision, combine
from onshore.services.erasure import erase_subject
from onshore.services.retention import RetentionService
from onshore.services.runtime.retention import open_deferred_erasures
from onshore.services.vault import Vault

__all__ = [
    "ErasureDecision",
    "ErasurePolicy",
    "decide",
    "deferral_answer",
    "erase_subjects",
    "record_deferrals",
]


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


def record_deferrals(
    vault: Vault,
    policy: ErasurePolicy,
    by_subject: dict[str, list[str]],
    principal: Principal,
    case_id: str,
    now: datetime,
) -> list[str]:
    """Each deferred subject's erasure in the deployment's deferred-erasure log, for
    retention's purge job to carry out when due; the log's ids."""
    log = open_deferred_erasures(vault.runtime.settings)
    try:
        recorder = RetentionService(vault.region_set, log)
        ids = []
        for subject, regions in sorted(by_subject.items()):
            decision = policy.erasure_decision(subject, sorted(regions), now)
            if decision.deferred:
                done = recorder.defer(subject, decision, principal=principal, case_id=case_id)
                ids.append(done.erasure_id)
        return ids
    finally:
        log.close()


def erase_subjects(
    vault: Vault, subjects: Iterable[str], principal: Principal, now: datetime
) -> dict[str, Any]:
    """Erase ``subjects`` in every region through the vault; the case data saying how many
    records each region erased (or kept under a legal hold) and the answer."""
    erased: dict[str, int] = {}
    retained: dict[str, int] = {}
    leaves: dict[str, list[int]] = {}
    for subject in subjects:
        done = erase_subject(vault.region_set, subject, actor=principal.id)
        for name, ids in done.erased.items():
            erased[name] = erased.get(name, 0) + len(ids)
            leaves.setdefault(name, []).extend(done.ledger_indexes.get(name, []))
        for name, ids in done.retained.items():
            retained[name] = retained.get(name, 0) + len(ids)
    text = f"{sum(erased.values())} record(s) erased in {len(erased)} region(s)"
    if retained:
        text += f"; {sum(retained.values())} kept under a legal hold in {sorted(retained)}"
    if not erased and not retained:
        text = "no record of the subject is left (erased before, e.g. by the retention purge)"
    return {
        "erasure": {
            "state": "retained_in_part" if retained else "erased",
            "erased": erased,
            "retained_by_legal_hold": retained,
            "ledger_indexes": leaves,
            "at": now.isoformat(),
        },
        "answer": {"text": text, "at": now.isoformat()},
    }


def deferral_answer(verdict: ErasureDecision) -> dict[str, Any]:
    """The answer to a subject whose erasure retention defers: the date and the rules."""
    if verdict.until is None:
        raise GuardFailed("retention does not defer this erasure")
    return {
        "text": f"Your data will be erased on {verdict.until.date().isoformat()}: it must be "
        f"kept until then ({', '.join(verdict.rules)}).",
        "until": verdict.until.isoformat(),
        "rule_ids": list(verdict.rules),
        "reason": verdict.reason,
    }
