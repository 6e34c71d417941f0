"""Merkle math: the published transparency-dev/merkle vectors and a naive reference cross-check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onshore.core.errors import ProofError
from onshore.core.ledger import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from tests.ledger import reference

VECTORS: dict[str, Any] = json.loads((Path(__file__).parent / "merkle_rfc6962.json").read_text())
LEAVES = [bytes.fromhex(x) for x in VECTORS["leaves_hex"]]
HASHES = [leaf_hash(e) for e in LEAVES]


def _b(xs: list[str]) -> list[bytes]:
    return [bytes.fromhex(x) for x in xs]


@pytest.mark.parametrize("vector", VECTORS["hasher_vectors"], ids=lambda v: v["desc"])
def test_hasher_vectors(vector: dict[str, Any]) -> None:
    if vector["op"] == "empty_root":
        got = root_hash([])
    elif vector["op"] == "hash_leaf":
        got = leaf_hash(bytes.fromhex(vector["input_hex"]))
    else:
        got = node_hash(bytes.fromhex(vector["left_hex"]), bytes.fromhex(vector["right_hex"]))
    assert got.hex() == vector["want"]


@pytest.mark.parametrize("size", range(len(VECTORS["roots_by_size"])))
def test_roots_by_size(size: int) -> None:
    assert root_hash(HASHES[:size]).hex() == VECTORS["roots_by_size"][size]


def test_node_hashes_are_complete_subtrees() -> None:
    for level, row in enumerate(VECTORS["node_hashes"]):
        width = 1 << level
        for index, want in enumerate(row):
            assert root_hash(HASHES[index * width : (index + 1) * width]).hex() == want


@pytest.mark.parametrize(
    "vector", VECTORS["inclusion_proofs"], ids=lambda v: f"{v['leaf_index']}-{v['tree_size']}"
)
def test_inclusion_vectors(vector: dict[str, Any]) -> None:
    index, size = vector["leaf_index"], vector["tree_size"]
    proof = inclusion_proof(index, HASHES[:size])
    assert [h.hex() for h in proof] == vector["proof"]
    root = root_hash(HASHES[:size])
    verify_inclusion(HASHES[index], index, size, _b(vector["proof"]), root)
    assert root_from_inclusion_proof(HASHES[index], index, size, proof) == root


@pytest.mark.parametrize(
    "vector", VECTORS["consistency_proofs"], ids=lambda v: f"{v['size1']}-{v['size2']}"
)
def test_consistency_vectors(vector: dict[str, Any]) -> None:
    old, new = vector["size1"], vector["size2"]
    assert [h.hex() for h in consistency_proof(old, HASHES[:new])] == vector["proof"]
    verify_consistency(
        old, new, root_hash(HASHES[:old]), root_hash(HASHES[:new]), _b(vector["proof"])
    )


@pytest.mark.parametrize(
    "probe", VECTORS["probes"]["inclusion"], ids=lambda p: p["file"].removeprefix("testdata/")
)
def test_inclusion_probes(probe: dict[str, Any]) -> None:
    def run() -> None:
        verify_inclusion(
            bytes.fromhex(probe["leafHash_hex"]),
            probe["leafIdx"],
            probe["treeSize"],
            _b(probe["proof_hex"]),
            bytes.fromhex(probe["root_hex"]),
        )

    if probe["wantErr"]:
        with pytest.raises(ProofError) as err:
            run()
        assert err.value.code == "ledger.proof_invalid"
    else:
        run()


@pytest.mark.parametrize(
    "probe", VECTORS["probes"]["consistency"], ids=lambda p: p["file"].removeprefix("testdata/")
)
def test_consistency_probes(probe: dict[str, Any]) -> None:
    def run() -> None:
        verify_consistency(
            probe["size1"],
            probe["size2"],
            bytes.fromhex(probe["root1_hex"]),
            bytes.fromhex(probe["root2_hex"]),
            _b(probe["proof_hex"]),
        )

    if probe["wantErr"]:
        with pytest.raises(ProofError):
            run()
    else:
        run()


leaf_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=70)


@settings(max_examples=150, deadline=None)
@given(leaves=leaf_lists, data=st.data())
def test_fast_matches_reference(leaves: list[bytes], data: st.DataObject) -> None:
    hashes = [leaf_hash(e) for e in leaves]
    n = len(leaves)
    root = root_hash(hashes)
    assert root == reference.mth(leaves)
    m = data.draw(st.integers(0, n - 1), label="index")
    path = inclusion_proof(m, hashes)
    assert path == reference.path(m, leaves)
    verify_inclusion(hashes[m], m, n, path, root)
    old = data.draw(st.integers(1, n), label="old_size")
    proof = consistency_proof(old, hashes)
    assert proof == reference.proof(old, leaves)
    verify_consistency(old, n, reference.mth(leaves[:old]), root, proof)


@settings(max_examples=150, deadline=None)
@given(leaves=leaf_lists, data=st.data())
def test_tampered_inclusion_is_rejected(leaves: list[bytes], data: st.DataObject) -> None:
    hashes = [leaf_hash(e) for e in leaves]
    n = len(hashes)
    m = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(m, hashes)
    root = root_hash(hashes)
    if proof:
        pos = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        bad = [*proof]
        bad[pos] = bytes(
            b ^ (1 << (bit % 8)) if i == bit // 8 else b for i, b in enumerate(bad[pos])
        )
        with pytest.raises(ProofError):
            verify_inclusion(hashes[m], m, n, bad, root)
        with pytest.raises(ProofError):
            verify_inclusion(hashes[m], m, n, proof[:-1], root)
    with pytest.raises(ProofError):
        verify_inclusion(hashes[m], m, n, [*proof, root], root)
    with pytest.raises(ProofError):
        verify_inclusion(leaf_hash(b"not-a-leaf" + leaves[m]), m, n, proof, root)


@settings(max_examples=100, deadline=None)
@given(leaves=st.lists(st.binary(max_size=4), min_size=2, max_size=40), data=st.data())
def test_tampered_consistency_is_rejected(leaves: list[bytes], data: st.DataObject) -> None:
    hashes = [leaf_hash(e) for e in leaves]
    n = len(hashes)
    old = data.draw(st.integers(1, n - 1))
    proof = consistency_proof(old, hashes)
    old_root, new_root = root_hash(hashes[:old]), root_hash(hashes)
    with pytest.raises(ProofError):
        verify_consistency(old, n, old_root, new_root, proof[:-1])
    with pytest.raises(ProofError):
        verify_consistency(old, n, new_root, old_root, proof)
    pos = data.draw(st.integers(0, len(proof) - 1))
    bad = [*proof]
    bad[pos] = bytes(32) if bad[pos] != bytes(32) else b"\x01" * 32
    with pytest.raises(ProofError):
        verify_consistency(old, n, old_root, new_root, bad)


@pytest.mark.parametrize(
    "proof",
    [[b"short"], ["not bytes"], [None]],
    ids=["short-hash", "str", "none"],
)
def test_garbage_proof_elements_are_typed_errors(proof: list[Any]) -> None:
    with pytest.raises(ProofError):
        verify_inclusion(HASHES[0], 0, 2, proof, root_hash(HASHES[:2]))


@pytest.mark.parametrize(("index", "size"), [(-1, 3), (3, 3), (0, 0), (0, 1 << 70)])
def test_proof_requests_outside_the_tree_are_typed_errors(index: int, size: int) -> None:
    if size <= len(HASHES):
        with pytest.raises(ProofError):
            inclusion_proof(index, HASHES[:size])
    with pytest.raises(ProofError):
        root_from_inclusion_proof(HASHES[0], index, size, [])


@pytest.mark.parametrize("old", [0, 9])
def test_consistency_proof_sizes_outside_the_tree(old: int) -> None:
    with pytest.raises(ProofError):
        consistency_proof(old, HASHES)
