"""C2SP tlog-tiles arithmetic: batched integration and proofs from stored tiles.

A tile is a run of up to 256 hashes of one tree level: tile ``(L, N)`` holds the hashes of
level ``8 * L`` with indices ``256 * N`` to ``256 * N + width - 1`` (level-0 tiles are the leaf
hashes). Storage keeps tiles as ``width * 32`` byte strings keyed by ``(L, N)``; the right-most
tile of a level may be partial and grows as leaves are integrated. Any complete subtree of
the tree is recomputed from at most 128 hashes of one tile, so a proof touches O(log n)
tiles. This is the layout of https://c2sp.org/tlog-tiles, so a dedicated log server can
serve the same data without changing a single proof.

Integration is batched: :func:`integrate` takes the leaf hashes appended since the last
integration plus the partial edge tiles, and returns every tile that changed.

Example:
    >>> from onshore.core.ledger.merkle import leaf_hash, root_hash
    >>> hs = [leaf_hash(i.to_bytes(4, "big")) for i in range(300)]
    >>> tiles = integrate(0, hs, {})
    >>> sorted(tiles)
    [(0, 0), (0, 1), (1, 0)]
    >>> tree_root(300, tiles) == root_hash(hs)
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from onshore.core.errors import AuditError
from onshore.core.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    NodeId,
    consistency_ranges,
    fold_right,
    inclusion_ranges,
    perfect_root,
    range_nodes,
)

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT

#: ``(tile level, tile index)``.
TileKey = tuple[int, int]


def edge_tile_keys(size: int) -> list[TileKey]:
    """The partial right-most tiles of a tree of ``size`` leaves (what integration extends).

    Example:
        >>> edge_tile_keys(300)
        [(0, 1), (1, 0)]
    """
    keys: list[TileKey] = []
    level = 0
    while True:
        count = size >> (TILE_HEIGHT * level)
        if count == 0:
            return keys
        if count % TILE_WIDTH:
            keys.append((level, count // TILE_WIDTH))
        level += 1


def integrate(
    old_size: int, new_leaf_hashes: Sequence[bytes], edge_tiles: Mapping[TileKey, bytes]
) -> dict[TileKey, bytes]:
    """Tiles that change when ``new_leaf_hashes`` are added to a tree of ``old_size``.

    ``edge_tiles`` must hold the tiles named by ``edge_tile_keys(old_size)``. The result maps
    each changed tile to its full new content (partial tiles included).
    """
    out: dict[TileKey, bytes] = {}
    new_size = old_size + len(new_leaf_hashes)
    fresh: Sequence[bytes] = new_leaf_hashes
    level = 0
    while fresh:
        shift = TILE_HEIGHT * level
        old_count, new_count = old_size >> shift, new_size >> shift
        first_tile = old_count // TILE_WIDTH
        key = (level, first_tile)
        prefix = edge_tiles.get(key, b"") if old_count % TILE_WIDTH else b""
        if len(prefix) != (old_count % TILE_WIDTH) * HASH_SIZE:
            raise AuditError(
                f"edge tile {key} holds {len(prefix) // HASH_SIZE} hashes, "
                f"expected {old_count % TILE_WIDTH}",
                details={"tile": list(key)},
            )
        data = prefix + b"".join(fresh)
        nxt: list[bytes] = []
        for t, start in enumerate(range(0, len(data), TILE_WIDTH * HASH_SIZE)):
            chunk = data[start : start + TILE_WIDTH * HASH_SIZE]
            out[(level, first_tile + t)] = chunk
            if len(chunk) == TILE_WIDTH * HASH_SIZE:
                hashes = [chunk[i : i + HASH_SIZE] for i in range(0, len(chunk), HASH_SIZE)]
                nxt.append(perfect_root(hashes))
        assert len(nxt) == (new_count >> TILE_HEIGHT) - (old_count >> TILE_HEIGHT)
        fresh = nxt
        level += 1
    return out


def tile_key_of(node: NodeId) -> TileKey:
    """The tile from which node ``(level, index)`` is recomputed.

    Example:
        >>> tile_key_of((9, 3))
        (1, 0)
    """
    level, index = node
    tile_level, height = divmod(level, TILE_HEIGHT)
    return tile_level, (index << height) // TILE_WIDTH


def tile_keys_for(nodes: Iterable[NodeId]) -> set[TileKey]:
    """Every tile needed to recompute ``nodes``."""
    return {tile_key_of(n) for n in nodes}


def node_from_tiles(node: NodeId, tiles: Mapping[TileKey, bytes]) -> bytes:
    """Hash of complete subtree ``(level, index)`` recomputed from its tile.

    Raises ``AuditError`` when the tile is missing or too short (the log is not integrated
    that far, or storage lost data).
    """
    level, index = node
    tile_level, height = divmod(level, TILE_HEIGHT)
    first = index << height
    key = (tile_level, first // TILE_WIDTH)
    offset = (first % TILE_WIDTH) * HASH_SIZE
    span = (1 << height) * HASH_SIZE
    data = tiles.get(key)
    if data is None or len(data) < offset + span:
        raise AuditError(
            f"tile {key} does not hold node {node}: the log is not integrated that far "
            "or its tiles are damaged",
            details={"tile": list(key), "node": list(node)},
        )
    chunk = data[offset : offset + span]
    return perfect_root([chunk[i : i + HASH_SIZE] for i in range(0, span, HASH_SIZE)])


def nodes_for_ranges(ranges: Iterable[tuple[int, int]]) -> list[NodeId]:
    """The complete subtrees that the given leaf ranges decompose into."""
    return [n for lo, hi in ranges for n in range_nodes(lo, hi)]


def hashes_for_ranges(
    ranges: Sequence[tuple[int, int]], tiles: Mapping[TileKey, bytes]
) -> list[bytes]:
    """Merkle Tree Hash of each leaf range, recomputed from ``tiles``."""
    cache: dict[NodeId, bytes] = {}

    def node(n: NodeId) -> bytes:
        if n not in cache:
            cache[n] = node_from_tiles(n, tiles)
        return cache[n]

    return [fold_right([node(n) for n in range_nodes(lo, hi)]) for lo, hi in ranges]


def root_tile_keys(size: int) -> set[TileKey]:
    """Tiles needed for the root of a tree of ``size`` leaves."""
    return tile_keys_for(range_nodes(0, size))


def tree_root(size: int, tiles: Mapping[TileKey, bytes]) -> bytes:
    """Root of the tree of the first ``size`` leaves, from tiles (``size`` <= integrated)."""
    if size == 0:
        return EMPTY_ROOT
    return hashes_for_ranges([(0, size)], tiles)[0]


def inclusion_tile_keys(index: int, size: int) -> set[TileKey]:
    """Tiles needed for the inclusion proof of leaf ``index`` in a tree of ``size``."""
    return tile_keys_for(nodes_for_ranges(inclusion_ranges(index, size)))


def inclusion_from_tiles(index: int, size: int, tiles: Mapping[TileKey, bytes]) -> list[bytes]:
    """Inclusion proof of leaf ``index`` in the tree of ``size`` leaves, from tiles."""
    return hashes_for_ranges(inclusion_ranges(index, size), tiles)


def consistency_tile_keys(old_size: int, new_size: int) -> set[TileKey]:
    """Tiles needed for the consistency proof between two sizes."""
    if old_size == new_size:
        return set()
    return tile_keys_for(nodes_for_ranges(consistency_ranges(old_size, new_size)))


def consistency_from_tiles(
    old_size: int, new_size: int, tiles: Mapping[TileKey, bytes]
) -> list[bytes]:
    """Consistency proof from ``old_size`` to ``new_size``, from tiles."""
    if old_size == new_size:
        return []
    return hashes_for_ranges(consistency_ranges(old_size, new_size), tiles)
