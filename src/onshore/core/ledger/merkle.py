"""RFC 6962 / RFC 9162 §2.1 Merkle tree hashing, proofs and their verification.

A leaf hash is ``SHA-256(0x00 || entry)``, an interior node ``SHA-256(0x01 || left || right)``,
and the Merkle Tree Hash of ``n > 1`` leaves splits at the largest power of two below ``n``.
The empty tree's root is ``SHA-256("")``. Proofs are lists of 32-byte hashes in the order
the RFC gives (from the leaf up). Verification follows transparency-dev/merkle's
``proof/verify.go`` (same checks, same error cases, including "a consistency proof from
size 0 is meaningless").

Besides the DESIGN names, this module exposes the *shape* of proofs as leaf ranges
(:func:`inclusion_ranges`, :func:`consistency_ranges`) and the complete subtrees a range
decomposes into (:func:`range_nodes`), so storage can fetch exactly the nodes a proof needs
(see :mod:`onshore.core.ledger.tiles`).

Example:
    >>> leaves = [leaf_hash(bytes([i])) for i in range(5)]
    >>> root = root_hash(leaves)
    >>> proof = inclusion_proof(3, leaves)
    >>> verify_inclusion(leaves[3], 3, 5, proof, root)
    >>> old = root_hash(leaves[:2])
    >>> verify_consistency(2, 5, old, root, consistency_proof(2, leaves))
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from onshore.core.errors import ProofError

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
_MAX = 1 << 64

_sha256 = hashlib.sha256

#: A node of the tree by ``(level, index)``: level 0 holds leaf hashes; node ``(l, i)`` is the
#: complete subtree over leaves ``[i * 2**l, (i + 1) * 2**l)``.
NodeId = tuple[int, int]


def leaf_hash(entry: bytes) -> bytes:
    """``SHA-256(0x00 || entry)``.

    Example:
        >>> leaf_hash(b"").hex()[:16]
        '6e340b9cffb37a98'
    """
    return _sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``.

    Example:
        >>> node_hash(b"N123", b"N456").hex()[:16]
        'aa217fe888e47007'
    """
    return _sha256(NODE_PREFIX + left + right).digest()


def _pairs(level: Sequence[bytes]) -> list[bytes]:
    """Hash adjacent pairs of one level (an odd last node is left out)."""
    sha = _sha256
    return [
        sha(NODE_PREFIX + a + b).digest() for a, b in zip(level[0::2], level[1::2], strict=False)
    ]


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """Root of a perfect subtree whose bottom level is ``hashes`` (length a power of two).

    Example:
        >>> perfect_root([b"a" * 32]) == b"a" * 32
        True
    """
    level = list(hashes)
    while len(level) > 1:
        level = _pairs(level)
    return level[0]


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash over ``leaf_hashes`` (SHA-256 of "" when there are none).

    Example:
        >>> root_hash([]).hex()[:16]
        'e3b0c44298fc1c14'
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        nxt = _pairs(level)
        if len(level) % 2:
            nxt.append(level[-1])  # RFC 6962: the lone right subtree is promoted unchanged
        level = nxt
    return level[0]


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges ``[lo, hi)`` whose Merkle Tree Hashes form ``PATH(index, D[0:size])``.

    Example:
        >>> inclusion_ranges(2, 3)
        [(0, 2)]
    """
    _check_index(index, size)
    out: list[tuple[int, int]] = []
    lo, hi, m = 0, size, index
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, m = lo + k, m - k
    out.reverse()
    return out


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose hashes form ``PROOF(old_size, D[0:new_size])`` (RFC 6962 §2.1.2).

    Example:
        >>> consistency_ranges(2, 5)
        [(2, 4), (4, 5)]
    """
    if not 0 < old_size <= new_size < _MAX:
        raise ProofError(
            f"no consistency proof from size {old_size} to size {new_size}",
            details={"old_size": old_size, "new_size": new_size},
        )
    out: list[tuple[int, int]] = []
    lo, hi, m, whole = 0, new_size, old_size, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        out.append((lo, hi))
    out.reverse()
    return out


def range_nodes(lo: int, hi: int) -> list[NodeId]:
    """The complete subtrees, left to right, that the leaf range ``[lo, hi)`` splits into.

    For the ranges a proof uses, the range's Merkle Tree Hash is the right fold of these
    nodes with :func:`node_hash` (see :func:`fold_right`).

    Example:
        >>> range_nodes(0, 11)
        [(3, 0), (1, 4), (0, 10)]
    """
    out: list[NodeId] = []
    while lo < hi:
        level = (lo & -lo).bit_length() - 1 if lo else (hi - lo).bit_length() - 1
        while lo + (1 << level) > hi:
            level -= 1
        out.append((level, lo >> level))
        lo += 1 << level
    return out


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """``node_hash(h0, node_hash(h1, ... hn))``: a range's hash from its complete subtrees.

    Example:
        >>> fold_right([b"x" * 32]) == b"x" * 32
        True
    """
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = _sha256(NODE_PREFIX + h + acc).digest()
    return acc


def _levels(leaf_hashes: Sequence[bytes]) -> list[list[bytes]]:
    """Every complete subtree hash, level by level (level 0 = the leaf hashes)."""
    levels = [list(leaf_hashes)]
    while len(levels[-1]) > 1:
        levels.append(_pairs(levels[-1]))
    return levels


