"""One LedgerStore conformance suite, run on memory, SQLite (a real file) and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from onshore.adapters import open_database
from onshore.core.errors import StoreIntegrityError
from onshore.core.ledger import leaf_hash, root_hash
from onshore.core.ledger import tiles as T
from onshore.ports import LedgerStore, RegionDatabase

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def entries(n: int, start: int = 0) -> tuple[list[bytes], list[bytes]]:
    es = [f"entry-{i}".encode() for i in range(start, start + n)]
    return es, [leaf_hash(e) for e in es]


@pytest.fixture
def store(db: RegionDatabase) -> LedgerStore:
    return db.ledger


def test_implements_the_port(store: LedgerStore) -> None:
    assert isinstance(store, LedgerStore)


def test_empty(store: LedgerStore) -> None:
    assert store.size() == 0
    assert store.leaves(0, 10) == []
    assert store.leaf_hashes(0, 10) == []
    assert store.integrated_size() == 0
    assert store.latest_checkpoint() is None
    assert store.checkpoints() == []
    assert store.find_ref(b"r" * 32) == []
    assert store.tiles([(0, 0)]) == {}


def test_append_returns_dense_indexes(db: RegionDatabase, store: LedgerStore) -> None:
    es, hs = entries(5)
    with db.transaction():
        assert store.append(es[:3], hs[:3]) == 0
        assert store.append(es[3:], hs[3:]) == 3
    assert store.size() == 5
    assert store.leaves(1, 3) == [(1, es[1], hs[1]), (2, es[2], hs[2])]
    assert store.leaf_hashes(0, 100) == hs
    assert store.append([], []) == 5


def test_append_needs_one_hash_per_entry(db: RegionDatabase, store: LedgerStore) -> None:
    with pytest.raises(StoreIntegrityError):
        store.append([b"a", b"b"], [bytes(32)])
    assert store.size() == 0


def test_rollback_undoes_every_write(db: RegionDatabase, store: LedgerStore) -> None:
    es, hs = entries(3)
    with db.transaction():
        store.append(es[:1], hs[:1])
        store.put_payloads([(b"c" * 32, b"{}")])
    with pytest.raises(RuntimeError), db.transaction():
        store.append(es[1:], hs[1:])
        store.put_payloads([(b"d" * 32, b'{"kind":"x"}')])
        store.delete_payload(b"c" * 32)
        store.index_refs([(b"r" * 32, 1)])
        store.save_tiles({(0, 0): b"".join(hs)}, 3)
        store.add_checkpoint(3, bytes(32), b"note", "ledger-signing:1", T0)
        raise RuntimeError("boom")
    assert store.size() == 1
    assert store.payload(b"c" * 32) == b"{}"
    assert store.payload(b"d" * 32) is None
    assert store.find_ref(b"r" * 32) == []
    assert store.integrated_size() == 0
    assert store.tiles([(0, 0)]) == {}
    assert store.checkpoints() == []


def test_nested_rollback_keeps_the_outer_writes(db: RegionDatabase, store: LedgerStore) -> None:
    es, hs = entries(2)
    with db.transaction():
        store.append(es[:1], hs[:1])
        with pytest.raises(RuntimeError), db.transaction():
            store.append(es[1:], hs[1:])
            raise RuntimeError("inner")
    assert store.leaves(0, 5) == [(0, es[0], hs[0])]


def test_payloads_are_content_addressed_and_deletable(store: LedgerStore) -> None:
    c = b"\x01" * 32
    store.put_payloads([(c, b'{"kind":"profile"}')])
    store.put_payloads([(c, b'{"kind":"other"}')])
    assert store.payload(c) == b'{"kind":"profile"}'
    assert store.delete_payload(c) is True
    assert store.payload(c) is None
    assert store.delete_payload(c) is False


def test_record_refs(store: LedgerStore) -> None:
    a, b = b"a" * 32, b"b" * 32
    store.index_refs([(a, 3), (b, 1), (a, 0), (a, 3)])
    assert store.find_ref(a) == [0, 3]
    assert store.find_ref(b) == [1]


@pytest.mark.parametrize("page_size", [1, 2, 10_000])
def test_iter_refs_lists_every_pair_once_in_order(store: LedgerStore, page_size: int) -> None:
    assert list(store.iter_refs(page_size)) == []
    a, b, c = b"a" * 32, b"b" * 32, b"\xff" * 32
    store.index_refs([(c, 1), (a, 3), (b, 1), (a, 0), (a, 3), (c, 0)])
    expected = [(a, 0), (a, 3), (b, 1), (c, 0), (c, 1)]
    assert list(store.iter_refs(page_size)) == expected


def test_tiles_upsert_and_integrated_size(store: LedgerStore) -> None:
    _, hs = entries(300)
    first = T.integrate(0, hs[:100], {})
    store.save_tiles(first, 100)
    assert store.integrated_size() == 100
    edge = store.tiles(T.edge_tile_keys(100))
    assert edge == {(0, 0): b"".join(hs[:100])}
    store.save_tiles(T.integrate(100, hs[100:], edge), 300)
    got = store.tiles([(0, 0), (0, 1), (1, 0), (5, 5)])
    assert set(got) == {(0, 0), (0, 1), (1, 0)}
    assert T.tree_root(300, got) == root_hash(hs)


def test_many_tiles_in_one_read(store: LedgerStore) -> None:
    _, hs = entries(256 * 3)
    tiles = T.integrate(0, hs, {})
    store.save_tiles(tiles, len(hs))
    assert store.tiles(list(tiles)) == tiles


def test_a_checkpoint_never_shrinks_the_signed_size(store: LedgerStore) -> None:
    """Two signers racing: the later, smaller (or equal) checkpoint is not stored."""
    assert store.add_checkpoint(5, b"\x05" * 32, b"n5", "ledger-signing:1", T0)
    assert not store.add_checkpoint(4, b"\x04" * 32, b"n4", "ledger-signing:1", T0)
    assert not store.add_checkpoint(5, b"\x05" * 32, b"n5b", "ledger-signing:1", T0)
    assert [r[2] for r in store.checkpoints()] == [b"n5"]
    assert store.add_checkpoint(6, b"\x06" * 32, b"n6", "ledger-signing:1", T0)


def test_checkpoints_keep_their_order(store: LedgerStore) -> None:
    store.add_checkpoint(1, b"\x01" * 32, b"n1", "ledger-signing:1", T0)
    store.add_checkpoint(5, b"\x05" * 32, b"n5", "ledger-signing:2", T0 + timedelta(seconds=1))
    rows = store.checkpoints()
    assert [r[0] for r in rows] == [1, 5]
    latest = store.latest_checkpoint()
    assert latest is not None
    size, root, note, key_id, at = latest
    assert (size, root, note, key_id) == (5, b"\x05" * 32, b"n5", "ledger-signing:2")
    assert at == T0 + timedelta(seconds=1)


def test_data_survives_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    db = open_database(url)
    es, hs = entries(3)
    with db.transaction():
        db.ledger.append(es, hs)
        db.ledger.save_tiles(T.integrate(0, hs, {}), 3)
    db.close()
    db = open_database(url)
    assert db.ledger.size() == 3
    assert db.ledger.integrated_size() == 3
    db.close()


def test_record_refs_already_indexed_in_an_earlier_call(
    db: RegionDatabase, store: LedgerStore
) -> None:
    a, b = b"a" * 32, b"b" * 32
    with db.transaction():
        store.index_refs([(a, 0)])
    with db.transaction():
        store.index_refs([(b, 2), (a, 0), (a, 5)])
        store.index_refs([])
    assert store.find_ref(a) == [0, 5]
    assert store.find_ref(b) == [2]


def test_empty_append_adds_nothing(db: RegionDatabase, store: LedgerStore) -> None:
    es, hs = entries(2)
    with db.transaction():
        assert store.append(es, hs) == 0
        assert store.append([], []) == 2
    assert store.size() == 2
