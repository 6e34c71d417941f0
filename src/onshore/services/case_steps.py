"""Case steps: what :class:`~onshore.services.cases.CaseService` writes and is asked to open.

A :class:`Step` is what ``open``/``apply`` wrote (the stored case, its history event, its
ledger leaf); an :class:`Opening` is one case for ``open_many`` (the arguments ``open``
takes per case).

Example:
    >>> Opening("takedown", {"notice": {}}).case_id is None
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from onshore.ports import Case, CaseEvent


@dataclass(frozen=True, slots=True)
class Step:
    """What ``apply``/``open`` wrote: the stored case, its history event, its ledger leaf."""

    case: Case
    event: CaseEvent
    ledger_index: int


@dataclass(frozen=True, slots=True)
class Opening:
    """One case for ``CaseService.open_many``: the arguments ``open`` takes per case."""

    kind: str
    data: Mapping[str, Any]
    case_id: str | None = None
    due_at: datetime | None = None
    note: Mapping[str, Any] | None = None
