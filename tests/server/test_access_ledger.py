"""The access-decision writer: group commits, every decision on the ledger, failures reach
only their own request, nothing queued is lost on close."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from onshore.core.errors import LeafError
from onshore.core.ledger import EventType, LedgerEvent, decode_leaf
from onshore.server.access_ledger import AccessLedger
from onshore.services.vault import Vault
from tests.server.conftest import make_settings


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    v = Vault.open(make_settings(tmp_path), create_keys=True)
    yield v
    v.close()


def _event(vault: Vault, n: int, region: str | None = None) -> LedgerEvent:
    return LedgerEvent(
        type=EventType.ACCESS_DECISION,
        at=vault.runtime.clock.now(),
        region=region or vault.runtime.settings.deployment.default_region,
        actor=f"tok_{n}",
        payload={"decision": "allow", "reason": "records.write", "roles": ["operator"]},
    )


def _decisions(vault: Vault) -> list[str]:
    """The actor refs of the access-decision leaves on the default region's ledger."""
    store = vault.ledger(vault.runtime.settings.deployment.default_region).store
    leaves = [decode_leaf(entry) for _, entry, _ in store.leaves(0, store.size())]
    return [
        (leaf.actor_ref or b"").hex() for leaf in leaves if leaf.type == EventType.ACCESS_DECISION
    ]


def test_concurrent_decisions_all_land_with_distinct_indexes(vault: Vault) -> None:
    ledger = AccessLedger(vault, max_delay=0.01)
    region = vault.runtime.settings.deployment.default_region
    store = vault.ledger(region).store
    before = store.size()

    async def many() -> list[int]:
        return list(await asyncio.gather(*(ledger.record(_event(vault, i)) for i in range(40))))

    from_loop = asyncio.run(many())
    from_threads: list[int] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        index = ledger.record_sync(_event(vault, 100 + i))
        with lock:
            from_threads.append(index)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ledger.close()
    indexes = from_loop + from_threads
    assert sorted(indexes) == list(range(before, before + 60))
    assert len(_decisions(vault)) == 60


def test_a_failing_decision_fails_alone(vault: Vault) -> None:
    ledger = AccessLedger(vault, max_delay=0.05)  # long enough to group all three
    other = next(r for r in vault.runtime.regions if r != ledger.region)

    async def three() -> list[int | BaseException]:
        return list(
            await asyncio.gather(
                ledger.record(_event(vault, 1)),
                ledger.record(_event(vault, 2, region=other)),  # refused by the ledger
                ledger.record(_event(vault, 3)),
                return_exceptions=True,
            )
        )

    first, bad, third = asyncio.run(three())
    ledger.close()
    assert isinstance(bad, LeafError)
    assert isinstance(first, int) and isinstance(third, int) and third == first + 1
    assert len(_decisions(vault)) == 2


def test_close_writes_what_is_queued_and_record_restarts(vault: Vault) -> None:
    ledger = AccessLedger(vault, max_delay=0.2)
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda i=i: results.append(ledger.record_sync(_event(vault, i))))
        for i in range(5)
    ]
    for t in threads:
        t.start()
    ledger.close()  # while the writer still waits for more: the queue is written first
    for t in threads:
        t.join()
    assert len(results) == 5 and len(_decisions(vault)) == 5
    ledger.record_sync(_event(vault, 9))
    ledger.close()
    assert len(_decisions(vault)) == 6
