"""Record ids the vault generates: ``<region>~<32 hex>``, naming the region they were placed in.

``~`` cannot occur in a region name, so the region is read back from the id alone
(``services.region_lookup`` asks that region first). Caller-chosen ids name no region.

Example:
    >>> region_of_id(new_record_id("sg-1"))
    'sg-1'
    >>> region_of_id("caller-chosen-id") is None
    True
"""

from __future__ import annotations

import re
import uuid

_TAGGED = re.compile(r"(?P<region>[a-z0-9][a-z0-9_.\-]{0,31})~[0-9a-f]{32}")


def new_record_id(region: str) -> str:
    """A fresh record id naming ``region``.

    Example:
        >>> new_record_id("sg-1").startswith("sg-1~")
        True
    """
    return f"{region}~{uuid.uuid4().hex}"


def region_of_id(record_id: str) -> str | None:
    """The region a generated record id names, or None for other ids."""
    match = _TAGGED.fullmatch(record_id)
    return match["region"] if match else None
