"""Fixtures of the migration tests: a seeded SQLite world, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.migrate.world import seed, write_world

VN_MAIL = 150
OTHERS = 25


def sqlite_stores(base: Path) -> tuple[dict[str, str], str]:
    """Region and control store URLs of a SQLite world under ``base``."""
    return (
        {"vn-hcm": f"sqlite:///{base}/vn-hcm.db", "sg-1": f"sqlite:///{base}/sg-1.db"},
        f"sqlite:///{base}/control.db",
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    """A seeded SQLite world (keys in its base directory), made once per module."""
    base = tmp_path_factory.mktemp("seeded")
    stores, control = sqlite_stores(base)
    _, ids = seed(base, stores, control, VN_MAIL, OTHERS)
    return base, ids


@pytest.fixture
def world(
    seeded: tuple[Path, dict[str, list[str]]], tmp_path: Path
) -> tuple[Path, dict[str, list[str]]]:
    """A fresh copy of the seeded world: its config file and the record ids by group."""
    base, ids = seeded
    copy = tmp_path / "world"
    shutil.copytree(base, copy)
    stores, control = sqlite_stores(copy)
    return write_world(copy, stores, control), ids
