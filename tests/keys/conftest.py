"""Key-store fixtures: memory, file and a SoftHSM2 token (one per test session)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from onshore.adapters.keystore import FileKeyStore, MemoryKeyStore
from onshore.adapters.pkcs11_keystore import Pkcs11KeyStore
from onshore.adapters.pkcs11_uri import parse_pkcs11_uri
from onshore.ports import KeyStore
from tests.support.softhsm import SoftHsm


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> SoftHsm:
    """A SoftHSM2 token for the session (fails, not skips, under CI)."""
    try:
        return SoftHsm(tmp_path_factory.mktemp("softhsm"))
    except Exception as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"SoftHSM2 is not usable here: {exc}")


@pytest.fixture
def hsm_store(softhsm: SoftHsm, tmp_path: Path) -> Iterator[Pkcs11KeyStore]:
    """A PKCS#11 key store on the session's token, with keys of its own (fresh prefix)."""
    store = Pkcs11KeyStore(parse_pkcs11_uri(softhsm.uri(), "vn-hcm"), tmp_path / "hsm-keys")
    yield store
    store.close()


@pytest.fixture(params=["memory", "file", "pkcs11"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> KeyStore:
    """Each key store in turn: the conformance suite runs over all three."""
    if request.param == "memory":
        return MemoryKeyStore()
    if request.param == "file":
        return FileKeyStore(tmp_path / "keys")
    store: KeyStore = request.getfixturevalue("hsm_store")
    return store
