"""Synthetic users for the import tests: every third one Vietnamese (+84 phone, VN), the
others Singaporean (+65, SG); fictitious names and numbers, the same for the same ``n``.

Example:
    >>> [u["country"] for u in users(4)]
    ['VN', 'SG', 'SG', 'VN']
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

COLUMNS = ("user_id", "full_name", "phone", "email", "country")


def users(n: int, start: int = 0) -> list[dict[str, str]]:
    """``n`` users numbered from ``start``."""
    out = []
    for i in range(start, start + n):
        vn = i % 3 == 0
        out.append(
            {
                "user_id": f"u{i:07d}",
                "full_name": f"Nguyễn Văn {i}" if vn else f"Tan Wei {i}",
                "phone": f"+8491{i:07d}" if vn else f"+659{i:07d}",
                "email": f"user{i}@example.com",
                "country": "VN" if vn else "SG",
            }
        )
    return out


def expected_region(user: dict[str, str]) -> str:
    """The region a user must land in."""
    return "vn-hcm" if user["country"] == "VN" else "sg-1"


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """``rows`` as a CSV file."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    """``rows`` as JSON Lines."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def deployment(base: Path, stores: dict[str, str] | None = None) -> Path:
    """A deployment in ``base`` (the default ``onshore.toml``: SQLite regions under
    base/data) with its region stores replaced by ``stores`` when given, and its keys made;
    the configuration file."""
    from onshore.services.vault import Vault
    from onshore.settings import CONFIG_FILE, DEFAULT_TOML, load_settings

    text = DEFAULT_TOML
    for region, url in (stores or {}).items():
        text = text.replace(f'store = "sqlite:///data/{region}.db"', f'store = "{url}"')
    config = base / CONFIG_FILE
    config.write_text(text, encoding="utf-8")
    Vault.open(load_settings(config), create_keys=True).close()
    return config
