"""Erasure: delete every record of a subject, unless a legal hold binds it.

Each deletion is a ``RECORD_ERASED`` leaf written in the same transaction as the delete.
Leaves hold only keyed hashes, so erasing a subject never breaks a ledger proof. Legal
minimums outrank erasure: where a preservation hold (``services.legal_holds``) binds the
subject in a region, that region's records are retained and reported as such.

Example:
    >>> import tempfile
    >>> from onshore.settings import Settings, default_config_dict
    >>> from onshore.services.vault import Vault
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> vault = Vault.open(Settings.model_validate(cfg), create_keys=True)
    >>> _ = vault.put("u-1", "profile", {"phone": "+84912345678"})
    >>> erase_subject(vault.region_set, "u-1").count
    1
    >>> vault.close()
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onshore.core.errors import MissingSubject
from onshore.core.ledger import EventType, LedgerEvent
from onshore.services.legal_holds import held_refs
from onshore.services.region_lookup import verified_subject_rows
from onshore.services.region_set import RegionSet


@dataclass(frozen=True, slots=True)
class ErasureOutcome:
    """What erasing a subject did: erased record ids per region and the ledger leaves.

    ``retained`` lists, per region, records kept because a legal hold (a preservation
    request, ``services.legal_holds``) binds the subject there.
    """

    subject_id: str
    erased: dict[str, list[str]] = field(default_factory=dict)
    ledger_indexes: dict[str, list[int]] = field(default_factory=dict)
    retained: dict[str, list[str]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """How many records were erased."""
        return sum(len(v) for v in self.erased.values())


def erase_subject(
    region_set: RegionSet, subject: str, *, actor: str | None = None
) -> ErasureOutcome:
    """Erase ``subject`` in every region (see the module docstring).

    Each region's rows are checked before anything is deleted there: a row whose fields
    were edited (e.g. another subject's record re-pointed at this one) or a record the
    ledger says the subject still has but the store no longer returns under the subject
    raises ``StoreIntegrityError`` naming region and record, and that region erases
    nothing. Regions are checked first, all of them, then erased, so an integrity failure
    anywhere erases nothing anywhere. A region that is down raises ``StoreUnavailable``
    naming it before anything is erased.
    """
    if not isinstance(subject, str) or not subject.strip():
        raise MissingSubject("erase needs a subject id")
    runtime = region_set.runtime
    sealer = region_set.sealer
    outcome = ErasureOutcome(subject_id=subject)
    now = runtime.clock.now()
    for region in runtime.regions.values():  # check every region before erasing any
        verified_subject_rows(sealer, region, subject)
    for name, region in runtime.regions.items():
        with region.db.transaction():
            rows, _ = verified_subject_rows(sealer, region, subject)
            ids = [s.record_id for s in rows]
            if not ids:
                continue
            refs = list(dict.fromkeys(s.subject_ref for s in rows))
            if held_refs(runtime, refs, now):
                outcome.retained[name] = ids
                continue
            for record_id in ids:
                region.db.records.delete(record_id)
            events = [
                LedgerEvent(
                    type=EventType.RECORD_ERASED,
                    at=now,
                    region=name,
                    record_id=rid,
                    subject_id=subject,
                    actor=actor,
                    payload={"reason": "erasure_request"},
                )
                for rid in ids
            ]
            outcome.erased[name] = ids
            outcome.ledger_indexes[name] = region_set.ledger(name).append(events)
    return outcome
