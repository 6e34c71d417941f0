"""``[console]``: the reviewer console at ``/console`` (docs/console.md).

The console shows every date in the deployment's time zone, ``[calendar] time_zone``
(Asia/Ho_Chi_Minh by default for a deployment incorporated in Viet Nam), and names it.

Example:
    >>> ConsoleSettings().page_size
    50
"""

from __future__ import annotations

from pydantic import Field

from onshore.settings.sections import Strict


class ConsoleSettings(Strict):
    """``[console]``: the reviewer console's queues' page size (dates are shown in
    ``[calendar] time_zone``)."""

    page_size: int = Field(
        default=50, ge=5, le=500, description="Cases per page in the console's queues."
    )
