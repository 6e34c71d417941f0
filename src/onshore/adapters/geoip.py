"""Offline IP -> country look-ups, IPv4 and IPv6 (never a network call).

By default the IPv4+IPv6 country database bundled with the ``geoip2fast`` package
(``BUNDLED_DATA``, GeoLite2 data of June 2024: it ages); a MaxMind-format country database
(``.mmdb``: GeoLite2-Country, DB-IP's IP-to-Country Lite...) when the deployment configures
``deployment.geoip_mmdb``, which is how a deployment keeps the data current (see
``docs/configuration.md``, "IP address countries").

Example:
    >>> lookup = open_country_lookup(None)
    >>> lookup.country_of("14.160.0.1"), lookup.country_of("10.0.0.1"), lookup.country_of("nope")
    ('VN', None, None)
    >>> lookup.country_of("2001:ee0:4000::1"), lookup.country_of("::1")
    ('VN', None)
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Any

from onshore.core.errors import ConfigError

#: geoip2fast's data file with IPv4 and IPv6 networks (its default file is IPv4 only).
BUNDLED_DATA = "geoip2fast-ipv6.dat.gz"


class GeoIP2FastLookup:
    """Country of an IP from geoip2fast's bundled IPv4+IPv6 database (loaded on the first
    look-up, ~0.5 s, then shared)."""

    def __init__(self, data_file: str = BUNDLED_DATA) -> None:
        self._data_file = data_file
        self._loaded: Any = None
        self.country_of = lru_cache(maxsize=65536)(self._country_of)  # type: ignore[method-assign]

    @property
    def _geo(self) -> Any:
        if self._loaded is None:
            from geoip2fast import GeoIP2Fast

            self._loaded = GeoIP2Fast(geoip2fast_data_file=self._data_file)
        return self._loaded

    def source(self) -> str:
        """Where the data comes from and its date, e.g. ``MAXMIND:GeoLite2-...-20240618``."""
        return str(self._geo.get_database_info().get("source_info", self._data_file))

    def _country_of(self, ip: str) -> str | None:
        try:
            addr = ipaddress.ip_address(ip.strip())
        except ValueError:
            return None
        if not addr.is_global:
            return None
        code = getattr(self._geo.lookup(str(addr)), "country_code", None)
        return code if isinstance(code, str) and len(code) == 2 and code.isalpha() else None

    def country_of(self, ip: str) -> str | None:  # replaced by a cached bound function
        """The ISO alpha-2 country of ``ip``, or None when private, unknown or malformed."""
        return self._country_of(ip)


class MmdbLookup:
    """Country of an IP from a MaxMind-format ``.mmdb`` country database."""

    def __init__(self, path: Path) -> None:
        try:
            import maxminddb
        except ImportError as exc:  # pragma: no cover - dependency declared
            raise ConfigError("deployment.geoip_mmdb: the maxminddb package is missing") from exc
        try:
            self._reader: Any = maxminddb.open_database(str(path))
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
            raise ConfigError(f"deployment.geoip_mmdb: cannot open {path}: {exc}") from exc

    def country_of(self, ip: str) -> str | None:
        """The ISO alpha-2 country of ``ip``, or None."""
        try:
            record = self._reader.get(ip.strip())
        except ValueError:
            return None
        if not isinstance(record, dict):
            return None
        country = record.get("country") or record.get("registered_country") or {}
        code = country.get("iso_code") if isinstance(country, dict) else None
        return code if isinstance(code, str) else None


_default: GeoIP2FastLookup | None = None


def open_country_lookup(mmdb: Path | None) -> GeoIP2FastLookup | MmdbLookup:
    """The configured offline country database (the bundled one is shared per process)."""
    global _default
    if mmdb is not None:
        return MmdbLookup(mmdb)
    if _default is None:
        _default = GeoIP2FastLookup()
    return _default
