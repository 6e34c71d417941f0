"""One numbered schema change, written once per backend (an SQL script or a function).

Example:
    >>> Migration(9, "an index", sqlite="CREATE INDEX i ON t (c)", postgres="SELECT 1").version
    9
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: A migration step: an SQL script, or a function given the connection inside the transaction.
Step = str | Callable[[Any], None]


@dataclass(frozen=True)
class Migration:
    """One numbered schema change, written once per backend."""

    version: int
    description: str
    sqlite: Step
    postgres: Step
