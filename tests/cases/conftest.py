"""Fixtures for the case machinery: a runtime on the default deployment with a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from onshore.adapters.clock import FixedClock
from onshore.core.identity import Principal
from onshore.services.runtime import Runtime, open_runtime
from onshore.settings import Settings, default_config_dict

T0 = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)  # a Friday


def who(user_id: str, role: str) -> Principal:
    """A signed-in user ``user_id`` (id and name) holding the one role ``role``."""
    return Principal("user", user_id, user_id, frozenset({role}))


def settings_for(base: Path, store: str = "sqlite") -> Settings:
    """The DESIGN §3 default deployment, stores in ``base`` (SQLite) or in memory."""
    cfg = default_config_dict()
    for name, region in cfg["regions"].items():
        region["store"] = f"sqlite:///{base}/{name}.db" if store == "sqlite" else "memory://"
        region.pop("objects", None)
    cfg["base_dir"] = str(base)
    return Settings.model_validate(cfg)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def runtime(tmp_path: Path, clock: FixedClock) -> Iterator[Runtime]:
    rt = open_runtime(settings_for(tmp_path), create_keys=True, clock=clock)
    yield rt
    rt.close()
