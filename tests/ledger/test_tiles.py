"""C2SP tiles: batched integration and proofs from tiles agree with the plain Merkle math."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onshore.core.errors import AuditError
from onshore.core.ledger import consistency_proof, inclusion_proof, leaf_hash, root_hash
from onshore.core.ledger import tiles as T


def _hashes(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def _integrate_in_batches(hashes: list[bytes], batches: list[int]) -> dict[T.TileKey, bytes]:
    tiles: dict[T.TileKey, bytes] = {}
    done = 0
    for size in batches:
        chunk = hashes[done : done + size]
        edge = {k: tiles[k] for k in T.edge_tile_keys(done)}
        tiles.update(T.integrate(done, chunk, edge))
        done += len(chunk)
        assert T.tree_root(done, tiles) == root_hash(hashes[:done])
    return tiles


@settings(max_examples=40, deadline=None)
@given(batches=st.lists(st.integers(1, 400), min_size=1, max_size=6), data=st.data())
def test_batched_integration_matches_merkle(batches: list[int], data: st.DataObject) -> None:
    n = sum(batches)
    hashes = _hashes(n)
    tiles = _integrate_in_batches(hashes, batches)
    index = data.draw(st.integers(0, n - 1))
    assert T.inclusion_from_tiles(index, n, tiles) == inclusion_proof(index, hashes)
    old = data.draw(st.integers(1, n))
    assert T.consistency_from_tiles(old, n, tiles) == consistency_proof(old, hashes)
    assert set(T.inclusion_tile_keys(index, n)) <= set(tiles)


def test_two_tile_levels() -> None:
    n = 256 * 256 + 300
    hashes = _hashes(n)
    tiles = _integrate_in_batches(hashes, [70_000, 1, n - 70_001])
    assert (2, 0) in tiles and len(tiles[(1, 0)]) == 256 * 32 and len(tiles[(1, 1)]) == 32
    for index in (0, 65_535, 65_536, n - 1):
        assert T.inclusion_from_tiles(index, n, tiles) == inclusion_proof(index, hashes)


def test_missing_tile_is_a_typed_error() -> None:
    tiles = T.integrate(0, _hashes(10), {})
    with pytest.raises(AuditError):
        T.inclusion_from_tiles(0, 20, tiles)
    with pytest.raises(AuditError):
        T.integrate(10, _hashes(1), {})
