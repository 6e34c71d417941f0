"""The "Done when" of issue 17 on PostgreSQL: a rule-changed population moves from sg-1 to
vn-hcm with the plan stored in a PostgreSQL control store; the run is killed between the
destination's commit and the source's erasure, resumed, and every record ends in exactly one
region, readable, with every ledger audit clean."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path

from onshore.failpoints import ENV
from tests.migrate.checks import check_never_lost, check_settled
from tests.migrate.world import AFTER, seed
from tests.reliability.cli_run import run_cli_process
from tests.support.cli import onshore

VN_MAIL, OTHERS, BATCH = 120, 20, 50


def test_plan_and_run_on_postgresql(tmp_path: Path, pg_url_factory: Callable[[], str]) -> None:
    stores = {"vn-hcm": pg_url_factory(), "sg-1": pg_url_factory()}
    config, ids = seed(tmp_path, stores, pg_url_factory(), VN_MAIL, OTHERS)
    plan = onshore("migrate", "plan", "--config", str(config), "--at", AFTER, "--json")
    assert plan.returncode == 0, plan.stderr
    assert json.loads(plan.stdout)["moves"] == [
        {"rule": "ZZ-email-local", "from_region": "sg-1", "to_region": "vn-hcm",
         "records": VN_MAIL}
    ]  # fmt: skip
    code, _, err = run_cli_process(
        ["migrate", "run", "--config", str(config), "--at", AFTER, "--batch", str(BATCH)],
        env={ENV: "migrate.after_target_commit=kill@2"},
    )
    assert code == -signal.SIGKILL, err
    assert check_never_lost(config, ids) == BATCH  # the cut batch is in both regions
    done = onshore("migrate", "run", "--config", str(config), "--json")
    assert done.returncode == 0, done.stderr
    totals = json.loads(done.stdout)["totals"]
    assert totals == {"planned": VN_MAIL, "moved": VN_MAIL, "gone": 0, "remaining": 0}
    check_settled(config, ids)
