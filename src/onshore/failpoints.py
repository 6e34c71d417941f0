"""Failpoints: named fault-injection points, enabled only by ``ONSHORE_FAILPOINTS``.

A foundation module (it imports nothing of onshore): adapters (the migrations runner) and
services (vault, ledger, scan) both hit failpoints, so it sits below both layers.

Production code calls ``hit("vault.after_region_commit")`` at the places where a crash or an
error is most interesting; the call does nothing unless the environment variable
``ONSHORE_FAILPOINTS`` names that point. The reliability suite sets the variable in a child
process and kills or breaks it exactly there.

Syntax: points separated by ``;`` (or ``,``), each ``NAME=ACTION``, where ``ACTION`` is

- ``kill``: the process sends itself SIGKILL (no clean-up, no ``finally``, no flush);
- ``raise``: raise ``FailpointTriggered`` (an exception the caller does not expect);
- ``sleep(MS)``: sleep that many milliseconds, then go on;

optionally followed by ``@N`` to fire only on the N-th hit of that point (1-based) instead of the
first, e.g. ``ONSHORE_FAILPOINTS=vault.after_region_commit=kill@3``.

The variable is read once per process, on the first ``hit``; ``reset()`` forgets the parsed
value (tests that change the variable in-process call it). Unknown point names are refused at
parse time so a typo cannot make a test pass vacuously.

Example:
    >>> import os
    >>> os.environ[ENV] = "vault.before_commit=raise@2"
    >>> reset()
    >>> hit("vault.before_commit")          # first hit: nothing happens
    >>> try:
    ...     hit("vault.before_commit")
    ... except FailpointTriggered as exc:
    ...     print(exc)
    failpoint vault.before_commit triggered
    >>> del os.environ[ENV]; reset()
    >>> hit("vault.before_commit")          # disabled again
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from dataclasses import dataclass

ENV = "ONSHORE_FAILPOINTS"

#: Every failpoint the code defines, with where it sits. docs/reliability.md lists them.
POINTS: dict[str, str] = {
    "vault.before_commit": "a region's batch is written but its transaction not yet committed",
    "vault.after_region_commit": "one region's share of a batch has committed, others have not",
    "ledger.after_leaf_append": "leaves are appended but not yet integrated into the tree",
    "ledger.before_checkpoint_sign": "a checkpoint is about to be signed",
}

_SPEC = re.compile(r"^(kill|raise|sleep\((\d{1,7})\))(?:@(\d{1,9}))?$")


class FailpointTriggered(RuntimeError):
    """Raised by a failpoint whose action is ``raise`` (deliberately not an ``OnshoreError``)."""


@dataclass(frozen=True, slots=True)
class Action:
    """What a failpoint does when it fires."""

    kind: str  # "kill" | "raise" | "sleep"
    millis: int = 0
    on_hit: int = 1


def register(name: str, where: str) -> None:
    """Declare a further failpoint (call at import time of the module that hits it)."""
    POINTS.setdefault(name, where)


def parse(value: str) -> dict[str, Action]:
    """Parse an ``ONSHORE_FAILPOINTS`` value; ``ValueError`` names the bad part.

    Example:
        >>> parse("vault.before_commit=sleep(5)@2")["vault.before_commit"]
        Action(kind='sleep', millis=5, on_hit=2)
    """
    actions: dict[str, Action] = {}
    for part in re.split(r"[;,]", value):
        part = part.strip()
        if not part:
            continue
        name, sep, spec = part.partition("=")
        name = name.strip()
        match = _SPEC.match(spec.strip())
        if not sep or match is None:
            raise ValueError(f"{ENV}: cannot read {part!r} (NAME=kill|raise|sleep(MS)[@N])")
        if name not in POINTS:
            raise ValueError(f"{ENV}: unknown failpoint {name!r}; known: {sorted(POINTS)}")
        kind = match.group(1).split("(")[0]
        millis = int(match.group(2) or 0)
        actions[name] = Action(kind, millis, int(match.group(3) or 1))
    return actions


_lock = threading.Lock()
_actions: dict[str, Action] | None = None
_hits: dict[str, int] = {}


def reset() -> None:
    """Forget the parsed variable and the hit counts (read again on the next ``hit``)."""
    global _actions
    with _lock:
        _actions = None
        _hits.clear()


def _configured() -> dict[str, Action]:
    global _actions
    with _lock:
        if _actions is None:
            _actions = parse(os.environ.get(ENV, ""))
        return _actions


def hit(name: str) -> None:
    """Pass the failpoint ``name``: fire its action if ``ONSHORE_FAILPOINTS`` enables it."""
    actions = _configured()
    if not actions:
        return
    action = actions.get(name)
    if action is None:
        return
    with _lock:
        count = _hits[name] = _hits.get(name, 0) + 1
    if count != action.on_hit:
        return
    if action.kind == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(10)  # pragma: no cover - SIGKILL is not delivered synchronously everywhere
    elif action.kind == "raise":
        raise FailpointTriggered(f"failpoint {name} triggered")
    else:
        time.sleep(action.millis / 1000)
