"""Region outage: vn-hcm's own PostgreSQL cluster is stopped mid-load, sg-1 keeps serving.

vn-hcm runs on a cluster this test starts and stops (``pg_ctl stop`` while the vault is
writing), sg-1 on the session's cluster. While vn-hcm is down: sg-1 reads, writes and
searches work; vn-hcm calls fail with ``store.unavailable`` naming ``vn-hcm``; searches
over both regions raise ``store.partial`` carrying sg-1's results; ``/healthz`` says
degraded; a fresh process (the CLI) starts and serves sg-1. Once the cluster is back, the
same vault recovers and every acknowledged record reads (0 lost).
"""

from __future__ import annotations

import contextlib
import random
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from onshore.core.errors import PartialResults, StoreUnavailable
from onshore.server.app import create_app
from onshore.services.vault import RecordInput, Vault
from tests.reliability.cli_run import run_cli_process, write_config
from tests.server.conftest import TestClient
from tests.support.pgcluster import PgCluster
from tests.support.soak import report, trials
from tests.vault.conftest import make_settings

pytestmark = [pytest.mark.postgres, pytest.mark.soak]


class StoppableCluster(PgCluster):
    """A cluster of its own that can be stopped and started again (files kept)."""

    def pause(self) -> None:
        """Stop the server (fast shutdown), keeping its data directory."""
        self._run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"]
        )

    def resume(self) -> None:
        """Start the server again on the same port."""
        self._run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-l",
                str(self.tmp / "log"),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {self.port} -h 127.0.0.1 -k {self.tmp} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off",
                "start",
            ]
        )


@pytest.fixture
def vn_cluster() -> Iterator[StoppableCluster]:
    try:
        cluster = StoppableCluster()
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        pytest.skip(f"PostgreSQL could not start here: {exc}")
    yield cluster
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped by the test
        cluster.stop()


def _batch(country: str, n: int, seq: int) -> list[RecordInput]:
    # valid numbers: +84 91 and 7 digits (VN), +65 9 and 7 digits (SG)
    phone = f"+8491{seq % 1000:03d}" if country == "VN" else f"+659{seq % 1000:03d}"
    return [
        RecordInput(
            f"{country}-{seq}-{i}",
            "profile",
            {"phone": f"{phone}{i:04d}"},
            {"declared_residence": country},
        )
        for i in range(n)
    ]


def test_postgres_region_stopped_mid_load(
    tmp_path: Path, vn_cluster: StoppableCluster, pg_url_factory: Callable[[], str]
) -> None:
    vn_url, sg_url = vn_cluster.create_database(), pg_url_factory()
    regions = {
        "vn-hcm": {"country": "VN", "store": vn_url},
        "sg-1": {"country": "SG", "store": sg_url},
    }
    settings = make_settings(tmp_path, regions=regions)
    rng = random.Random(5)
    batches = trials(30, 300)
    stop_at = batches // 3
    acked: dict[str, str] = {}
    refused = {"vn-hcm": 0, "sg-1": 0}
    unnamed = 0
    vault = Vault.open(settings, create_keys=True)
    try:
        for seq in range(batches):
            if seq == stop_at:
                vn_cluster.pause()
            country = rng.choice(["VN", "SG"])
            try:
                for receipt in vault.put_many(_batch(country, 20, seq)):
                    acked[receipt.record_id] = receipt.region
            except StoreUnavailable as exc:
                region = exc.details.get("region")
                if region not in refused:
                    unnamed += 1
                else:
                    refused[str(region)] += 1
        sg_ids = [rid for rid, region in acked.items() if region == "sg-1"]
        vn_ids = [rid for rid, region in acked.items() if region == "vn-hcm"]
        assert sg_ids and vn_ids
        # vn-hcm is down: sg-1 serves, vn-hcm names itself
        assert vault.get(sg_ids[-1]).region == "sg-1"
        with pytest.raises(StoreUnavailable) as info:
            vault.get(vn_ids[0])
        assert info.value.details["region"] == "vn-hcm"
        sg_phone = vault.get(sg_ids[0]).data["phone"]
        with pytest.raises(PartialResults) as partial:
            vault.find(by={"phone_number": sg_phone})
        assert partial.value.details["regions"] == ["vn-hcm"]
        assert sg_ids[0] in [r.record_id for r in partial.value.records]
        assert {r.region for r in partial.value.records} == {"sg-1"}
        client = TestClient(create_app(settings, vault=vault))
        health = client.get("/healthz").json()
        assert health["status"] == "degraded" and health["down"] == ["vn-hcm"]

        # a new process starts with vn-hcm down and serves sg-1
        config = write_config(tmp_path, {"vn-hcm": vn_url, "sg-1": sg_url})
        code, out, err = run_cli_process(["get", sg_ids[0], "--config", str(config)])
        assert code == 0, err
        assert sg_ids[0] in out
        code, _out, err = run_cli_process(["get", vn_ids[0], "--config", str(config)])
        assert code == 1 and "store.unavailable" in err

        vn_cluster.resume()
        # the same vault recovers: every acknowledged record reads
        lost = sum(1 for rid, region in acked.items() if vault.get(rid).region != region)
        assert client.get("/healthz").json()["status"] == "ok"
    finally:
        vault.close()
    report(
        "outage.postgres",
        batches=batches,
        acked=len(acked),
        refused_vn=refused["vn-hcm"],
        refused_sg=refused["sg-1"],
        unnamed_errors=unnamed,
        lost=lost,
    )
    assert lost == 0 and unnamed == 0 and refused["sg-1"] == 0
    assert refused["vn-hcm"] > 0
