"""How long the reliability and fuzz suites run: a bounded count in ``make test``, more in soak.

``make soak`` sets ``ONSHORE_SOAK=1`` and runs the tests marked ``soak``; ``make test`` runs the
same tests with their small counts. Tests ask ``trials(small, large)`` for their count and print
what they ran (``report``) so the figures can be quoted.
"""

from __future__ import annotations

import os


def soaking() -> bool:
    """True under ``make soak`` (``ONSHORE_SOAK=1``)."""
    return os.environ.get("ONSHORE_SOAK") == "1"


def trials(small: int, large: int) -> int:
    """``large`` when soaking, else ``small``."""
    return large if soaking() else small


def report(surface: str, **figures: int | float | str) -> None:
    """Print one line of figures for a soak or fuzz run (shown with ``-s`` or in the soak log)."""
    shown = " ".join(f"{k}={v}" for k, v in figures.items())
    print(f"\n[soak] {surface}: {shown}", flush=True)


#: How often a long run prints its running count (``progress``).
PROGRESS_EVERY = 1000


def progress(surface: str, done: int, **figures: int | float | str) -> None:
    """Print a running count every :data:`PROGRESS_EVERY` inputs when soaking, so a long
    run shows how far it got (and a run stopped early can still be quoted for what it did)."""
    if soaking() and done and done % PROGRESS_EVERY == 0:
        shown = " ".join(f"{k}={v}" for k, v in figures.items())
        print(f"\n[soak] {surface}: so far inputs={done} {shown}", flush=True)
