"""The audience store port: a region's daily audience metrics, their revisions, the batches
applied and per-subject threshold state (``services.audience`` reads and writes it).

Days are ISO dates as text (``YYYY-MM-DD``); a subject's row is keyed by
``(subject_id, country, day)``. Threshold state is JSON, one object per
``(subject_id, country)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from onshore.core.cases.audience import Observation

if TYPE_CHECKING:
    import pyarrow as pa


@runtime_checkable
class AudienceStore(Protocol):
    """Audience metrics of one region; writes join the region database's transaction."""

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        """The record of an applied batch (``seq``, ``batch_id``, ``applied_at`` and its
        info), or None."""

    def apply(
        self,
        batch_id: str,
        info: Mapping[str, Any],
        table: pa.Table,
        days: Mapping[tuple[str, str], int],
        applied_at: str,
    ) -> dict[str, int]:
        """Write a validated batch (a table with the audience columns, sorted by key) and
        add ``days``' row counts; return its ``inserted``, ``updated`` and ``unchanged``
        counts. A replaced row's values are kept as a revision; an identical row is left
        alone. ``StoreIntegrityError`` when ``batch_id`` was applied before."""

    def series(
        self, subject_id: str, country: str, *, since: str | None = None, until: str | None = None
    ) -> list[Observation]:
        """The subject's daily rows in ``country`` (``since``/``until`` inclusive), by day."""

    def revisions(self, subject_id: str, country: str, day: str) -> list[dict[str, Any]]:
        """Values a day's row held before later batches replaced them, oldest first."""

    def states(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every subject with threshold state, by ``(subject_id, country)``."""

    def put_state(self, subject_id: str, country: str, state: Mapping[str, Any]) -> None:
        """Insert or replace a subject's threshold state."""

    def put_states(self, states: Sequence[tuple[str, str, Mapping[str, Any]]]) -> None:
        """``put_state`` for many ``(subject_id, country, state)`` at once."""

    def count(self) -> int:
        """Number of metric rows held."""
