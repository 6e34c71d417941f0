"""Fixtures for audience thresholds: the default deployment on SQLite (or memory), a fixed
clock, and a writer for metrics files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.services.audience import AudienceService
from onshore.services.runtime import Runtime, open_runtime
from onshore.settings import Settings
from tests.cases.conftest import settings_for

T0 = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
HEADER = "subject_id,subject_type,country,date,subscribers,monthly_visits,livestreaming,monetised"


#: The platform's country: VN-D147-10k concerns users of FOREIGN social networks, so these
#: tests run a platform incorporated outside Viet Nam serving Vietnamese users.
PLATFORM = "SG"


def foreign(settings: Settings) -> Settings:
    """``settings`` with the deployment's entity incorporated in ``PLATFORM``."""
    dep = settings.deployment
    entity = dep.entity.model_copy(update={"incorporated_in": PLATFORM})
    return settings.model_copy(update={"deployment": dep.model_copy(update={"entity": entity})})


def foreign_toml(config: Path) -> None:
    """The ``onshore.toml`` that ``onshore init`` wrote, for a platform of ``PLATFORM``."""
    text = config.read_text(encoding="utf-8")
    assert 'incorporated_in = "VN"' in text
    config.write_text(text.replace('incorporated_in = "VN"', f'incorporated_in = "{PLATFORM}"'))


@pytest.fixture(params=["sqlite", "memory"])
def runtime(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    rt = open_runtime(foreign(settings_for(tmp_path, request.param)), create_keys=True,
                      clock=FixedClock(T0))  # fmt: skip
    yield rt
    rt.close()


@pytest.fixture
def svc(runtime: Runtime) -> AudienceService:
    return AudienceService(runtime, registry=CollectorRegistry())


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows),
                    encoding="utf-8")  # fmt: skip
    return path
