"""A data-subject request on PostgreSQL stores: both regions on their own database, the
access package across them, then the erasure across them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.core.cases.package import verify_package
from onshore.services.dsr import DsrService
from onshore.services.production import read_package
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from onshore.settings import Settings
from tests.cases.conftest import settings_for

from .conftest import AN, BINH, CHI, T0, request, seed


@pytest.mark.postgres
def test_access_then_erasure_on_postgres(pg_url_factory: Callable[[], str], tmp_path: Path) -> None:
    cfg = settings_for(tmp_path).model_dump()
    for name in ("vn-hcm", "sg-1"):
        cfg["regions"][name]["store"] = pg_url_factory()
    vault = Vault(
        open_runtime(Settings.model_validate(cfg), create_keys=True, clock=FixedClock(T0))
    )
    try:
        ids = seed(vault)
        svc = DsrService(vault, registry=CollectorRegistry())
        access = svc.intake(request("access"), principal=AN).case.case_id
        svc.act(access, "verify_identity", principal=AN, note={"method": "otp_email"})
        svc.act(access, "assemble", principal=AN)
        done = svc.act(access, "deliver", principal=CHI)
        report = verify_package(read_package(Path(done.data["package"]["dir"])))
        assert report.ok and report.records == 2
        erasure = svc.intake(request("erasure"), principal=AN).case.case_id
        svc.act(erasure, "verify_identity", principal=AN, note={"method": "otp_email"})
        erased = svc.act(erasure, "erase", principal=BINH)
        assert erased.data["erasure"]["erased"] == {"vn-hcm": 1, "sg-1": 1}
        assert vault.records_of("u-lan") == [] and len(vault.records_of("u-minh")) == len(
            ids["u-minh"]
        )
    finally:
        vault.close()
