"""The console picks the transfer_assessment kind up from its declaration: its queue lists
the case a transfer opened, with the declared columns, and its page renders and files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from onshore.server.app import create_app
from onshore.services.runtime import open_runtime
from onshore.services.transfer_assessments import TransferAssessments
from onshore.services.vault import Vault
from tests.console.support import FAST, TestClient, add_user, sign_in

from .conftest import transfer_settings, vn_record


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    s = transfer_settings(tmp_path)
    s = s.model_copy(update={"identities": s.identities.model_copy(update=FAST)})
    v = Vault(open_runtime(s, create_keys=True))
    yield v
    v.close()


@pytest.fixture
def app(vault: Vault) -> FastAPI:
    return create_app(vault.runtime.settings, vault=vault)


def test_queue_and_case_page(app: FastAPI, vault: Vault) -> None:
    vault.transfer(vn_record(vault, "vn-1"), "sg-1", purpose="analytics")
    add_user(app, "rita", ["legal_reviewer"])
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        sign_in(client, "rita")
        queue = client.get("/console/queues/transfer_assessment")
        assert queue.status_code == 200, queue.text
        page = queue.text
        assert "Transfer impact assessments" in page and "tia_dossier" in page
        assert "Destination" in page and "SG" in page
        svc = TransferAssessments(vault.runtime)
        [cid] = [c.case_id for c in svc.cases.iter_cases(kind="transfer_assessment")]
        case = client.get(f"/console/cases/transfer-assessments/{cid}")
        assert case.status_code == 200, case.text
        assert "VN-D356-17-18" in case.text or "tia_dossier" in case.text
        vi = client.get(
            f"/console/cases/transfer_assessment/{cid}", headers={"Accept-Language": "vi"}
        )
        assert vi.status_code == 200
