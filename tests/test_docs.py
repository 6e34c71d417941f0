"""Docs are tested: generated references are current, every setting and error code is documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from onshore.core.errors import error_classes
from onshore.settings import (
    BackupDestination,
    DeploymentSettings,
    EntitySettings,
    RegionSettings,
    ServerSettings,
    Settings,
)
from onshore.settings.console import ConsoleSettings
from onshore.settings.idempotency import IdempotencySettings
from onshore.settings.identities import IdentitySettings
from onshore.settings.scan import BucketSettings, S3Settings, ScanSettings
from onshore.settings.transfers import TransferSettings

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_generated_references_are_current() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "docs/cli.md", "docs/errors.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (
        "docs drifted from the code; run `.venv/bin/cog -r docs/cli.md docs/errors.md`\n"
        + done.stdout
        + done.stderr
    )


@pytest.mark.parametrize(
    "model",
    [
        Settings,
        DeploymentSettings,
        RegionSettings,
        EntitySettings,
        BackupDestination,
        ServerSettings,
        IdempotencySettings,
        IdentitySettings,
        ConsoleSettings,
        TransferSettings,
        ScanSettings,
        S3Settings,
        BucketSettings,
    ],
)
def test_every_setting_is_described_and_documented(model: type[BaseModel]) -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    for name, field in model.model_fields.items():
        assert field.description, f"{model.__name__}.{name} has no description"
        assert f"`{name}`" in text, f"{model.__name__}.{name} is not in docs/configuration.md"


def test_every_error_code_is_documented() -> None:
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    for cls in error_classes():
        assert f"`{cls.code}`" in text, cls
        assert (cls.__doc__ or "").strip(), f"{cls.__name__} has no docstring"


def test_error_codes_are_unique_and_dotted() -> None:
    codes = [c.code for c in error_classes()]
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)
    assert all("." in c or c == "not_found" for c in codes)


def test_readme_starts_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = text.split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:] if line.strip()]
    assert commands == ["make run", "make test"]
