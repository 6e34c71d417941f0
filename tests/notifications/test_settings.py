"""``[notifications]``: defaults, environment overrides, and the checks on secrets' names."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from onshore.settings import Settings, default_config_dict
from onshore.settings.environment import apply_env
from onshore.settings.notifications import NotificationSettings

HOOK = {"name": "ops", "url": "https://hooks.example/x", "secret_env": "HOOK_SECRET"}


def test_defaults_run_in_the_server_every_minute() -> None:
    s = Settings.model_validate(default_config_dict()).notifications
    assert (s.in_server, s.interval_seconds, s.due_soon_hours) == (True, 60.0, 6.0)
    assert s.webhooks == [] and s.smtp is None


def test_single_values_are_overridden_from_the_environment() -> None:
    data = default_config_dict()
    apply_env(data, {"ONSHORE_NOTIFICATIONS__IN_SERVER": "false",
                     "ONSHORE_NOTIFICATIONS__INTERVAL_SECONDS": "15"})  # fmt: skip
    s = Settings.model_validate(data).notifications
    assert (s.in_server, s.interval_seconds) == (False, 15.0)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"webhooks": [{**HOOK, "secret_env": "ONSHORE_HOOK"}]}, "starts with ONSHORE_"),
        ({"webhooks": [{**HOOK, "secret_file": "s.txt"}]}, "not both"),
        ({"webhooks": [HOOK, HOOK]}, "share a name"),
        ({"webhooks": [{**HOOK, "url": "ftp://x"}]}, "url"),
        ({"webhooks": [{**HOOK, "events": ["opened"]}]}, "events"),
        ({"smtp": {"host": "m", "sender": "a@b.example"}}, "recipients"),
        (
            {
                "smtp": {
                    "host": "m",
                    "sender": "a@b.example",
                    "to": ["c@d.example"],
                    "username": "u",
                }
            },
            "password",
        ),
        ({"interval_seconds": 0}, "interval_seconds"),
    ],
)
def test_bad_tables_are_refused_naming_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        NotificationSettings.model_validate(table)
