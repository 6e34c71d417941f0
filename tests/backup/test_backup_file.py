"""The backup file format: round trips, and every way of cutting or reordering it fails."""

from __future__ import annotations

import io
import os
import struct

import pytest

from onshore.core.errors import BackupInvalid
from onshore.core.ledger.merkle import root_hash
from onshore.core.ledger.rolling import RollingRoot
from onshore.services import backup_file
from onshore.services.backup_file import MAGIC, new_header, read_chunks, read_header, write_backup

KEY = os.urandom(32)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup_file, "CHUNK", 64)


def _write(data: bytes) -> bytes:
    out = io.BytesIO()
    pieces = [data[i : i + 37] for i in range(0, len(data), 37)]
    write_backup(out, new_header({"region": "vn-hcm"}, {}), KEY, pieces)
    return out.getvalue()


def _read(raw: bytes, key: bytes = KEY) -> bytes:
    inp = io.BytesIO(raw)
    header = read_header(inp)
    return b"".join(read_chunks(inp, header, key))


def _split(raw: bytes) -> tuple[bytes, list[bytes]]:
    """The header part and the sealed chunks (with their length prefixes)."""
    end = len(MAGIC) + 4 + struct.unpack(">I", raw[len(MAGIC) : len(MAGIC) + 4])[0]
    head, rest, chunks = raw[:end], raw[end:], []
    while rest:
        n = 4 + struct.unpack(">I", rest[:4])[0]
        chunks.append(rest[:n])
        rest = rest[n:]
    return head, chunks


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 128, 1000])
def test_round_trip_in_bounded_chunks(size: int) -> None:
    data = os.urandom(size)
    raw = _write(data)
    _, chunks = _split(raw)
    assert len(chunks) == max(1, -(-size // 64))
    assert all(len(c) <= 4 + 64 + 16 for c in chunks)
    assert _read(raw) == data


def test_reordered_dropped_or_cut_chunks_fail() -> None:
    raw = _write(os.urandom(300))
    head, chunks = _split(raw)
    assert len(chunks) == 5
    swapped = head + b"".join([chunks[1], chunks[0], *chunks[2:]])
    with pytest.raises(BackupInvalid, match="chunk 0 failed authentication"):
        _read(swapped)
    with pytest.raises(BackupInvalid, match="last chunk is missing"):
        _read(head + b"".join(chunks[:-1]))  # cut exactly at a chunk boundary
    with pytest.raises(BackupInvalid, match="chunk 2 failed"):
        _read(head + b"".join([*chunks[:2], *chunks[3:]]))
    with pytest.raises(BackupInvalid, match="after its last chunk"):
        _read(raw + chunks[-1])
    with pytest.raises(BackupInvalid, match="failed authentication"):
        _read(raw, os.urandom(32))


def test_the_header_is_authenticated() -> None:
    raw = _write(b"payload")
    changed = raw.replace(b'"region":"vn-hcm"', b'"region":"sg-111"')
    assert changed != raw and len(changed) == len(raw)
    with pytest.raises(BackupInvalid, match="failed authentication"):
        _read(changed)
    for bad in (b"", b"NOT-A-BACKUP", MAGIC + b"\xff\xff\xff\xff", MAGIC + b"\0\0\0\2{}"):
        with pytest.raises(BackupInvalid):
            _read(bad)


def test_rolling_root_matches_the_reference() -> None:
    hashes = [os.urandom(32) for _ in range(70)]
    rolling = RollingRoot()
    assert rolling.root() == root_hash([])
    for n, h in enumerate(hashes, start=1):
        rolling.push(h)
        assert rolling.root() == root_hash(hashes[:n]), n


def test_memory_stays_bounded_by_the_chunk_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """32 MiB through write and read with 1 MiB chunks: Python allocations peak near a chunk."""
    import hashlib
    import tracemalloc

    monkeypatch.setattr(backup_file, "CHUNK", 1 << 20)
    block = os.urandom(1 << 16)
    source = (block for _ in range(512))  # 32 MiB, 64 KiB at a time
    sink = hashlib.sha256()

    class Out:
        size = 0

        def write(self, data: bytes) -> None:
            self.size += len(data)
            sink.update(data)

    tracemalloc.start()
    try:
        out = Out()
        write_backup(out, new_header({"region": "vn-hcm"}, {}), KEY, source)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.size > 32 << 20
    assert peak < 8 << 20, f"peak {peak} bytes"
