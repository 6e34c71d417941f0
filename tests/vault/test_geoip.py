"""IP addresses resolve to countries offline, IPv6 included: with the bundled geoip2fast data
and with a configured MaxMind-format database (a tiny one written here with mmdb-writer)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from onshore.adapters.geoip import BUNDLED_DATA, GeoIP2FastLookup, MmdbLookup, open_country_lookup
from onshore.core.errors import ConfigError
from onshore.services.vault import Vault

# Documentation ranges (RFC 3849, RFC 5737): no real database places them anywhere.
V6_VN, V6_SG, V4_VN = "2001:db8:84::/48", "2001:db8:65::/48", "198.51.100.0/24"


@pytest.fixture(scope="module")
def mmdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GeoIP2-Country-shaped database holding three networks, IPv4 mapped into IPv6."""
    writer = MMDBWriter(
        ip_version=6, database_type="GeoLite2-Country", ipv4_compatible=True, languages=["en"]
    )
    for network, code in ((V6_VN, "VN"), (V6_SG, "SG"), (V4_VN, "VN")):
        writer.insert_network(IPSet([network]), {"country": {"iso_code": code}})
    path = tmp_path_factory.mktemp("geoip") / "countries.mmdb"
    writer.to_db_file(str(path))
    return path


def test_the_bundled_data_resolves_ipv6() -> None:
    lookup = GeoIP2FastLookup()
    assert BUNDLED_DATA.endswith("-ipv6.dat.gz")
    assert lookup.country_of("2001:ee0:4000::1") == "VN"  # VNPT
    assert lookup.country_of("14.160.0.1") == "VN"
    assert lookup.country_of("fe80::1") is None and lookup.country_of("::1") is None
    assert "IPv6" in lookup.source()


def test_a_configured_mmdb_resolves_ipv6_and_ipv4(mmdb: Path) -> None:
    lookup = open_country_lookup(mmdb)
    assert isinstance(lookup, MmdbLookup)
    assert lookup.country_of("2001:db8:84::1") == "VN"
    assert lookup.country_of("2001:db8:65:ffff::9") == "SG"
    assert lookup.country_of("198.51.100.7") == "VN"
    assert lookup.country_of("2001:db8:99::1") is None
    assert lookup.country_of("not an address") is None


def test_an_unreadable_mmdb_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.mmdb"
    bad.write_bytes(b"not a database")
    with pytest.raises(ConfigError, match="geoip_mmdb"):
        open_country_lookup(bad)


def test_the_vault_places_by_an_ipv6_signal(
    mmdb: Path, vault_factory: Callable[..., Vault]
) -> None:
    vault = vault_factory(geoip_mmdb=str(mmdb))
    assert vault.put("u-6", "profile", {}, {"ip": "2001:db8:84::10"}).region == "vn-hcm"
    assert vault.put("u-7", "profile", {}, {"ip": "2001:db8:65::10"}).region == "sg-1"


def test_a_relative_mmdb_path_is_read_from_the_config_directory(mmdb: Path, tmp_path: Path) -> None:
    from onshore.settings import load_settings

    (tmp_path / "geo").mkdir()
    (tmp_path / "geo" / "countries.mmdb").write_bytes(mmdb.read_bytes())
    toml = tmp_path / "onshore.toml"
    toml.write_text(
        '[deployment]\ndefault_region = "sg-1"\ngeoip_mmdb = "geo/countries.mmdb"\n'
        f'[regions.vn-hcm]\ncountry = "VN"\nstore = "sqlite:///{tmp_path}/vn.db"\n'
        f'[regions.sg-1]\ncountry = "SG"\nstore = "sqlite:///{tmp_path}/sg.db"\n',
        encoding="utf-8",
    )
    with Vault.open(load_settings(toml, env={}), create_keys=True) as vault:
        assert vault.put("u-8", "profile", {}, {"ip": "2001:db8:84::1"}).region == "vn-hcm"
