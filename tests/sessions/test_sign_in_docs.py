"""The sign-in settings and error codes are documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from onshore.core.errors import OidcError, error_classes
from onshore.settings.oidc import OidcSettings
from onshore.settings.sessions import SessionSettings

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("model", [SessionSettings, OidcSettings])
def test_every_setting_is_described_and_documented(model: type[BaseModel]) -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    for name, field in model.model_fields.items():
        assert field.description, f"{model.__name__}.{name} has no description"
        assert f"`{name}`" in text, f"{model.__name__}.{name} is not in docs/configuration.md"


def test_sign_in_doc_names_every_oidc_error() -> None:
    text = (DOCS / "sign-in.md").read_text(encoding="utf-8")
    codes = {c.code for c in error_classes() if issubclass(c, OidcError) and c is not OidcError}
    assert codes and all(f"`{code}`" in text for code in codes)
    assert "`auth.csrf_failed`" in text and "`auth.session_expired`" in text


def test_oidc_settings_refuse_an_inline_secret_and_unknown_roles() -> None:
    base = {"issuer": "https://id.example", "client_id": "c", "redirect_url": "https://x/cb"}
    with pytest.raises(ValueError, match="client_secret_env or client_secret_file"):
        OidcSettings(**base)
    with pytest.raises(ValueError, match="extra"):
        OidcSettings(**base, client_secret="inline")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="unknown roles"):
        OidcSettings(**base, client_secret_env="S", role_map={"g": ["superuser"]})
    with pytest.raises(ValueError, match="idle_minutes"):
        SessionSettings(idle_minutes=24 * 60, absolute_hours=1)


def test_environment_overrides_reach_the_sections() -> None:
    from onshore.settings import Settings, default_config_dict
    from onshore.settings.environment import apply_env

    data = default_config_dict()
    apply_env(data, {"ONSHORE_SESSIONS__IDLE_MINUTES": "15", "ONSHORE_OIDC__CLIENT_ID": "c"})
    settings = Settings.model_validate(data)
    assert (settings.sessions.idle_minutes, settings.oidc.client_id) == (15, "c")
