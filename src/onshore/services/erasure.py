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
    >>> erase_subject(vault, "u-1").count
    1
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from onshore.core import blind_index
from onshore.core.audit import AuditEvent, EventType
from onshore.core.errors import MissingSubject
from onshore.services.legal_holds import held_refs
from onshore.services.reindex import live_index_keys

if TYPE_CHECKING:
    from onshore.services.vault import Vault


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


def erase_subject(vault: Vault, subject: str, *, actor: str | None = None) -> ErasureOutcome:
    """Erase ``subject`` in every region (see the module docstring)."""
    if not isinstance(subject, str) or not subject.strip():
        raise MissingSubject("erase needs a subject id")
    runtime = vault.runtime
    outcome = ErasureOutcome(subject_id=subject)
    now = runtime.clock.now()
    for name, region in runtime.regions.items():
        # every live index key: during a key rotation the subject's records may be under any
        refs = [blind_index.subject_ref(key, subject) for key in live_index_keys(region.keys)]
        with region.db.transaction():
            ids = [s.record_id for ref in refs for s in region.db.records.by_subject(ref)]
            if not ids:
                continue
            if held_refs(runtime, refs, now):
                outcome.retained[name] = ids
                continue
            for record_id in ids:
                region.db.records.delete(record_id)
            events = [
                AuditEvent(
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
            outcome.ledger_indexes[name] = vault.audit_log(name).append(events)
    return outcome
