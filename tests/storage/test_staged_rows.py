"""Staged rows of a pending batch share round-trip exactly, and a damaged one is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onshore.core.errors import StoreIntegrityError
from onshore.core.ledger.leaf import EncodedEvent
from onshore.ports import SealedRecord
from onshore.services.staged_rows import decode_row, encode_row

T0 = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
text = st.text(min_size=1, max_size=40)
blob = st.binary(max_size=300)


@given(
    rid=text,
    kind=text,
    cats=st.lists(text, max_size=4).map(tuple),
    terms=st.lists(st.binary(min_size=1, max_size=255), max_size=5).map(tuple),
    ciphertext=blob,
    ref=st.one_of(st.none(), st.binary(min_size=32, max_size=32)),
)
def test_round_trip(
    rid: str,
    kind: str,
    cats: tuple[str, ...],
    terms: tuple[bytes, ...],
    ciphertext: bytes,
    ref: bytes | None,
) -> None:
    sealed = SealedRecord(
        rid, "vn-hcm", b"s" * 32, kind, T0, cats, "kek:1", b"w", b"n", ciphertext, terms
    )
    leaf = EncodedEvent(b"e" * 176, b'{"kind":"x"}', b"c" * 32, ref)
    assert decode_row(encode_row(sealed, leaf)) == (sealed, leaf)


def test_damaged_rows_are_refused() -> None:
    sealed = SealedRecord("r", "vn-hcm", b"s", "k", T0, (), "kek:1", b"w", b"n", b"c")
    body = encode_row(sealed, EncodedEvent(b"e" * 176, b"{}", b"c" * 32, None))
    for bad in (b"", body[:-1], body + b"x", b"\x09" + body[1:], body[:10]):
        with pytest.raises(StoreIntegrityError):
            decode_row(bad)
