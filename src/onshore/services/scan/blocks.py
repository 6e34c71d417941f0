"""Findings in bulk: one ``Block`` holds every finding of one detector in one column of a batch.

Arrays instead of objects keep a million-row scan out of the Python object layer: blocks are
built with vectorised masks and turned into JSON Lines with Arrow string kernels.

Example:
    >>> import numpy as np
    >>> b = Block(np.array([0, 2]), np.array([10, 12]), "sdt", "phone_number", "vn_phone", 0.95)
    >>> len(b), b.confidences().tolist()
    (2, [0.95, 0.95])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Block:
    """Findings of one detector in one column of one batch.

    ``pos`` are row positions inside the batch, ``rows`` the data-row numbers in the source;
    ``confidence`` and ``country`` are a scalar for the whole block or one value per finding;
    ``start``/``end`` are character offsets for free-text spans (None for whole cells);
    ``values`` holds the matched text only when a masked preview was asked for.
    """

    pos: np.ndarray
    rows: np.ndarray
    column: str
    category: str
    detector: str
    confidence: float | np.ndarray
    country: str | np.ndarray | None = None
    start: np.ndarray | None = None
    end: np.ndarray | None = None
    values: list[str] | None = None
    subject_country: np.ndarray | None = None
    violation: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.pos)

    def confidences(self) -> np.ndarray:
        """One confidence per finding."""
        if isinstance(self.confidence, np.ndarray):
            return self.confidence
        return np.full(len(self.pos), self.confidence, dtype=np.float64)

    def countries(self) -> np.ndarray:
        """The country each finding's value points to (object array, None when unknown)."""
        if isinstance(self.country, np.ndarray):
            return self.country
        return np.full(len(self.pos), self.country, dtype=object)
