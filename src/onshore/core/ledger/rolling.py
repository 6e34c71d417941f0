"""The RFC 6962 root of a growing list of leaf hashes, in O(log n) memory.

Leaf hashes are pushed in index order; ``root()`` is the Merkle tree hash of those pushed so
far (``EMPTY_ROOT`` for none). Backups use it to check a ledger streamed from a file without
holding its leaves in memory.

Example:
    >>> from onshore.core.ledger.merkle import root_hash
    >>> hashes = [bytes([i]) * 32 for i in range(5)]
    >>> r = RollingRoot()
    >>> for h in hashes:
    ...     r.push(h)
    >>> r.size, r.root() == root_hash(hashes)
    (5, True)
"""

from __future__ import annotations

from onshore.core.ledger.merkle import EMPTY_ROOT, node_hash


class RollingRoot:
    """Perfect subtrees on a stack, merged as they fill (the binary counter of ``size``)."""

    __slots__ = ("_stack", "size")

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []
        self.size = 0

    def push(self, leaf_hash: bytes) -> None:
        """Append the next leaf hash."""
        width, node = 1, leaf_hash
        while self._stack and self._stack[-1][0] == width:
            left = self._stack.pop()[1]
            width, node = width * 2, node_hash(left, node)
        self._stack.append((width, node))
        self.size += 1

    def root(self) -> bytes:
        """The tree hash of the leaves pushed so far."""
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node
