"""Issue #11 finding 7: SQLite region stores commit with synchronous=FULL unless relaxed.

In WAL mode ``synchronous=NORMAL`` does not fsync at commit, so a receipt already handed
out can vanish on power loss; ``FULL`` fsyncs the WAL before a commit returns. The setting
``deployment.sqlite_synchronous = "normal"`` relaxes it (documented as unsafe).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from onshore.core.errors import ConfigError
from onshore.services.vault import Vault
from onshore.settings import load_settings
from tests.vault.conftest import make_settings

FULL, NORMAL = 2, 1


def _modes(vault: Vault) -> dict[str, int]:
    out = {}
    for name, region in vault.runtime.regions.items():
        conn = region.db.conn  # type: ignore[attr-defined]
        out[name] = conn.execute("PRAGMA synchronous").fetchone()[0]
    return out


def test_region_stores_fsync_every_commit_by_default(tmp_path: Path) -> None:
    with Vault.open(make_settings(tmp_path), create_keys=True) as vault:
        assert _modes(vault) == {"vn-hcm": FULL, "sg-1": FULL}
        receipt = vault.put("u1", "profile", {"phone": "+84912345678"})
    with Vault.open(make_settings(tmp_path)) as vault:
        assert vault.get(receipt.record_id).subject_id == "u1"


def test_the_setting_relaxes_it(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, sqlite_synchronous="normal")
    with Vault.open(settings, create_keys=True) as vault:
        assert _modes(vault) == {"vn-hcm": NORMAL, "sg-1": NORMAL}


def test_an_unknown_mode_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "onshore.toml"
    path.write_text(
        '[deployment]\ndefault_region = "sg-1"\nsqlite_synchronous = "off"\n'
        '[regions.sg-1]\ncountry = "SG"\nstore = "sqlite:///sg.db"\n'
    )
    with pytest.raises(ConfigError, match="sqlite_synchronous"):
        load_settings(path)
