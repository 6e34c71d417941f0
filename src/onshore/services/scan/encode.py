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


def _ints(values: np.ndarray | None, n: int) -> pa.Array | pa.Scalar:
    if values is None:
        return pa.scalar("null")
    return pc.cast(pa.array(values, pa.int64()), pa.string())


def _json_strings(values: np.ndarray) -> pa.Array:
    arr = pa.array(values.tolist(), pa.string())
    quoted = pc.binary_join_element_wise('"', arr, '"', "")
    return pc.fill_null(quoted, "null")


def encode_block(
    source: str, block: Block, *, located: bool = False, preview: bool = False
) -> bytes:
    """The block's findings, one JSON object per line."""
    n = len(block)
    if n == 0:
        return b""
    conf = block.confidence
    conf_s: pa.Array | pa.Scalar
    if isinstance(conf, np.ndarray):
        conf_s = pc.cast(pa.array(np.round(conf, 3), pa.float64()), pa.string())
    else:
        conf_s = pa.scalar(json.dumps(round(float(conf), 3)))
    subject = block.subject_country
    subject_s = _json_strings(subject) if subject is not None else pa.scalar("null")
    head = "{" + f'"source": {json.dumps(source, ensure_ascii=False)}, "row": '
    middle = f', "column": {json.dumps(block.column, ensure_ascii=False)}, "start": '
    tail_cat = f', "category": "{block.category}", "detector": "{block.detector}", "confidence": '
    parts: list[pa.Array | pa.Scalar | str] = [
        head,
        pc.cast(pa.array(block.rows, pa.int64()), pa.string()),
        middle,
        _ints(block.start, n),
        ', "end": ',
        _ints(block.end, n),
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
    scalars = [pa.scalar(p) if isinstance(p, str) else p for p in parts]
    joined = pc.binary_join_element_wise(*scalars, "")
    if isinstance(joined, pa.ChunkedArray):
        joined = joined.combine_chunks()
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32)[
        joined.offset : joined.offset + n + 1
    ]
    data = joined.buffers()[2]
    raw: bytes = data.to_pybytes()
    return raw[int(offsets[0]) : int(offsets[-1])]
