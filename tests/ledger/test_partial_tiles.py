"""Finding 4 of issue #11: ``verify`` raised false alarms on a healthy log with partial tiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from onshore.cli.main import main
from onshore.services.ledger import Ledger
from onshore.services.vault import RecordInput, Vault
from onshore.settings import load_settings
from tests.ledger.conftest import T0, placed


def test_verify_is_clean_after_growing_past_a_checkpoint(log: Ledger) -> None:
    log.append([placed(i) for i in range(100)])
    log.checkpoint(T0)
    log.append([placed(i) for i in range(100, 300)])
    report = log.verify()
    assert report.ok, report.problems
    assert (report.size, report.integrated_size) == (300, 100)


@pytest.mark.parametrize(("first", "more"), [(1, 255), (255, 2), (256, 1), (300, 70_000 - 300)])
def test_verify_is_clean_at_every_partial_tile_shape(log: Ledger, first: int, more: int) -> None:
    log.append([placed(i) for i in range(first)])
    log.checkpoint(T0)
    log.append([placed(i) for i in range(first, first + more)])
    assert log.verify().ok
    log.checkpoint(T0)
    assert log.verify().ok


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_cli_verify_after_200_more_records_in_sg1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The operator's reproduction: 100 records in sg-1, checkpoint, 200 more, verify."""
    assert run(capsys, "init", "--dir", str(tmp_path))[0] == 0
    config = str(tmp_path / "onshore.toml")

    def put(start: int, count: int) -> None:
        with Vault.open(load_settings(config)) as vault:
            vault.put_many(
                [RecordInput(f"s{i}", "profile", {"n": i}, {"phone_number": "+6591234567"})
                 for i in range(start, start + count)]
            )  # fmt: skip

    put(0, 100)
    assert run(capsys, "ledger", "checkpoint", "sg-1", "--config", config)[0] == 0
    put(100, 200)
    code, out, err = run(capsys, "ledger", "verify", "--region", "sg-1", "--config", config)
    assert code == 0, out + err