def _range_hashes(ranges: list[tuple[int, int]], node: Callable[[int, int], bytes]) -> list[bytes]:
    return [fold_right([node(lv, i) for lv, i in range_nodes(lo, hi)]) for lo, hi in ranges]


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path for leaf ``index`` in the tree over ``leaf_hashes``.

    Raises ``ProofError`` when ``index`` is not a leaf of that tree.

    Example:
        >>> len(inclusion_proof(0, [leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")]))
        2
    """
    ranges = inclusion_ranges(index, len(leaf_hashes))
    levels = _levels(leaf_hashes)
    return _range_hashes(ranges, lambda lv, i: levels[lv][i])


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The proof that the tree of the first ``old_size`` leaves is a prefix of this one.

    Empty when ``old_size == len(leaf_hashes)``; ``ProofError`` when ``old_size`` is 0 or
    larger than the tree.

    Example:
        >>> hs = [leaf_hash(bytes([i])) for i in range(3)]
        >>> len(consistency_proof(1, hs))
        2
    """
    ranges = consistency_ranges(old_size, len(leaf_hashes))
    levels = _levels(leaf_hashes)
    return _range_hashes(ranges, lambda lv, i: levels[lv][i])


def _check_index(index: int, size: int) -> None:
    if not isinstance(index, int) or not isinstance(size, int):
        raise ProofError("proof index and tree size must be integers")
    if not 0 <= index < size < _MAX + 1:
        raise ProofError(
            f"leaf index {index} is not in a tree of size {size}",
            details={"index": index, "size": size},
        )


def _check_hashes(proof: Sequence[bytes], what: str = "proof") -> None:
    for pos, h in enumerate(proof):
        if not isinstance(h, bytes | bytearray) or len(h) != HASH_SIZE:
            raise ProofError(
                f"{what} element {pos} is not a {HASH_SIZE}-byte hash", details={"position": pos}
            )


def _decomp(index: int, size: int) -> tuple[int, int]:
    """(inner, border): how many proof hashes sit below and on the right border."""
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        seed = node_hash(seed, h) if not (index >> i) & 1 else node_hash(h, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        if (index >> i) & 1:
            seed = node_hash(h, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for h in proof:
        seed = node_hash(h, seed)
    return seed


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """The root that ``proof`` implies for ``leaf_hash`` at ``index`` in a tree of ``size``.

    Raises ``ProofError`` when the proof cannot be one for that position (wrong length,
    malformed hashes, index outside the tree).

    Example:
        >>> hs = [leaf_hash(b"a"), leaf_hash(b"b")]
        >>> root_from_inclusion_proof(hs[1], 1, 2, [hs[0]]) == root_hash(hs)
        True
    """
    _check_index(index, size)
    _check_hashes([leaf_hash], "leaf hash")
    _check_hashes(proof)
    inner, border = _decomp(index, size)
    if len(proof) != inner + border:
        raise ProofError(
            f"inclusion proof has {len(proof)} hashes, a tree of size {size} needs "
            f"{inner + border} for leaf {index}",
            details={"got": len(proof), "want": inner + border},
        )
    res = _chain_inner(bytes(leaf_hash), proof[:inner], index)
    return _chain_border_right(res, proof[inner:])


def _match(calculated: bytes, expected: bytes, what: str) -> None:
    if not isinstance(expected, bytes | bytearray):
        raise ProofError(f"{what} is not a byte string")
    if calculated != expected:
        raise ProofError(
            f"{what} mismatch: calculated {calculated.hex()}, expected {bytes(expected).hex()}",
            details={"calculated": calculated.hex(), "expected": bytes(expected).hex()},
        )


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` with ``root``.

    Returns None; raises ``ProofError`` (code ``ledger.proof_invalid``) otherwise.

    Example:
        >>> hs = [leaf_hash(b"a"), leaf_hash(b"b")]
        >>> verify_inclusion(hs[0], 0, 2, [hs[1]], root_hash(hs))
    """
    _match(root_from_inclusion_proof(leaf_hash, index, size, proof), root, "root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree ``(new_size, new_root)`` extends ``(old_size, old_root)``.

    Returns None; raises ``ProofError``. A proof from size 0 is rejected (it proves
    nothing), as transparency-dev/merkle does.

    Example:
        >>> hs = [leaf_hash(bytes([i])) for i in range(3)]
        >>> verify_consistency(1, 3, hs[0], root_hash(hs), consistency_proof(1, hs))
    """
    if not isinstance(old_size, int) or not isinstance(new_size, int):
        raise ProofError("tree sizes must be integers")
    if not 0 <= old_size <= new_size < _MAX:
        raise ProofError(
            f"tree size {new_size} cannot extend size {old_size}",
            details={"old_size": old_size, "new_size": new_size},
        )
    if old_size == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    _check_hashes(proof)
    if old_size == new_size:
        if proof:
            raise ProofError("equal tree sizes need an empty consistency proof")
        _match(new_root, old_root, "root")
        return
    if not proof:
        raise ProofError("empty consistency proof for different tree sizes")
    inner, border = _decomp(old_size - 1, new_size)
    shift = (old_size & -old_size).bit_length() - 1
    inner -= shift
    seed, start = proof[0], 1
    if old_size == 1 << shift:
        seed, start = old_root, 0
    if len(proof) != start + inner + border:
        raise ProofError(
            f"consistency proof has {len(proof)} hashes, want {start + inner + border}",
            details={"got": len(proof), "want": start + inner + border},
        )
    rest = proof[start:]
    mask = (old_size - 1) >> shift
    h1 = _chain_border_right(_chain_inner_right(bytes(seed), rest[:inner], mask), rest[inner:])
    _match(h1, old_root, "old root")
    h2 = _chain_border_right(_chain_inner(bytes(seed), rest[:inner], mask), rest[inner:])
    _match(h2, new_root, "new root")
