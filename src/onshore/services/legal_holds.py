"""Legal holds across regions: which subject refs erasure must leave alone.

A preservation (``services.requests``) stores its holds in the case's own region, one row
per region-specific subject ref (each region keys its subject refs differently). Erasure
in any region therefore asks every region's case store whether its ref is held.

Example:
    >>> import tempfile
    >>> from datetime import datetime, timezone
    >>> from onshore.services.runtime import open_runtime
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> rt = open_runtime(Settings.model_validate(cfg), create_keys=True)
    >>> held_refs(rt, [b"x" * 32], datetime.now(timezone.utc))
    set()
    >>> rt.close()
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from onshore.services.runtime import Runtime


def held_refs(runtime: Runtime, refs: Sequence[bytes], at: datetime) -> set[bytes]:
    """The refs among ``refs`` under an active legal hold (in any region's case store)."""
    if not refs:
        return set()
    held: set[bytes] = set()
    for region in runtime.regions.values():
        for hold in region.db.cases.holds(subject_refs=list(refs), active_at=at):
            held.add(hold.subject_ref)
    return held
