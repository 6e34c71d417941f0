"""``onshore policy explain`` states metrics, events, labels, authority decisions and a
decision date, and ``--brief`` prints a few lines."""

from __future__ import annotations

import json

import pytest

from onshore.cli.main import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["policy", "explain", "--entity-country", "VN", *argv])
    out = capsys.readouterr()
    return int(info.value.code or 0), out.out, out.err


def test_event_and_bare_decision_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--op", "erase", "--subject", "VN", "--category", "email",
                         "--event", "storage_request=2025-01-01", "--at", "2025-06-01",
                         "--json"], capsys)  # fmt: skip
    data = json.loads(out)
    assert code == 3 and data["deciding_rules"] == ["VN-D53-27.data"]
    assert data["at"] == "2025-06-01T00:00:00+07:00"  # a bare date is local midnight
    assert data["facts"]["events"]["storage_request"].startswith("2025-01-01T00:00:00+07:00")


def test_metric_and_label(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--op", "threshold", "--entity-country", "SG", "--role", "account_owner",
                         "--metric", "vn_followers=12000", "--at", "2026-11-20", "--json"],
                        capsys)  # fmt: skip
    assert code == 0 and "VN-D147-10k" in [t["rule_id"] for t in json.loads(out)["considered"]
                                           if t["applied"]]  # fmt: skip
    code, out, _ = _run(["--op", "store", "--subject", "VN", "--category", "email",
                         "--region-country", "SG", "--label", "vn.data.core",
                         "--at", "2025-08-01", "--json"], capsys)  # fmt: skip
    assert code == 3 and "VN-D165-core" in json.loads(out)["deciding_rules"]


def test_brief_is_a_few_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--op", "remove", "--request", "authority_takedown",
                         "--event", "authority_request=2023-06-01T09:00+07:00",
                         "--at", "2023-06-01", "--brief"], capsys)  # fmt: skip
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) <= 4
    assert lines[0].startswith("ALLOW  remove at 2023-06-01T00:00:00+07:00")
    assert "rules: VN-LCS18-26.2b" in lines
    assert "owes: VN-LCS18-26.2b remove_within by 2023-06-02T09:00:00+07:00" in lines


def test_bad_metric_is_an_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["--metric", "vn_followers=many"], capsys)
    assert code != 0 and "--metric" in err
