"""Vault fixtures: vaults on the embedded default (SQLite in a temp dir) and variants."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from onshore.services.vault import Vault
from onshore.settings import Settings, default_config_dict


def make_settings(base: Path, **overrides: Any) -> Settings:
    """The DESIGN §3 default with stores under ``base``; ``overrides`` patch the dict."""
    cfg = default_config_dict()
    cfg["regions"]["vn-hcm"]["store"] = f"sqlite:///{base}/vn-hcm.db"
    cfg["regions"]["sg-1"]["store"] = f"sqlite:///{base}/sg-1.db"
    cfg["base_dir"] = str(base)
    for key, value in overrides.items():
        if key == "regions":
            cfg["regions"] = value
        else:
            cfg["deployment"][key] = value
    return Settings.model_validate(cfg)


@pytest.fixture
def vault_factory(tmp_path: Path) -> Iterator[Callable[..., Vault]]:
    opened: list[Vault] = []

    def factory(**overrides: Any) -> Vault:
        vault = Vault.open(make_settings(tmp_path, **overrides), create_keys=True)
        opened.append(vault)
        return vault

    yield factory
    for vault in opened:
        vault.close()


@pytest.fixture
def vault(vault_factory: Callable[..., Vault]) -> Vault:
    """A vault on the embedded default deployment, SQLite files in a temp dir."""
    return vault_factory()
