"""Retention that outranks erasure: decide, defer, and purge when due.

``RetentionService.erasure_decision(subject, regions, at)`` asks the policy engine and the
legal holds (``services.legal_holds``) whether ``subject``'s records may be erased at
``at``. Per region holding the subject it evaluates ``erase`` on the categories stored
there, once with no start event (minimums that always apply) and once per storage request
the subject is under (every preservation hold on the subject, active or not, is one: its
``placed_at`` is the request's receipt). A minimum the engine denies the erasure for
(``retain_min``, e.g. VN-D53-27.data, 24 months after a storage request; VN-D53-27.logs,
12 months) defers it until the minimum ends; an active legal hold defers it until the hold
expires. The latest end wins (``core.retention.combine``).

``defer`` records a deferred erasure in the control store (``ports.retention``) with its
date and reason; ``run`` (the purge job on the scheduler, and ``onshore retention run``)
erases what is due through the vault's erasure (``services.erasure``), which writes the
``RECORD_ERASED`` leaves. Retention maximums purge on their own: see
``services.retention_purge``.

Example:
    >>> import tempfile
    >>> from datetime import datetime, timezone
    >>> from onshore.services.vault import Vault
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> vault = Vault.open(Settings.model_validate(cfg), create_keys=True)
    >>> _ = vault.put("u-1", "profile", {"phone": "+84912345678"})
    >>> at = datetime(2026, 8, 1, tzinfo=timezone.utc)
    >>> RetentionService(vault.region_set).erasure_decision("u-1", None, at).erase_now
    True
    >>> vault.close()
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from onshore.core import blind_index
from onshore.core.policy.compiled import CompiledRule
from onshore.core.policy.decision import Outcome
from onshore.core.policy.effects import due_of
from onshore.core.policy.facts import Facts
from onshore.core.retention import LEGAL_HOLD, ErasureDecision, combine
from onshore.ports import LegalHold, SealedRecord
from onshore.services.region_set import RegionSet
from onshore.services.runtime import Region, Runtime

#: The start event of a storage request (the ``vn`` pack's VN-D53-27.* rules).
STORAGE_REQUEST = "storage_request"


def subject_refs(region: Region, subject: str | bytes) -> list[bytes]:
    """The refs ``subject`` has in ``region``: one per index key version for an id, or the
    ref itself when given one."""
    if isinstance(subject, bytes):
        return [subject]
    return list(
        dict.fromkeys(
            blind_index.subject_ref(v.material, subject) for v in region.keys.versions("index")
        )
    )


def subject_rows(region: Region, refs: Sequence[bytes]) -> list[SealedRecord]:
    """The sealed rows of ``refs`` in ``region`` (nothing decrypted)."""
    seen: dict[str, SealedRecord] = {}
    for ref in refs:
        for row in region.db.records.by_subject(ref):
            seen.setdefault(row.record_id, row)
    return list(seen.values())


def holds_on(runtime: Runtime, refs: Sequence[bytes]) -> list[LegalHold]:
    """Every legal hold (active or not) on ``refs``, in any region's case store."""
    if not refs:
        return []
    return [
        h for region in runtime.regions.values() for h in region.db.cases.holds(subject_refs=refs)
    ]


def minimums(runtime: Runtime, facts: Facts, at: datetime) -> list[tuple[str, datetime]]:
    """The retention minimums that deny erasing on ``facts`` at ``at``: (rule id, end)."""
    decision = runtime.engine.evaluate("erase", facts, at)
    if decision.outcome is not Outcome.DENY:
        return []
    found: list[tuple[str, datetime]] = []
    for rule_id in decision.deciding_rules:
        cr: CompiledRule = next(r for r in runtime.engine.rules if r.id == rule_id)
        for req in cr.rule.require:
            if req.type == "retain_min" and req.period is not None:
                found.append((rule_id, due_of(cr, req.period, facts, at)[0]))
    return found


class RetentionService:
    """Erasure decisions, deferred erasures and the purge (see the module docstring)."""

    def __init__(self, region_set: RegionSet) -> None:
        self.region_set = region_set
        self.runtime = region_set.runtime

    def erasure_decision(
        self, subject: str | bytes, regions: Iterable[str] | None, at: datetime
    ) -> ErasureDecision:
        """Erase now, or deferred until a date because of rule ids (module docstring).

        ``subject`` is a subject id (or one region's subject ref); ``regions`` limits the
        regions asked (None: all).
        """
        runtime = self.runtime
        names = list(runtime.regions) if regions is None else list(regions)
        found: list[tuple[str, datetime]] = []
        for name in names:
            region = runtime.region(name)
            refs = subject_refs(region, subject)
            rows = subject_rows(region, refs)
            if not rows:
                continue
            holds = holds_on(runtime, refs)
            found.extend((LEGAL_HOLD + h.case_id, h.expires_at) for h in holds if h.active(at))
            categories = frozenset(c for row in rows for c in row.categories)
            starts: list[dict[str, datetime]] = [{}]
            starts += [{STORAGE_REQUEST: t} for t in sorted({h.placed_at for h in holds})]
            for events in starts:
                facts = Facts(
                    entity=runtime.entity,
                    subject_country=region.country,
                    categories=categories,
                    region_country=region.country,
                    request="delete",
                    events=events,
                )
                found.extend(minimums(runtime, facts, at))
        return combine(found, at)
