"""docs/notifications.md and docs/configuration.md: every notifications setting is documented,
and the receiver example in the docs runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from onshore.settings.notifications import NotificationSettings, SmtpSettings, WebhookSettings

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("model", [NotificationSettings, WebhookSettings, SmtpSettings])
def test_every_notifications_setting_is_described_and_documented(model: type[BaseModel]) -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    for name, field in model.model_fields.items():
        assert field.description, f"{model.__name__}.{name} has no description"
        assert f"| `{name}` |" in text, f"{model.__name__}.{name} is not in docs/configuration.md"


def test_the_receiver_example_runs() -> None:
    text = (DOCS / "notifications.md").read_text(encoding="utf-8")
    [code] = re.findall(r"```python\n(.*?)```", text, re.S)
    exec(compile(code, "docs/notifications.md", "exec"), {})  # its asserts are the test
    for name in ("verify_signature", "webhook.replayed", "webhook.signature_invalid",
                 "onshore_case_deadline_breaches_total", "onshore worker --once"):  # fmt: skip
        assert name in text
