"""``onshore migrate run`` and ``status``: a rule-changed population moves from sg-1 to
vn-hcm, verified, with a transfer leaf on both ledgers; a kill at every failpoint of the
migration resumes correctly."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from onshore import failpoints
from onshore.core.ledger import EventType
from onshore.failpoints import ENV, POINTS
from onshore.services import migration_run  # noqa: F401 - registers the migrate.* failpoints
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from onshore.settings import load_settings
from tests.migrate.checks import check_never_lost, check_settled, holders
from tests.migrate.conftest import OTHERS, VN_MAIL
from tests.migrate.world import AFTER
from tests.reliability.cli_run import run_cli_process
from tests.support.cli import onshore

World = tuple[Path, dict[str, list[str]]]
BATCH = 40  # VN_MAIL records: 4 batches


def _status(config: Path) -> dict[str, object]:
    done = onshore("migrate", "status", "--config", str(config), "--json")
    assert done.returncode == 0, done.stderr
    doc: dict[str, object] = json.loads(done.stdout)
    return doc


def _transfer_leaves(config: Path, record_ids: list[str]) -> dict[str, int]:
    """How many ``record_transferred`` leaves name those records, per region."""
    vault = Vault(open_runtime(load_settings(config)))
    try:
        return {
            name: sum(
                1
                for rid in record_ids
                for entry in vault.ledger(name).history(rid)
                if entry.leaf.type == EventType.RECORD_TRANSFERRED
            )
            for name in vault.runtime.regions
        }
    finally:
        vault.close()


def test_run_moves_the_population_and_status_shows_it(world: World) -> None:
    config, ids = world
    done = onshore(
        "migrate", "run", "--config", str(config), "--at", AFTER, "--batch", str(BATCH), "--json"
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["status"] == "done"
    assert doc["totals"] == {"planned": VN_MAIL, "moved": VN_MAIL, "gone": 0, "remaining": 0}
    assert doc["rows"] == [
        {"rule": "ZZ-email-local", "from_region": "sg-1", "to_region": "vn-hcm",
         "planned": VN_MAIL, "moved": VN_MAIL, "gone": 0, "remaining": 0}
    ]  # fmt: skip
    check_settled(config, ids)
    # one transfer leaf per moved record on BOTH ledgers
    assert _transfer_leaves(config, ids["moving"]) == {"vn-hcm": VN_MAIL, "sg-1": VN_MAIL}
    assert _status(config)["plan"] == doc["plan"]
    # the next plan at the same date finds nothing left to move
    again = onshore("migrate", "plan", "--config", str(config), "--at", AFTER, "--json")
    assert json.loads(again.stdout)["total"] == 0
    assert OTHERS  # the other groups stayed in sg-1 (check_settled)


def test_status_and_run_name_unknown_plans(world: World) -> None:
    config, _ = world
    for cmd in ("status", "run"):
        done = onshore("migrate", cmd, "mig_nosuchplan", "--config", str(config))
        assert done.returncode != 0 and "mig_nosuchplan" in done.stderr


MIGRATE_POINTS = sorted(p for p in POINTS if p.startswith("migrate."))


def test_every_migrate_failpoint_is_tested() -> None:
    assert len(MIGRATE_POINTS) == 7


@pytest.mark.parametrize("point", MIGRATE_POINTS)
def test_a_kill_at_any_failpoint_resumes_correctly(world: World, point: str) -> None:
    config, ids = world
    nth = 1 if point == "migrate.after_plan_stored" else 2  # the second batch: one is done
    code, _, err = run_cli_process(
        ["migrate", "run", "--config", str(config), "--at", AFTER, "--batch", str(BATCH)],
        env={ENV: f"{point}=kill@{nth}"},
    )
    assert code == -signal.SIGKILL, err
    doubled = check_never_lost(config, ids)  # never in zero regions, even mid-batch
    if point in ("migrate.after_target_commit", "migrate.after_verify",
                 "migrate.before_source_commit"):  # fmt: skip
        assert doubled == BATCH  # the cut batch is in both until resumed
    else:
        assert doubled == 0  # every completed batch is in one region only
    status = _status(config)
    assert status["status"] == "running"
    if point == "migrate.after_verify":  # a run with other options is refused meanwhile
        other = onshore("migrate", "run", "--config", str(config), "--retire", "sg-1")
        assert other.returncode != 0 and "migration.in_progress" in other.stderr + other.stdout
    # resume: no plan named, no options: the unfinished plan carries on
    done = onshore("migrate", "run", "--config", str(config), "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["plan"] == status["plan"] and doc["status"] == "done"
    assert doc["totals"]["moved"] == VN_MAIL and doc["totals"]["remaining"] == 0
    check_settled(config, ids)
    assert _transfer_leaves(config, ids["moving"]) == {"vn-hcm": VN_MAIL, "sg-1": VN_MAIL}


def test_a_record_erased_meanwhile_is_gone_not_lost(world: World) -> None:
    config, ids = world
    failpoints.reset()
    stopped = onshore(
        "migrate", "run", "--config", str(config), "--at", AFTER,
        env={ENV: "migrate.after_plan_stored=raise"},
    )  # fmt: skip
    failpoints.reset()
    assert stopped.returncode != 0
    vault = Vault(open_runtime(load_settings(config)))
    try:  # a data-subject request erases one VN subject between the plan and its batch
        erased = [r.record_id for r in vault.records_of("vn-3")]
        vault.erase("vn-3")
    finally:
        vault.close()
    done = onshore("migrate", "run", "--config", str(config), "--json")
    assert done.returncode == 0, done.stderr
    totals = json.loads(done.stdout)["totals"]
    assert totals == {"planned": VN_MAIL, "moved": VN_MAIL - 1, "gone": 1, "remaining": 0}
    left = {group: [r for r in rids if r not in erased] for group, rids in ids.items()}
    check_settled(config, left)


def test_retiring_sg1_moves_every_record_to_vn_hcm(world: World) -> None:
    config, ids = world
    done = onshore("migrate", "run", "--config", str(config), "--retire", "sg-1", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert {(r["rule"], r["moved"]) for r in doc["rows"]} == {
        ("retired:sg-1", VN_MAIL + 2 * OTHERS)
    }
    check_settled(config, ids, moved=("moving", "vn_other", "sg"))


def test_a_copy_that_no_longer_matches_its_source_is_never_erased(world: World) -> None:
    config, ids = world
    failpoints.reset()
    stopped = onshore(
        "migrate", "run", "--config", str(config), "--at", AFTER, "--batch", str(BATCH),
        env={ENV: "migrate.after_target_commit=raise"},
    )  # fmt: skip
    failpoints.reset()
    assert stopped.returncode != 0
    first = sorted(ids["moving"])[0]  # in the first batch: copied, not yet erased
    vault = Vault(open_runtime(load_settings(config)))
    try:  # the source changes after its copy was made
        assert vault.get(first).region == "sg-1"
        vault.update(first, {"email": "changed@example.vn"})
    finally:
        vault.close()
    done = onshore("migrate", "run", "--config", str(config))
    assert done.returncode != 0
    assert "migration.verify_failed" in done.stderr + done.stdout
    vault = Vault(open_runtime(load_settings(config)))
    try:  # nothing was erased: the source still holds the changed record
        assert holders(vault, first) == ["vn-hcm", "sg-1"]
        record = vault.runtime.regions["sg-1"]
        assert vault.open_sealed(record, record.db.records.get(first)).data == {  # type: ignore[arg-type]
            "email": "changed@example.vn"
        }
    finally:
        vault.close()
