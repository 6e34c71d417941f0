"""Phase 3 of a cross-region batch: a pending share made live, in one region transaction.

Both the writer (``services.batch_commit``) and a recovery (``services.batch_recovery``)
apply shares this way: the share's records are written, their encoded leaves appended to
the region's ledger and the pending share deleted, together. The share is deleted
first, as a claim: of two processes applying it at once (one writer's ``settle`` and
another's apply, or a recovery), the second waits on the first's delete and then finds no
share left, so it writes nothing. A share that is no longer pending (applied or rolled back
already) is left alone, so a share is never applied twice and no leaf is appended twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from onshore.core.ledger.leaf import EncodedEvent
from onshore.ports import SealedRecord
from onshore.services import failpoints
from onshore.services.ledger import Ledger
from onshore.services.runtime import Region
from onshore.services.staged_rows import decode_row


def apply_share(
    ledger: Ledger,
    region: Region,
    batch_id: str,
    rows: Sequence[tuple[SealedRecord, EncodedEvent]] | None = None,
) -> dict[str, int] | None:
    """Make a pending share live: records written, leaves appended to ``ledger`` (the
    region's), share deleted, in one region transaction. Returns each record's leaf index,
    or None when the share was no longer pending (applied or rolled back already). ``rows``
    saves re-reading them."""
    with region.db.transaction():
        if rows is None:
            rows = [decode_row(body) for body in region.db.batches.rows(batch_id)]
        # claim the share first: deleting it locks it, so when another process (a writer's
        # settle, a recovery) applies the same share at once, one of the two deletes it and
        # the other finds nothing left to delete and writes nothing (no leaf twice)
        if not region.db.batches.discard(batch_id):
            return None
        region.db.records.put_many([sealed for sealed, _ in rows])
        indexes = ledger.append_encoded([leaf for _, leaf in rows])
        failpoints.hit("vault.before_commit")
    failpoints.hit("vault.after_region_commit")
    return {sealed.record_id: i for (sealed, _), i in zip(rows, indexes, strict=True)}
