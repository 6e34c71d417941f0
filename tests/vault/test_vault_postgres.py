"""The vault on real PostgreSQL regions: placement, search, and a store that goes down."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from onshore.core.errors import StoreUnavailable
from onshore.services.vault import RecordInput, Vault
from tests.support.pgcluster import PgCluster
from tests.vault.conftest import make_settings

pytestmark = pytest.mark.postgres

VN_PHONE = "+84912345678"


def _regions(vn_url: str, sg_url: str) -> dict[str, dict[str, str]]:
    return {
        "vn-hcm": {"country": "VN", "store": vn_url},
        "sg-1": {"country": "SG", "store": sg_url},
    }


def test_vault_on_postgres(tmp_path: Path, pg_url_factory: Callable[[], str]) -> None:
    vn_url, sg_url = pg_url_factory(), pg_url_factory()
    with Vault.open(
        make_settings(tmp_path, regions=_regions(vn_url, sg_url)), create_keys=True
    ) as v:
        receipts = v.put_many(
            [
                RecordInput(
                    "u-vn",
                    "profile",
                    {"phone": VN_PHONE, "email": "a@b.vn"},
                    {"phone_number": VN_PHONE},
                ),
                RecordInput(
                    "u-sg", "profile", {"phone": "+6581234567"}, {"phone_number": "+6581234567"}
                ),
            ]
        )
        assert [r.region for r in receipts] == ["vn-hcm", "sg-1"]
        assert [r.record_id for r in v.find(by={"phone_number": "0912 345 678"})] == [
            receipts[0].record_id
        ]
    with psycopg.connect(sg_url) as conn:
        dump = b"".join(
            bytes(c) if isinstance(c, bytes | memoryview) else str(c).encode()
            for row in conn.execute("SELECT * FROM records").fetchall()
            for c in row
        )
        assert VN_PHONE.encode() not in dump and b"912345678" not in dump


def test_store_that_is_down_is_a_typed_error_and_writes_nothing(
    tmp_path: Path, pg_cluster: PgCluster, pg_url_factory: Callable[[], str]
) -> None:
    vn_url, sg_url = pg_url_factory(), pg_url_factory()
    vault = Vault.open(make_settings(tmp_path, regions=_regions(vn_url, sg_url)), create_keys=True)
    try:
        vault.put("u-sg", "profile", {"phone": "+6581234567"}, {"phone_number": "+6581234567"})
        dbname = vn_url.rsplit("/", 1)[1]
        with psycopg.connect(pg_cluster.admin_url, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS false')
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (dbname,),
            )
        with pytest.raises(StoreUnavailable) as info:
            vault.put_many(
                [
                    RecordInput(
                        "u-sg2",
                        "profile",
                        {"phone": "+6581234568"},
                        {"phone_number": "+6581234568"},
                    ),
                    RecordInput("u-vn", "profile", {"phone": VN_PHONE}, {"phone_number": VN_PHONE}),
                ]
            )
        assert info.value.code == "store.unavailable"
        assert vault.runtime.regions["sg-1"].db.records.count() == 1
        assert vault.runtime.regions["sg-1"].db.ledger.size() == 1
    finally:
        vault.close()


def test_unreachable_postgres_at_start_up(
    tmp_path: Path, pg_url_factory: Callable[[], str]
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    regions = _regions(f"postgresql://postgres@127.0.0.1:{port}/nope", pg_url_factory())
    with pytest.raises(StoreUnavailable):
        Vault.open(make_settings(tmp_path, regions=regions), create_keys=True)
