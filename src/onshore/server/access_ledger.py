"""Access decisions on the ledger, group-committed by one background writer.

Every authorisation decision becomes an ``access_decision`` leaf on the default region's
ledger, committed *before* the route runs: the request waits for the commit of its own
leaf (``await record(event)``; ``record_sync`` from a worker thread). The writer thread
takes every decision queued while its previous commit ran (and waits up to ``max_delay``
seconds for more, 0 by default) and appends them in one transaction, so under load one
commit serves many requests and the event loop spends no thread hop per decision. When a
group's commit fails, each decision in it is retried alone, so a failure reaches exactly
the requests whose leaves are not on the ledger. ``close()`` writes whatever is queued,
then stops the thread; a later ``record`` starts it again.

Example:
    >>> import tempfile
    >>> from onshore.core.ledger import LedgerEvent, EventType
    >>> from onshore.services.vault import Vault
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> vault = Vault.open(Settings.model_validate(cfg), create_keys=True)
    >>> ledger = AccessLedger(vault)
    >>> region = vault.runtime.settings.deployment.default_region
    >>> event = LedgerEvent(type=EventType.ACCESS_DECISION, at=vault.runtime.clock.now(),
    ...     region=region, actor="tok_1",
    ...     payload={"decision": "allow", "reason": "records.write", "roles": ["operator"]})
    >>> ledger.record_sync(event) == vault.ledger(region).store.size() - 1
    True
    >>> ledger.close(); vault.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

from onshore.core.ledger import LedgerEvent
from onshore.services.vault import Vault

_STOP = object()


@dataclass(slots=True)
class _Pending:
    """One queued decision and who waits for it (an event loop's future or a thread's)."""

    event: LedgerEvent
    loop: asyncio.AbstractEventLoop | None = None
    waiter: asyncio.Future[int] | Future[int] = field(default_factory=Future)


_Outcome = tuple[asyncio.Future[int], int | BaseException]


def _settle(done: list[_Outcome]) -> None:
    """Resolve the awaiting requests of one group (runs on their event loop)."""
    for waiter, outcome in done:
        if waiter.done():  # the request was cancelled meanwhile; its leaf is written anyway
            continue
        if isinstance(outcome, BaseException):
            waiter.set_exception(outcome)
        else:
            waiter.set_result(outcome)


class AccessLedger:
    """Append ``access_decision`` leaves for the HTTP API in group commits (see module)."""

    def __init__(self, vault: Vault, *, max_delay: float = 0.0, max_group: int = 512) -> None:
        self.vault = vault
        self.region = vault.runtime.settings.deployment.default_region
        self.max_delay = max_delay
        self.max_group = max_group
        self._queue: queue.SimpleQueue[_Pending | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    # -- callers ----------------------------------------------------------------------

    async def record(self, event: LedgerEvent) -> int:
        """Queue ``event`` and wait until its leaf is committed; returns the leaf's index
        (raises what the ledger raised, e.g. ``StoreUnavailable``)."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[int] = loop.create_future()
        self._submit(_Pending(event, loop, waiter))
        return await waiter

    def record_sync(self, event: LedgerEvent) -> int:
        """``record`` for a caller on a thread without an event loop (blocks until done)."""
        pending = _Pending(event)
        self._submit(pending)
        waiter = pending.waiter
        assert isinstance(waiter, Future)
        return waiter.result()

    def close(self) -> None:
        """Write every queued decision, then stop the writer thread."""
        with self._start_lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(_STOP)
                thread.join()

    # -- writer -----------------------------------------------------------------------

    def _submit(self, pending: _Pending) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._start_lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name="onshore-access-ledger", daemon=True
                    )
                    self._thread.start()
        self._queue.put(pending)

    def _run(self) -> None:
        get = self._queue.get
        while True:
            first = get()
            if first is _STOP:
                return
            assert isinstance(first, _Pending)
            group = [first]
            stop = self._gather(group)
            self._commit(group)
            if stop:
                return

    def _gather(self, group: list[_Pending]) -> bool:
        """Add what is queued (waiting up to ``max_delay``); True when told to stop."""
        deadline = time.monotonic() + self.max_delay
        while len(group) < self.max_group:
            try:
                timeout = deadline - time.monotonic()
                item = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
            except queue.Empty:
                return False
            if item is _STOP:
                return True
            assert isinstance(item, _Pending)
            group.append(item)
        return False

    def _append(self, events: list[LedgerEvent]) -> list[int]:
        db = self.vault.runtime.regions[self.region].db
        with db.transaction():
            return self.vault.ledger(self.region).append(events)

    def _commit(self, group: list[_Pending]) -> None:
        outcomes: list[int | BaseException]
        try:
            outcomes = list(self._append([p.event for p in group]))
        except Exception as exc:
            if len(group) == 1:
                outcomes = [exc]
            else:  # one at a time: each request learns its own fate
                outcomes = []
                for p in group:
                    try:
                        outcomes.append(self._append([p.event])[0])
                    except Exception as one:
                        outcomes.append(one)
        by_loop: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
        for p, outcome in zip(group, outcomes, strict=True):
            if p.loop is None:
                waiter = p.waiter
                assert isinstance(waiter, Future)
                if isinstance(outcome, BaseException):
                    waiter.set_exception(outcome)
                else:
                    waiter.set_result(outcome)
            else:
                assert isinstance(p.waiter, asyncio.Future)
                by_loop.setdefault(p.loop, []).append((p.waiter, outcome))
        for loop, done in by_loop.items():
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(_settle, done)
