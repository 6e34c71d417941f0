"""Key rotation: a new region key version, and re-wrapping data keys onto it.

Rotation adds ``kek`` version n+1; records sealed under older versions stay readable (their
``key_id`` names the version). ``rewrap`` then moves every record's wrapped data key to the
newest version page by page, each page in one transaction, without touching ciphertexts.

Example:
    >>> import tempfile
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> from onshore.services.runtime import open_runtime
    >>> rt = open_runtime(Settings.model_validate(cfg), create_keys=True)
    >>> rotate(rt, "vn-hcm").key_id
    'kek:2'
"""

from __future__ import annotations

from collections.abc import Callable

from onshore.core.envelope import rewrap as rewrap_key
from onshore.core.ledger import EventType, LedgerEvent
from onshore.ports import KeyVersion
from onshore.services.key_custody import check_region_keys
from onshore.services.ledger import Ledger
from onshore.services.runtime import Runtime


def rotate(runtime: Runtime, region_name: str, *, actor: str | None = None) -> KeyVersion:
    """Add a new ``kek`` version for ``region_name`` and record it on the region's ledger."""
    region = runtime.region(region_name)
    new = region.keys.rotate("kek")
    event = LedgerEvent(
        type=EventType.KEY_ROTATED,
        at=runtime.clock.now(),
        region=region.name,
        actor=actor,
        payload={"key_name": "kek", "key_id": new.key_id, "version": new.version},
    )
    with region.db.transaction():
        Ledger(region.name, region.db, region.keys).append([event])
        # the new version's fingerprint joins those the region was written with
        check_region_keys(region.name, region.db, region.keys, event.at)
    return new


def rewrap(
    runtime: Runtime,
    region_name: str,
    *,
    page_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Re-wrap every record's data key under the newest ``kek``; return how many changed.

    ``progress(done, total)`` is called after each page. Safe to interrupt and re-run.
    """
    region = runtime.region(region_name)
    newest = region.keys.current("kek")
    total = region.db.records.count()
    done = changed = 0
    after: str | None = None
    cache: dict[tuple[bytes, str], bytes] = {}
    while True:
        page = region.db.records.page(after, page_size)
        if not page:
            break
        with region.db.transaction():
            for record in page:
                if record.key_id != newest.key_id:
                    key = (record.wrapped_key, record.key_id)
                    if key not in cache:
                        old = region.keys.get(record.key_id)
                        cache[key] = rewrap_key(record.wrapped_key, region.name, old, newest)
                    region.db.records.rewrap(record.record_id, newest.key_id, cache[key])
                    changed += 1
        done += len(page)
        after = page[-1].record_id
        if progress is not None:
            progress(done, total)
    return changed
