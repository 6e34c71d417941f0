"""The registry of requesting authorities and their contact channels.

Shipped as package data (``onshore/services/data/authorities.yaml``); a deployment's own
``<base_dir>/authorities.yaml`` (same shape) replaces entries by id and adds new ones. A
request is authenticated only through a channel marked ``verified: true``.

Example:
    >>> reg = AuthorityRegistry.load()
    >>> reg.get("VN-A05").country
    'VN'
    >>> reg.get("VN-A05").channel("a05-written").verified
    False
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from onshore.core.errors import ConfigError, InputError

SCHEMA = "onshore.authorities/v0"


@dataclass(frozen=True, slots=True)
class Channel:
    """A way an authority sends requests (``postal``, ``email``, ``portal``...)."""

    id: str
    type: str
    address: str
    verified: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "type": self.type,
            "address": self.address,
            "verified": self.verified,
        }


@dataclass(frozen=True, slots=True)
class Authority:
    """A requesting authority: id, name, ISO country and its channels."""

    id: str
    name: str
    country: str
    kind: str
    channels: tuple[Channel, ...]

    def channel(self, channel_id: str) -> Channel:
        """The channel ``channel_id``; ``InputError`` when the authority has none such."""
        for c in self.channels:
            if c.id == channel_id:
                return c
        raise InputError(
            f"authority {self.id} has no channel {channel_id!r}",
            details={"channels": [c.id for c in self.channels]},
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "name": self.name,
            "country": self.country,
            "kind": self.kind,
            "channels": [c.to_dict() for c in self.channels],
        }


class AuthorityRegistry:
    """Authorities by id."""

    def __init__(self, authorities: dict[str, Authority]) -> None:
        self._by_id = dict(authorities)

    @classmethod
    def load(cls, override: Path | None = None) -> AuthorityRegistry:
        """The shipped registry, with ``override``'s entries (when the file exists) on top."""
        text = resources.files("onshore.services").joinpath("data/authorities.yaml").read_text()
        found = _parse(text, "onshore/services/data/authorities.yaml")
        if override is not None and override.is_file():
            found.update(_parse(override.read_text(encoding="utf-8"), str(override)))
        return cls(found)

    def get(self, authority_id: str) -> Authority:
        """The authority; ``InputError`` naming the known ids when it is not registered."""
        try:
            return self._by_id[authority_id]
        except KeyError:
            raise InputError(
                f"unknown authority {authority_id!r}", details={"known": sorted(self._by_id)}
            ) from None

    def all(self) -> list[Authority]:
        """Every authority, by id."""
        return [self._by_id[k] for k in sorted(self._by_id)]


def _parse(text: str, origin: str) -> dict[str, Authority]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not YAML: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ConfigError(f"{origin}: expected 'schema: {SCHEMA}'")
    out: dict[str, Authority] = {}
    for aid, body in (doc.get("authorities") or {}).items():
        try:
            channels = tuple(
                Channel(
                    str(c["id"]),
                    str(c["type"]),
                    str(c.get("address", "")),
                    bool(c.get("verified", False)),
                )
                for c in body.get("channels", [])
            )
            out[str(aid)] = Authority(
                str(aid),
                str(body["name"]),
                str(body["country"]).upper(),
                str(body.get("kind", "other")),
                channels,
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"{origin}: authority {aid!r} is malformed ({exc})") from exc
    return out
