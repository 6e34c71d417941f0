"""The CLI's consoles are made when their module is imported, which in a test run can be
inside a ``CliRunner`` with some ``COLUMNS``: the width must follow ``COLUMNS`` as it is
when printing, not as it was then (a table cut at 80 columns in a later test's output)."""

from __future__ import annotations

import io

import pytest

from onshore.cli.console import PIPED_WIDTH, CliConsole


def test_the_width_follows_columns_when_printing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    made = CliConsole(file=io.StringIO())
    assert made.width == 60
    monkeypatch.setenv("COLUMNS", "300")
    assert made.width == 300
    monkeypatch.delenv("COLUMNS")
    assert made.width == PIPED_WIDTH  # piped, no COLUMNS: tables get the piped width


def test_an_explicit_width_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    assert CliConsole(file=io.StringIO(), width=120).width == 120
