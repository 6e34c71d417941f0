"""``[scan_limits]``: the limits of ``onshore scan`` on hostile input (docs/scan.md, "Limits").

Input beyond a limit is skipped and counted as a warning (``line_too_long``,
``too_many_columns``, ``too_deep``), never read whole and never a hang. The command-line
options ``--max-line-bytes``, ``--max-columns`` and ``--max-depth`` override these.
Tables with thousands of columns are normal in data lakes: the column limit is far above
them, and a scan costs time linear in its cells up to it.

Example:
    >>> s = ScanLimitSettings()
    >>> s.max_line_bytes, s.max_columns, s.max_depth
    (8388608, 16384, 64)
"""

from __future__ import annotations

from pydantic import Field

from onshore.settings.sections import Strict


class ScanLimitSettings(Strict):
    """``[scan_limits]``: the longest line, most columns and deepest nesting a scan reads."""

    max_line_bytes: int = Field(
        default=8 << 20,
        ge=1,
        description="Longest line of a CSV or JSON Lines file, in bytes; a longer line is "
        "skipped unread and counted (line_too_long).",
    )
    max_columns: int = Field(
        default=16_384,
        ge=1,
        description="Most columns of a table (a wider one is not read) and most fields of a "
        "JSON line (a wider line is skipped); counted as too_many_columns.",
    )
    max_depth: int = Field(
        default=64,
        ge=1,
        description="Deepest nesting of a JSON document; a deeper one is skipped and counted "
        "(too_deep).",
    )
