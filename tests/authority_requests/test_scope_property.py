"""Property: whatever the scope, nothing out of scope reaches a production package."""
# ruff: noqa: E501  (fixture tables read better one case per line)

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.core.classify.fields import classify_fields
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from tests.cases.conftest import settings_for, who

from .conftest import REGISTRY_YAML, T0

#: A fresh reference per request (the same reference from one authority is one case).
_REFS = itertools.count(1)

SUBJECTS = {
    "s1": ("+84912345601", "a1@example.vn"),
    "s2": ("+84912345602", "a2@example.vn"),
    "s3": ("+84912345603", "a3@example.vn"),
}
CATS = ["phone_number", "email", "person_name", "user_content", "ip_address", "date_of_birth"]


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[AuthorityRequestService, list[dict]]]:
    base: Path = tmp_path_factory.mktemp("prop")
    (base / "authorities.yaml").write_text(REGISTRY_YAML)
    clock = FixedClock(T0)
    vault = Vault(open_runtime(settings_for(base, "memory"), create_keys=True, clock=clock))
    truth = []
    for day in range(4):
        clock.at = T0 + timedelta(days=day)
        for subject, (phone, email) in SUBJECTS.items():
            sig = {"declared_residence": "VN"}
            for kind, data in (
                ("profile", {"phone": phone, "email": email, "name": "Nguyễn Văn An",
                             "dob": "1990-01-02"}),
                ("post", {"post": "hôm nay trời đẹp", "ip": "203.0.113.5"}),
                ("note", {"note": "x", "email": email}),
            ):  # fmt: skip
                r = vault.put(subject, kind, data, sig)
                truth.append({"id": r.record_id, "subject": subject, "at": clock.at, "data": data})
    clock.at = T0 + timedelta(days=10)
    yield (
        AuthorityRequestService(vault, registry=CollectorRegistry(), packages_dir=base / "pk"),
        truth,
    )
    vault.close()


scopes = st.fixed_dictionaries({
    "subjects": st.lists(st.sampled_from(sorted(SUBJECTS)), max_size=2, unique=True),
    "phones": st.lists(st.sampled_from(sorted(SUBJECTS)), max_size=2, unique=True),
    "categories": st.lists(st.sampled_from(CATS), min_size=1, max_size=4, unique=True),
    "start": st.none() | st.integers(0, 3),
    "span": st.integers(1, 4),
})  # fmt: skip


@settings(max_examples=30)
@given(raw=scopes)
def test_out_of_scope_never_reaches_the_package(
    world: tuple[AuthorityRequestService, list[dict]], raw: dict
) -> None:
    svc, truth = world
    if not raw["subjects"] and not raw["phones"]:
        raw["subjects"] = ["s1"]
    start = T0 + timedelta(days=raw["start"]) if raw["start"] is not None else None
    end = start + timedelta(days=raw["span"]) if start else None
    scope = {
        "subjects": raw["subjects"],
        "phone_number": [SUBJECTS[s][0] for s in raw["phones"]],
        "categories": raw["categories"],
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
    }
    cid = svc.receive(authority="VN-A05", process_type="warrant", reference=f"R-{next(_REFS)}",
                      legal_basis="art. 1", scope=scope, principal=who("o", "operator")).case_id  # fmt: skip
    for action, actor, role, note in (
        ("authenticate", "o", "operator", {}), ("verify", "o", "operator", {"channel": "a05-portal"}),
        ("submit", "o", "operator", {}), ("approve", "r", "legal_reviewer", {}),
        ("check_residency", "o", "operator", {}), ("collect", "o", "operator", {}),
        ("submit_qa", "o", "operator", {}), ("package", "o", "operator", {}),
    ):  # fmt: skip
        svc.act(cid, action, principal=who(actor, role), note=note)
    case = svc.cases.get(cid)
    wanted_subjects = set(raw["subjects"]) | set(raw["phones"])
    cats = set(raw["categories"])
    expected: dict[str, dict] = {}
    for t in truth:
        in_time = (start is None or t["at"] >= start) and (end is None or t["at"] < end)
        fields = classify_fields(t["data"])
        kept = {f: v for f, v in t["data"].items() if fields[f] and fields[f] <= cats}
        if t["subject"] in wanted_subjects and in_time and kept:
            expected[t["id"]] = kept
    got: dict[str, dict] = {}
    pkg = Path(case.data["package"]["dir"]) / "records"
    for path in pkg.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            got[row["record_id"]] = row["data"]
    # nothing out of scope (no extra record, no extra field) ... and nothing in scope missing
    assert set(got) <= set(expected)
    for rid, data in got.items():
        assert set(data) <= set(expected[rid]) and data == expected[rid]
    assert got == expected
