"""kill -9 in the middle of ``put_many``: no acknowledged record lost, no batch half-written.

Every trial runs the workload child (``tests.reliability.workload``: cross-region and
single-region batches, alternately), kills it, reopens the vault (recovery runs at open) and
checks (``tests.reliability.kills``): 0 lost acknowledged records, 0 partial batches, 0
duplicated leaves, the in-flight batch retried with the same ids ends with one placement leaf
per record, and ``Ledger.verify()`` is clean. ``make test`` runs a few trials per case on
SQLite and PostgreSQL; ``make soak`` runs 100+ per failpoint.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from onshore.services.failpoints import POINTS
from tests.reliability.kills import Tally, run_trial, write_config
from tests.support.soak import report, trials

pytestmark = pytest.mark.soak

#: Commits of one cross-region batch: stage vn-hcm, decide (with sg-1's share), apply vn-hcm.
COMMITS_PER_CROSS_BATCH = 3
#: Hits of each write-path failpoint over the child's run: 4 batches (2 cross-region, 2
#: single-region), then closing the vault (which signs each grown region's checkpoint).
HITS_PER_RUN = {
    "vault.before_commit": 2 * COMMITS_PER_CROSS_BATCH + 2,
    "vault.after_region_commit": 2 * COMMITS_PER_CROSS_BATCH + 2,
    "ledger.after_leaf_append": 2 * 2 + 2,  # a cross-region batch appends in both regions
    "ledger.before_checkpoint_sign": 2,  # one checkpoint per region at close
}
KILL_POINTS = sorted(p for p in POINTS if p.split(".")[0] in ("vault", "ledger"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """A trial configuration on SQLite files or two databases of the session's cluster."""
    if request.param == "sqlite":
        stores = {r: f"sqlite:///{tmp_path}/{r}.db" for r in ("vn-hcm", "sg-1")}
    else:
        make: Callable[[], str] = request.getfixturevalue("pg_url_factory")
        stores = {"vn-hcm": make(), "sg-1": make()}
    # create the keys once (the children open with the keys they find)
    from onshore.services.vault import Vault
    from tests.reliability.workload import settings_for

    Vault.open(settings_for({"base": str(tmp_path), "stores": stores}), create_keys=True).close()
    return request.param, write_config(tmp_path, stores)


def _assert_clean(surface: str, tally: Tally) -> None:
    report(surface, **tally.figures())
    assert tally.clean(), tally.problems[:10]


@pytest.mark.parametrize("commit", range(1, COMMITS_PER_CROSS_BATCH + 1))
def test_kill_after_each_commit_of_a_cross_region_batch(
    backend: tuple[str, Path], commit: int
) -> None:
    """Issue #11 finding 1: SIGKILL right after each database commit of a two-region batch
    (counted by wrapping the region databases, whatever code path commits): the batch is
    whole or absent, and its retry ends with one placement leaf per record."""
    name, config = backend
    tally = Tally()
    run_trial(config, f"c{commit}", tally, env={"KILL_AFTER_COMMIT": str(commit)}, batches=1)
    assert tally.killed == 1
    _assert_clean(f"kill after commit {commit} ({name})", tally)


def test_every_write_path_failpoint_is_killed_at() -> None:
    """The kill trials cover every vault and ledger failpoint the code defines."""
    assert sorted(HITS_PER_RUN) == KILL_POINTS


@pytest.mark.parametrize("point", KILL_POINTS)
def test_kill_at_failpoint(backend: tuple[str, Path], point: str) -> None:
    """SIGKILL at the N-th hit of each vault and ledger failpoint, N drawn over the child's
    whole run (its batches and the checkpoints signed when it closes)."""
    name, config = backend
    rng = random.Random(f"{point}-{name}")
    tally = Tally()
    count = trials(1, 100)
    hits = HITS_PER_RUN[point]
    for t in range(count):
        hit = (t % hits) + 1 if count >= hits else rng.randint(1, hits)
        env = {"ONSHORE_FAILPOINTS": f"{point}={'kill'}@{hit}"}
        run_trial(config, f"f{t}", tally, env=env)
    assert tally.killed == tally.trials
    _assert_clean(f"kill at {point} ({name})", tally)


def test_kill_at_random_times(backend: tuple[str, Path]) -> None:
    """SIGKILL from the parent at a random moment while the child writes batches."""
    name, config = backend
    rng = random.Random(f"random-{name}")
    tally = Tally()
    for t in range(trials(1, 100)):
        run_trial(config, f"r{t}", tally, batches=1_000, kill_within=1.5, rng=rng)
    _assert_clean(f"kill at random times ({name})", tally)
