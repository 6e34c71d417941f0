"""``onshore migrate plan``: what would move, by rule, with counts; nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from onshore.services.runtime import open_runtime
from onshore.services.runtime.region_moves import open_migration_store
from onshore.services.vault import Vault
from onshore.settings import load_settings
from tests.migrate.checks import holders
from tests.migrate.conftest import OTHERS, VN_MAIL
from tests.migrate.world import AFTER, RULE_STARTS
from tests.support.cli import onshore

World = tuple[Path, dict[str, list[str]]]


def _plan(config: Path, *args: str) -> dict[str, object]:
    done = onshore("migrate", "plan", "--config", str(config), "--json", *args)
    assert done.returncode == 0, done.stderr
    doc: dict[str, object] = json.loads(done.stdout)
    return doc


def test_before_the_rule_starts_nothing_moves(world: World) -> None:
    config, _ = world
    doc = _plan(config, "--at", "2026-12-31")
    assert doc["moves"] == [] and doc["total"] == 0
    assert doc["scanned"] == {"sg-1": VN_MAIL + 2 * OTHERS, "vn-hcm": 0}


def test_after_the_rule_starts_the_vn_email_records_move(world: World) -> None:
    config, ids = world
    doc = _plan(config, "--at", AFTER)
    assert doc["moves"] == [
        {"rule": "ZZ-email-local", "from_region": "sg-1", "to_region": "vn-hcm",
         "records": VN_MAIL}
    ]  # fmt: skip
    assert _plan(config, "--at", RULE_STARTS)["total"] == VN_MAIL
    # nothing was written: no plan stored, every record still in sg-1
    store = open_migration_store(load_settings(config))
    assert store.plans() == []
    store.close()
    vault = Vault(open_runtime(load_settings(config)))
    try:
        assert all(holders(vault, rid) == ["sg-1"] for rid in ids["moving"])
    finally:
        vault.close()


def test_retiring_a_region_moves_everything_it_holds(world: World) -> None:
    config, _ = world
    doc = _plan(config, "--retire", "sg-1", "--at", AFTER)
    moves = {(m["rule"], m["to_region"]): m["records"] for m in doc["moves"]}  # type: ignore[attr-defined]
    # the e-mail records are denied in sg-1 by the rule; every other record goes as retired
    assert moves == {
        ("ZZ-email-local", "vn-hcm"): VN_MAIL,
        ("retired:sg-1", "vn-hcm"): 2 * OTHERS,
    }


def test_from_limits_the_regions_read(world: World) -> None:
    config, _ = world
    doc = _plan(config, "--at", AFTER, "--from", "vn-hcm")
    assert doc["scanned"] == {"vn-hcm": 0} and doc["total"] == 0


def test_stuck_records_are_counted_not_moved(world: World) -> None:
    config, _ = world
    doc = _plan(config, "--at", AFTER, "--retire", "vn-hcm")
    # the e-mail records may no longer stay in sg-1 and vn-hcm is being retired
    assert doc["moves"] == []
    assert doc["stuck"] == [{"from_region": "sg-1", "rule": "ZZ-email-local", "records": VN_MAIL}]


def test_bad_options_are_typed_errors(world: World) -> None:
    config, _ = world
    bad_date = onshore("migrate", "plan", "--config", str(config), "--at", "next tuesday")
    assert bad_date.returncode != 0 and "--at" in bad_date.stderr
    unknown = onshore("migrate", "plan", "--config", str(config), "--retire", "mars-1")
    assert unknown.returncode != 0 and "mars-1" in unknown.stderr
    every = onshore(
        "migrate", "plan", "--config", str(config), "--retire", "sg-1", "--retire", "vn-hcm"
    )
    assert every.returncode != 0 and "every region" in every.stderr
