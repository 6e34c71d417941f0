"""Field types the case kinds' intake and note models share (pydantic, pure).

Example:
    >>> from datetime import datetime
    >>> aware_time(datetime(2026, 1, 1)).isoformat()
    '2026-01-01T00:00:00+00:00'
    >>> Body.model_config["extra"]
    'forbid'
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from onshore.core.local_time import bare_date

#: The earliest and latest instants an intake may name.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, tzinfo=UTC)


def aware_time(value: datetime) -> datetime:
    """``value`` with a timezone (naive means UTC), between 1970 and 2999."""
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        inside = EARLIEST <= moment <= LATEST
    except OverflowError:  # an offset that pushes year 1 or 9999 out of range
        inside = False
    if not inside:
        raise ValueError(f"a time between {EARLIEST.date()} and {LATEST.date()}")
    return moment


#: A timezone-aware date-time (a bare date is midnight in the deployment's zone,
#: ``core.local_time``; a naive date-time means UTC) within the accepted range.
AwareTime = Annotated[datetime, BeforeValidator(bare_date), AfterValidator(aware_time)]
#: A short free-text reason (a rejection's explanation, an appeal's grounds).
Reason = Annotated[str, Field(min_length=1, max_length=5000)]


class Body(BaseModel):
    """Base of every intake and note model: unknown fields (``actor``, ``role``...) are refused."""

    model_config = ConfigDict(extra="forbid")
