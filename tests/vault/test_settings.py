"""Settings: the embedded default, onshore.toml, env overrides and config errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from onshore.core.errors import ConfigError
from onshore.settings import DEFAULT_TOML, Settings, default_config_dict, load_settings


def test_embedded_default_when_no_file(tmp_path: Path) -> None:
    s = load_settings(tmp_path / "onshore.toml", env={})
    assert s.deployment.entity.incorporated_in == "VN"
    assert s.deployment.entity.sectors == ["social_network"]
    assert {n: r.country for n, r in s.regions.items()} == {"vn-hcm": "VN", "sg-1": "SG"}
    assert s.deployment.default_region == "sg-1"
    assert s.keys_dir("vn-hcm") == tmp_path / "data" / "vn-hcm" / "keys"


def test_default_toml_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "onshore.toml"
    path.write_text(DEFAULT_TOML)
    from_file = load_settings(path, env={})
    from_dict = Settings.model_validate({**default_config_dict(), "base_dir": str(tmp_path)})
    assert from_file == from_dict


def test_env_overrides(tmp_path: Path) -> None:
    env = {
        "ONSHORE_REGIONS__VN_HCM__STORE": "postgresql://u@127.0.0.1:5/x",
        "ONSHORE_DEPLOYMENT__PACKS": "vn, eu",
        "ONSHORE_DEPLOYMENT__ENFORCE_UNCONFIRMED": "true",
        "ONSHORE_DEPLOYMENT__DEFAULT_REGION": "vn-hcm",
    }
    s = load_settings(tmp_path / "none.toml", env=env)
    assert s.regions["vn-hcm"].store == "postgresql://u@127.0.0.1:5/x"
    assert s.deployment.packs == ["vn", "eu"]
    assert s.deployment.enforce_unconfirmed is True
    assert s.deployment.default_region == "vn-hcm"


def test_config_env_var_picks_file(tmp_path: Path) -> None:
    path = tmp_path / "custom.toml"
    path.write_text(DEFAULT_TOML.replace('name = "demo"', 'name = "prod"'))
    assert load_settings(env={"ONSHORE_CONFIG": str(path)}).deployment.name == "prod"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "onshore.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("edit", "key_named"),
    [
        (
            lambda t: t.replace('store = "sqlite:///data/sg-1.db"', 'store = "mysql://x/y"'),
            "regions.sg-1.store",
        ),
        (lambda t: t.replace('country = "SG"\n', ""), "regions.sg-1.country"),
        (lambda t: t.replace('country = "SG"', 'country = "XX"'), "regions.sg-1.country"),
        (
            lambda t: t + '\n[regions.SG_1]\ncountry = "SG"\nstore = "sqlite:///data/other.db"\n',
            "regions.SG_1",
        ),
        (
            lambda t: t + '\n[regions.sg-2]\ncountry = "SG"\nstore = "sqlite:///data/sg-1.db"\n',
            "regions.sg-2.store",
        ),
        (
            lambda t: t.replace('default_region = "sg-1"', 'default_region = "eu-1"'),
            "deployment.default_region",
        ),
        (
            lambda t: t.replace('name = "demo"', 'name = "demo"\nsurprise = 1'),
            "deployment.surprise",
        ),
        (lambda t: t.replace("[deployment]", "[deployment"), "not valid TOML"),
    ],
)
def test_config_errors_name_the_key(tmp_path: Path, edit: object, key_named: str) -> None:
    path = _write(tmp_path, edit(DEFAULT_TOML))  # type: ignore[operator]
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert key_named in info.value.message
    assert info.value.code == "config.invalid"


def test_unknown_env_setting_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ONSHORE_NOPE"):
        load_settings(tmp_path / "x.toml", env={"ONSHORE_NOPE": "1"})
