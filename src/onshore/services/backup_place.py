"""Where a backup may go: declared destinations (``[backups.*]``) and the policy packs.

``resolve_destination`` turns ``--to`` (a destination's name, or a path inside one) into the
destination and the backup file's path; ``check_destination`` asks the policy engine whether
the region's data may be stored in the destination's country, the way placement asks it for a
record: the subject country is the region's, the categories are those its records carry (every
category when it holds none yet). A denial is ``PolicyDenied`` (exit code 3).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from onshore.core.errors import BackupDestinationUnknown, InputError, PolicyDenied
from onshore.core.policy import Outcome
from onshore.core.taxonomy import CATEGORIES
from onshore.services.runtime import Region, Runtime
from onshore.settings import BackupDestination, Settings

SUFFIX = ".onbak"


def default_name(region: str, at: datetime) -> str:
    """``REGION-YYYYMMDDTHHMMSSZ.onbak``.

    Example:
        >>> from datetime import datetime, timezone
        >>> default_name("vn-hcm", datetime(2026, 5, 1, 3, 4, 5, tzinfo=timezone.utc))
        'vn-hcm-20260501T030405Z.onbak'
    """
    return f"{region}-{at:%Y%m%dT%H%M%SZ}{SUFFIX}"


def resolve_destination(
    settings: Settings, to: str, region: str, at: datetime
) -> tuple[BackupDestination, Path]:
    """The destination ``to`` names or lies inside, and the file to write there (nothing is
    created: the caller writes only once the policy packs allowed the destination)."""
    if to in settings.backups:
        return settings.backups[to], settings.backup_path(to) / default_name(region, at)
    wanted = Path(to).expanduser().resolve()
    best: tuple[int, str] | None = None
    for name in settings.backups:
        root = settings.backup_path(name).resolve()
        if (wanted == root or root in wanted.parents) and (
            best is None or len(root.parts) > best[0]
        ):
            best = (len(root.parts), name)
    if best is None:
        raise BackupDestinationUnknown(
            f"{to!r} is not a declared backup destination nor inside one "
            "(declare it under [backups.NAME] with its country and path)",
            details={"to": to, "declared": sorted(settings.backups)},
        )
    dest = settings.backups[best[1]]
    if wanted.is_dir():
        return dest, wanted / default_name(region, at)
    if not wanted.parent.is_dir():
        raise InputError(f"no directory {str(wanted.parent)!r} for the backup file")
    return dest, wanted


def check_destination(
    runtime: Runtime,
    region: Region,
    dest: BackupDestination,
    categories: frozenset[str],
    at: datetime,
) -> dict[str, Any]:
    """What the packs say about storing ``region``'s data in ``dest``; ``PolicyDenied`` on deny."""
    if dest.country == region.country:
        return {"outcome": "same_country", "rules": []}
    decision = runtime.engine.storage_decision(
        subject_country=region.country,
        categories=categories or CATEGORIES,
        region_country=dest.country,
        entity=runtime.entity,
        at=at,
    )
    if decision.outcome == Outcome.DENY:
        raise PolicyDenied(
            f"policy denies writing a backup of {region.name} ({region.country}) to "
            f"{dest.name} ({dest.country}): denied by {', '.join(decision.deciding_rules)}",
            details={
                "region": region.name,
                "destination": dest.name,
                "destination_country": dest.country,
                "decision": decision.to_dict(),
            },
        )
    return {"outcome": decision.outcome.value, "rules": list(decision.deciding_rules)}
