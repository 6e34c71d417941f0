"""The production package verifies offline, and fails after any byte changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from onshore.core.cases.package import CERTIFICATE, MANIFEST, PROOF, verify_package
from onshore.core.errors import GuardFailed
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.production import read_package
from onshore.services.vault import Vault
from tests.cases.conftest import who

from .conftest import seed
from .test_flow import produce, receive, to_review


@pytest.fixture
def package(
    svc: AuthorityRequestService, vault: Vault
) -> tuple[AuthorityRequestService, str, Path]:
    seed(vault)
    cid = receive(svc)
    to_review(svc, cid)
    svc.act(cid, "approve", principal=who("rita", "legal_reviewer"))
    produce(svc, cid)
    return svc, cid, Path(svc.cases.get(cid).data["package"]["dir"])


def test_package_layout_and_offline_verification(
    package: tuple[AuthorityRequestService, str, Path],
) -> None:
    svc, cid, out = package
    files = read_package(out)
    assert set(files) == {
        MANIFEST,
        CERTIFICATE,
        PROOF,
        "records/post.jsonl",
        "records/profile.jsonl",
    }
    report = verify_package(files)
    assert report.ok and report.case_id == cid and report.records == 2
    # pinned keys: the region's package key and ledger verifier key
    pinned = verify_package(
        files,
        public_key=svc.production.public_key("vn-hcm"),
        ledger_key=svc.cases.ledger("vn-hcm").verifier_key(),
    )
    assert pinned.ok
    assert pinned.ledger_index == svc.cases.get(cid).data["produced"]["ledger_index"]
    assert not verify_package(files, public_key="AAAA" + pinned.public_key[4:]).ok  # type: ignore[index]


def test_any_byte_change_fails(package: tuple[AuthorityRequestService, str, Path]) -> None:
    _, _, out = package
    files = dict(read_package(out))
    for name, body in files.items():
        for pos in sorted({0, len(body) // 3, len(body) // 2, len(body) - 2}):
            changed = dict(files)
            flipped = bytearray(body)
            flipped[pos] ^= 0x01
            changed[name] = bytes(flipped)
            assert not verify_package(changed).ok, (name, pos)
        assert not verify_package({**files, name: body + b" "}).ok, name
    missing = {k: v for k, v in files.items() if k != "records/post.jsonl"}
    assert not verify_package(missing).ok
    assert not verify_package({**files, "records/extra.jsonl": b"{}\n"}).ok


def test_release_refuses_a_package_changed_after_qa(
    svc: AuthorityRequestService, vault: Vault
) -> None:
    seed(vault)
    cid = receive(svc)
    to_review(svc, cid)
    svc.act(cid, "approve", principal=who("rita", "legal_reviewer"))
    for action in ("check_residency", "collect", "submit_qa", "package", "request_release"):
        svc.act(cid, action, principal=who("olga", "operator"))
    out = Path(svc.cases.get(cid).data["package"]["dir"])
    victim = out / "records" / "profile.jsonl"
    victim.write_bytes(victim.read_bytes().replace(b"example", b"exampl3"))
    with pytest.raises(GuardFailed, match="changed since packaging"):
        svc.act(cid, "release", principal=who("ada", "approver"))
