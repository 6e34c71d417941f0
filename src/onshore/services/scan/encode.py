"""Findings as JSON Lines, built with Arrow string kernels (no per-finding Python objects).

The object shape is DESIGN §3 "Scan findings" (an interface), in this key order:
``source, row, column, start, end, category, detector, confidence, subject_country``, then
``residency_violation`` when a store location was given and ``preview`` (a masked value)
when asked for.

Example:
    >>> import numpy as np
    >>> from onshore.services.scan.blocks import Block
    >>> b = Block(np.array([0]), np.array([7]), "sdt", "phone_number", "vn_phone", 0.95, "VN")
    >>> b.subject_country = np.array(["VN"], dtype=object)
    >>> line = encode_block("users.csv", b).decode()
    >>> line[:60]
    '{"source": "users.csv", "row": 7, "column": "sdt", "start": '
    >>> json.loads(line)["subject_country"], line.endswith("}\\n")
    ('VN', True)
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onshore.services.scan.blocks import Block


def mask(value: str) -> str:
    """A preview that shows the shape, never the value: ``0912345678`` -> ``09******78``.

    Example:
        >>> mask("0912345678"), mask("an@example.com"), mask("Lan")
        ('09******78', 'a*@e*********m', '***')
    """
    if "@" in value:
        local, _, domain = value.partition("@")
        return mask_part(local) + "@" + mask_part(domain)
    if len(value) <= 4:
        return "*" * len(value)
    keep = 2 if len(value) >= 8 else 1
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def mask_part(part: str) -> str:
    """Mask all but the first and last character."""
    if len(part) <= 2:
        return part[:1] + "*" * (len(part) - 1)
    return part[0] + "*" * (len(part) - 2) + part[-1]


def _ints(values: np.ndarray | None) -> pa.Array | str:
    if values is None:
        return "null"
    return pc.cast(pa.array(values, pa.int64()), pa.string())


def _json_strings(values: np.ndarray) -> pa.Array:
    arr = pa.array(values.tolist(), pa.string())
    quoted = pc.binary_join_element_wise('"', arr, '"', "")
    return pc.fill_null(quoted, "null")


def json_countries(countries: np.ndarray) -> pa.Array:
    """Country codes (object array, None when unknown) as JSON text: ``"VN"`` or ``null``.

    Computed once per batch, then taken per block (``encode_block(subject_json=...)``).

    Example:
        >>> json_countries(np.array(["VN", None], dtype=object)).to_pylist()
        ['"VN"', 'null']
    """
    return _json_strings(countries)


def _merged(parts: list[pa.Array | str]) -> list[pa.Array | pa.Scalar]:
    """Adjacent constant parts joined into one (fewer inputs for the join kernel)."""
    out: list[pa.Array | pa.Scalar] = []
    text: list[str] = []
    for part in parts:
        if isinstance(part, str):
            text.append(part)
            continue
        if text:
            out.append(pa.scalar("".join(text)))
            text = []
        out.append(part)
    if text:
        out.append(pa.scalar("".join(text)))
    return out


def _fixed_width(values: pa.Array, width: int) -> np.ndarray | None:
    """A string array whose entries all have ``width`` bytes as an ``(n, width)`` byte matrix
    (a view, no copy), or None when some entry has another length (or is null)."""
    if values.null_count or len(values) == 0:
        return None
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)
    offsets = offsets[values.offset : values.offset + len(values) + 1]
    if not bool((np.diff(offsets) == width).all()):
        return None
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)
    matrix: np.ndarray = data[int(offsets[0]) : int(offsets[-1])].reshape(len(values), width)
    return matrix


def _digit_count(rows: np.ndarray) -> np.ndarray:
    width = np.ones(len(rows), dtype=np.int64)
    for power in range(1, len(str(int(rows.max())))):
        width += rows >= 10**power
    return width


#: Lines filled per pass (a few hundred kB: every pass over them hits the cache).
_CHUNK = 2048
#: More runs of equal-width row numbers than this and the generic join is used.
_MAX_RUNS = 64


def _fixed_lines(
    rows: np.ndarray, head: bytes, middle: bytes, subject: np.ndarray, tail: bytes
) -> bytearray | None:
    """``head + row + middle + subject + tail`` per finding, filled in one buffer as byte
    matrices (one per run of row numbers with the same digit count), or None when that does
    not pay (many runs, negative numbers)."""
    if len(rows) == 0 or int(rows.min()) < 0:
        return None
    width = _digit_count(rows)
    cuts = np.flatnonzero(np.diff(width)) + 1
    if len(cuts) >= _MAX_RUNS:
        return None
    h, m, s = len(head), len(middle), subject.shape[1]
    fixed = h + m + s + len(tail)
    buf = bytearray(int(width.sum()) + fixed * len(rows))
    at = 0
    for lo, hi in zip([0, *cuts.tolist()], [*cuts.tolist(), len(rows)], strict=True):
        w = int(width[lo])
        size = (hi - lo) * (fixed + w)
        out = np.frombuffer(buf, dtype=np.uint8, count=size, offset=at).reshape(hi - lo, -1)
        line = np.frombuffer(head + b"0" * w + middle + b" " * s + tail, np.uint8)
        for c0 in range(0, hi - lo, _CHUNK):  # a chunk's lines stay in cache for every pass
            part, run = out[c0 : c0 + _CHUNK], rows[lo + c0 : min(hi, lo + c0 + _CHUNK)]
            part[:] = line
            for k in range(w):
                part[:, h + k] = 48 + (run // 10 ** (w - 1 - k)) % 10
            part[:, h + w + m : h + w + m + s] = subject[lo + c0 : lo + c0 + len(run)]
        at += size
    return buf


def encode_block(
    source: str,
    block: Block,
    *,
    located: bool = False,
    preview: bool = False,
    subject_json: pa.Array | None = None,
) -> bytes | bytearray:
    """The block's findings, one JSON object per line.

    ``subject_json``, when given, is every batch row's subject country already as JSON text
    (``json_countries``); the block's entries are taken from it by ``block.pos`` instead of
    encoding ``block.subject_country`` again.
    """
    n = len(block)
    if n == 0:
        return b""
    conf = block.confidence
    conf_s: pa.Array | str
    if isinstance(conf, np.ndarray):
        conf_s = pc.cast(pa.array(np.round(conf, 3), pa.float64()), pa.string())
        if len(conf_s) and conf_s.null_count == 0 and conf.min() == conf.max():
            conf_s = str(conf_s[0].as_py())  # one value: a constant, written as Arrow wrote it
    else:
        conf_s = json.dumps(round(float(conf), 3))
    subject = block.subject_country
    head = "{" + f'"source": {json.dumps(source, ensure_ascii=False)}, "row": '
    middle = f', "column": {json.dumps(block.column, ensure_ascii=False)}, "start": '
    tail_cat = f', "category": "{block.category}", "detector": "{block.detector}", "confidence": '
    simple = not (located or preview) and block.start is None and block.end is None
    if simple and isinstance(conf_s, str) and subject_json is not None:
        matrix = _fixed_width(subject_json, 4)  # "VN" or null: every entry is 4 bytes
        if matrix is not None:
            matrix = matrix[block.pos]
            before = f'{middle}null, "end": null{tail_cat}{conf_s}, "subject_country": '
            lines = _fixed_lines(
                np.asarray(block.rows, dtype=np.int64),
                head.encode(),
                before.encode(),
                matrix,
                b"}\n",
            )
            if lines is not None:
                return lines
    subject_s: pa.Array | str
    if subject_json is not None:
        subject_s = subject_json.take(pa.array(block.pos, pa.int64()))
    else:
        subject_s = _json_strings(subject) if subject is not None else "null"
    parts: list[pa.Array | str] = [
        head,
        pc.cast(pa.array(block.rows, pa.int64()), pa.string()),
        middle,
        _ints(block.start),
        ', "end": ',
        _ints(block.end),
        tail_cat,
        conf_s,
        ', "subject_country": ',
        subject_s,
    ]
    if located:
        flags = block.violation if block.violation is not None else np.zeros(n, dtype=bool)
        parts += [', "residency_violation": ', pc.if_else(pa.array(flags), "true", "false")]
    if preview and block.values is not None:
        masked = np.array(
            [json.dumps(mask(v), ensure_ascii=False) for v in block.values], dtype=object
        )
        parts += [', "preview": ', pa.array(masked.tolist(), pa.string())]
    parts.append("}\n")
    joined = pc.binary_join_element_wise(*_merged(parts), "")
    if isinstance(joined, pa.ChunkedArray):
        joined = joined.combine_chunks()
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32)[
        joined.offset : joined.offset + n + 1
    ]
    data = joined.buffers()[2]
    raw: bytes = data[int(offsets[0]) : int(offsets[-1])].to_pybytes()
    return raw
