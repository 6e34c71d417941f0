"""``onshore ledger audit``, ``ledger checkpoint`` refusing to sign, and automatic checkpoints
(issue #11, finding 3 and the tail window), on a real SQLite deployment made by ``init``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from onshore.adapters import open_database
from onshore.cli.main import main
from onshore.core.ledger import leaf_hash
from onshore.services.vault import RecordInput, Vault
from onshore.settings import load_settings

VN_PHONE = "+84912345678"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


class Home:
    """A deployment made by ``onshore init`` in a temp dir."""

    def __init__(self, path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.path, self.capsys = path, capsys
        assert run(capsys, "init", "--dir", str(path))[0] == 0
        self.config = str(path / "onshore.toml")
        self.next = 0

    def cli(self, *argv: str) -> tuple[int, str, str]:
        return run(self.capsys, *argv, "--config", self.config)

    def put_unsigned(self, count: int) -> list[str]:
        """Put ``count`` VN records through the SDK, leaving them in the unsigned tail."""
        vault = Vault.open(load_settings(self.config))
        vault.runtime.checkpoint_on_close = False
        try:
            ids = [f"rec-{self.next + i}" for i in range(count)]
            vault.put_many(
                [RecordInput(f"s-{r}", "profile", {"r": r}, {"phone_number": VN_PHONE}, None, r)
                 for r in ids]
            )  # fmt: skip
        finally:
            vault.close()
        self.next += count
        return ids

    def sql(self, statement: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.path / "data" / "vn-hcm.db") as conn:
            return conn.execute(statement, params).fetchall()

    def sizes(self) -> tuple[int, int, int]:
        """(leaves, size of the latest checkpoint, number of checkpoints)."""
        [(leaves,)] = self.sql("SELECT COUNT(*) FROM ledger_leaves")
        rows = self.sql("SELECT size FROM ledger_checkpoints ORDER BY seq")
        return int(leaves), int(rows[-1][0]) if rows else 0, len(rows)  # type: ignore[call-overload]


@pytest.fixture
def home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Home:
    return Home(tmp_path, capsys)


def test_audit_is_clean_then_names_each_problem(home: Home) -> None:
    home.put_unsigned(4)
    code, out, err = home.cli("ledger", "audit", "--json")
    assert code == 0, err
    reports = {r["region"]: r for r in json.loads(out)}
    assert reports["vn-hcm"]["ok"] and reports["vn-hcm"]["records"] == 4
    assert home.sizes()[2] == 0  # the audit signs nothing
    home.sql("DELETE FROM records WHERE record_id = 'rec-1'")
    db = open_database(f"sqlite:///{home.path / 'data' / 'vn-hcm.db'}")
    try:
        with db.transaction():
            sealed = db.records.get("rec-2")
            assert sealed is not None
            db.records.put(replace(sealed, record_id="planted"))  # a row the ledger never placed
    finally:
        db.close()
    code, out, err = home.cli("ledger", "audit", "--region", "vn-hcm", "--json")
    assert code == 1 and "ledger.audit_failed" in err
    [report] = json.loads(out)
    assert report["counts"] == {"placement.no_record": 1, "record.no_placement": 1}
    assert {f["record_id"] for f in report["findings"]} == {None, "planted"}
    code, out, _ = home.cli("ledger", "audit", "--region", "vn-hcm")
    assert code == 1 and "placement.no_record" in out and "planted" in out


def _delete_tail_leaves(home: Home, first: int) -> None:
    home.sql("DELETE FROM ledger_leaves WHERE idx >= ?", (first,))


def _edit_tail_leaf_and_rehash(home: Home, first: int) -> None:
    [(entry,)] = home.sql("SELECT entry FROM ledger_leaves WHERE idx = ?", (first + 1,))
    raw = bytearray(entry)  # type: ignore[arg-type]
    raw[50] ^= 0xFF  # a byte of the record ref
    home.sql(
        "UPDATE ledger_leaves SET entry = ?, leaf_hash = ? WHERE idx = ?",
        (bytes(raw), leaf_hash(bytes(raw)), first + 1),
    )


def _flip_tail_stored_hash(home: Home, first: int) -> None:
    home.sql("UPDATE ledger_leaves SET leaf_hash = ? WHERE idx = ?", (bytes(32), first))


def _delete_tail_row(home: Home, first: int) -> None:
    home.sql("DELETE FROM records WHERE record_id = (SELECT MAX(record_id) FROM records)")


@pytest.mark.parametrize(
    "tamper",
    [_delete_tail_leaves, _edit_tail_leaf_and_rehash, _flip_tail_stored_hash, _delete_tail_row],
    ids=["delete-tail-leaves", "edit-leaf-and-rehash", "flip-stored-hash", "delete-row"],
)
def test_checkpoint_refuses_to_sign_over_a_tampered_tail(
    home: Home, tamper: Callable[[Home, int], None]
) -> None:
    """Finding 3: these passed ``verify`` and ``ledger checkpoint`` signed over them."""
    home.put_unsigned(5)
    code, _, err = home.cli("ledger", "checkpoint", "vn-hcm")
    assert code == 0, err
    first = home.sizes()[0]
    home.put_unsigned(3)
    tamper(home, first)
    code, _, err = home.cli("ledger", "checkpoint", "vn-hcm")
    assert code == 1, "signed over a tampered log"
    assert "ledger.audit_failed" in err
    assert home.sizes()[2] == 1


def test_cli_write_commands_end_signed_and_truncation_is_detected(home: Home) -> None:
    """The tail window: a CLI ``put`` leaves its leaf signed, so dropping it (leaf and row
    together, the one edit a store reconciliation cannot see) is detected."""
    for i in range(3):
        code, _, err = home.cli(
            "put",
            "-s",
            f"u{i}",
            "-k",
            "profile",
            "-d",
            "{}",
            "--signal",
            f"phone_number={VN_PHONE}",
        )
        assert code == 0, err
        leaves, signed, _ = home.sizes()
        assert signed == leaves == i + 1
    [(rid,)] = home.sql("SELECT record_id FROM records ORDER BY created_at DESC LIMIT 1")
    home.sql("DELETE FROM records WHERE record_id = ?", (rid,))
    home.sql("DELETE FROM ledger_leaves WHERE idx = 2")
    code, out, _ = home.cli("ledger", "audit", "--region", "vn-hcm", "--json")
    assert code == 1
    assert "checkpoint.beyond_log" in json.loads(out)[0]["counts"]
    code, _, _ = home.cli("ledger", "verify", "--region", "vn-hcm")
    assert code == 1
