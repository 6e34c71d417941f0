"""Personal-data discovery over files and databases (``onshore scan``).

Example:
    >>> from onshore.services.scan import ScanOptions, scan
    >>> ScanOptions().workers
    1
"""

from __future__ import annotations

from onshore.services.scan.runner import (
    ScanOptions,
    ScanSummary,
    TableSummary,
    default_workers,
    scan,
)

__all__ = ["ScanOptions", "ScanSummary", "TableSummary", "default_workers", "scan"]
