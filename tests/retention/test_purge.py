"""Deferred erasures are recorded with date and reason, and the purge carries them out when
due (writing the erasure leaves); retention maximums purge on their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from onshore.adapters.clock import FixedClock
from onshore.core.identity import host_administrator
from onshore.core.ledger import EventType
from onshore.services.retention import RetentionService
from onshore.services.retention_purge import Purge
from onshore.services.runtime import open_runtime
from onshore.services.runtime.retention import open_deferred_erasures
from onshore.services.vault import Vault
from tests.cases.conftest import settings_for
from tests.retention.conftest import SUBJECT, T0, hold, seed

ADMIN = host_administrator("root")
RECEIVED = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)


def erased_leaves(vault: Vault, ids: list[str], region: str = "vn-hcm") -> int:
    ledger = vault.ledger(region)
    return sum(1 for i in ids for e in ledger.history(i) if e.leaf.type == EventType.RECORD_ERASED)


def test_erasure_under_storage_request_is_deferred_then_purged(vault: Vault) -> None:
    ids = seed(vault)
    hold(vault, RECEIVED, days=30)
    log = open_deferred_erasures(vault.runtime.settings)
    svc = RetentionService(vault.region_set, log)
    asked = svc.erase(SUBJECT, principal=ADMIN, case_id="dsr-1")
    assert asked.outcome is None and asked.deferred is not None
    deferred = asked.deferred
    assert deferred.until == RECEIVED.replace(year=2028) and deferred.rules == ("VN-D53-27.data",)
    assert SUBJECT not in str(deferred.to_dict())  # the log names refs, never the subject
    assert sorted(r.record_id for r in vault.records_of(SUBJECT)) == sorted(ids)

    purge = Purge(vault.region_set, log)
    [waiting] = purge.status(T0).deferred
    assert waiting.erasure_id == deferred.erasure_id and waiting.case_id == "dsr-1"
    assert purge.run(T0, ADMIN) == []  # not due yet: nothing happens
    assert len(vault.records_of(SUBJECT)) == 2

    due = RECEIVED.replace(year=2028) + timedelta(minutes=1)
    assert erased_leaves(vault, ids) == 0
    [done] = purge.run(due, ADMIN)
    assert (done.outcome, done.erased) == ("done", 2)
    assert vault.records_of(SUBJECT) == []
    assert erased_leaves(vault, ids) == 2
    row = log.get(deferred.erasure_id)
    assert row is not None and row.status == "done" and row.done_at == due
    assert purge.status(due).deferred == []
    log.close()


def test_a_hold_extended_meanwhile_keeps_it_waiting(vault: Vault) -> None:
    seed(vault)
    hold(vault, RECEIVED, days=30)
    log = open_deferred_erasures(vault.runtime.settings)
    deferred = RetentionService(vault.region_set, log).erase(SUBJECT, principal=ADMIN).deferred
    assert deferred is not None
    hold(vault, RECEIVED, days=1000)  # the hold was extended after the erasure was deferred
    [step] = Purge(vault.region_set, log).run(deferred.until + timedelta(days=1), ADMIN)
    assert step.outcome == "waiting" and "legal hold of case req-1" in step.detail
    assert len(vault.records_of(SUBJECT)) == 2
    log.close()


def test_nothing_held_erases_now(vault: Vault) -> None:
    seed(vault)
    log = open_deferred_erasures(vault.runtime.settings)
    asked = RetentionService(vault.region_set, log).erase(SUBJECT, principal=ADMIN)
    assert asked.deferred is None and asked.outcome is not None and asked.outcome.count == 2
    assert log.pending() == []
    log.close()


MAX_PACK = """\
schema: onshore.policy-pack/v1
pack: {id: zz, jurisdiction: VN, version: "1", title: test maximum, utc_offset: "+07:00"}
sources: {S1: test}
instruments:
  - {id: T1, ref: test, title: Test retention law, effective: 2020-01-01}
rules:
- id: ZZ-max-posts
  instrument: T1
  title: Delete user content 30 days after storing it
  cite: test
  status: confirmed
  sources: [S1]
  applies_to: {data: [user_content]}
  require:
    - {type: retain_max, period: {amount: 30, unit: day, from: stored}}
"""


def test_retention_maximum_purges_on_its_own(tmp_path: Path) -> None:
    packs = tmp_path / "packs" / "zz"
    packs.mkdir(parents=True)
    (packs / "pack.yaml").write_text(MAX_PACK)
    settings = settings_for(tmp_path)
    dep = settings.deployment
    dep = dep.model_copy(update={"pack_paths": [packs.parent], "packs": [*dep.packs, "zz"]})
    settings = settings.model_copy(update={"deployment": dep})
    clock = FixedClock(T0)
    vault = Vault(open_runtime(settings, create_keys=True, clock=clock))
    try:
        post = seed(vault)[1]
        log = open_deferred_erasures(settings)
        purge = Purge(vault.region_set, log)
        [m] = purge.status(T0).maximums
        assert (m.record_id, m.rule) == (post, "ZZ-max-posts")
        assert m.due == T0 + timedelta(days=30)
        assert purge.run(T0, ADMIN) == []
        [done] = purge.run(T0 + timedelta(days=31), ADMIN)
        assert (done.ref, done.outcome) == (post, "done")
        assert [r.kind for r in vault.records_of(SUBJECT)] == ["profile"]
        assert erased_leaves(vault, [post]) == 1
        log.close()
    finally:
        vault.close()
