"""A case kind declared in the registry and nowhere else gets its CLI group: ``onshore
complaints open|act|show|list|lifecycle`` for the worked "complaint" kind (docs/cases.md),
acting locally as the host administrator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onshore.cli.host import host_principal
from onshore.core.cases import registry
from tests.cases.complaint import COMPLAINT
from tests.support.cli import onshore


@pytest.fixture
def declared(monkeypatch: pytest.MonkeyPatch) -> None:
    """The complaint kind added to the registry for this test."""
    monkeypatch.setitem(registry.KINDS, COMPLAINT.name, COMPLAINT)


def test_a_declared_kind_gets_its_group(declared: None, tmp_path: Path) -> None:
    assert onshore("init", "--dir", str(tmp_path), cwd=tmp_path).returncode == 0
    helped = onshore("complaints", "act", "--help", cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    assert "assess (" in helped.stdout and "dismiss (" in helped.stdout
    body = json.dumps({"channel": "web_form", "reference": "C-1", "summary": "removed in error"})
    done = onshore("complaints", "open", "--body", body, "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    case = json.loads(done.stdout)
    assert case["state"] == "received"
    done = onshore("complaints", "act", case["case_id"], "assess", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["state"] == "assessing"
    done = onshore("complaints", "show", case["case_id"], "--json", cwd=tmp_path)
    history = json.loads(done.stdout)["history"]
    assert [h["actor"] for h in history] == [host_principal().id] * 2
    done = onshore("complaints", "list", "--state", "assessing", "--json", cwd=tmp_path)
    assert [c["case_id"] for c in json.loads(done.stdout)] == [case["case_id"]]
    done = onshore("complaints", "lifecycle", "--format", "json", cwd=tmp_path)
    assert json.loads(done.stdout)["initial"] == "received"
    other = onshore("takedowns", "show", case["case_id"], cwd=tmp_path)  # not a takedown
    assert other.returncode == 1 and "case.not_found" in other.stderr
    bad = onshore("complaints", "open", "--body", '{"channel": "fax"}', cwd=tmp_path)
    assert bad.returncode == 2 and "input.invalid" in bad.stderr


def test_without_the_declaration_there_is_no_group(tmp_path: Path) -> None:
    done = onshore("complaints", "list", cwd=tmp_path)
    assert done.returncode == 2 and "No such command" in done.stderr
