"""Bounded line reading: a 50 MB single line never sits in memory whole.

Example:
    >>> import io
    >>> r = LineReader(io.BytesIO(b"a\\n" + b"x" * 50 + b"\\nb\\n"), max_line=10)
    >>> list(r), r.too_long
    ([b'a\\n', None, b'b\\n'], 1)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

CHUNK = 1 << 20
#: Lines longer than this are skipped (counted), not read whole.
MAX_LINE = 8 << 20


class LineReader:
    """Iterate over the lines of a binary stream; an over-long line yields None instead."""

    def __init__(self, stream: BinaryIO, *, max_line: int = MAX_LINE, chunk: int = CHUNK) -> None:
        self._stream = stream
        self.max_line = max_line
        self.chunk = chunk
        self.too_long = 0
        self.bytes_read = 0

    def __iter__(self) -> Iterator[bytes | None]:
        buf = b""
        skipping = False
        while True:
            data = self._stream.read(self.chunk)
            if not data:
                break
            self.bytes_read += len(data)
            start = 0
            while True:
                nl = data.find(b"\n", start)
                if nl < 0:
                    break
                if skipping:
                    skipping = False
                    yield None
                else:
                    line = buf + data[start : nl + 1]
                    buf = b""
                    if len(line) > self.max_line:
                        self.too_long += 1
                        yield None
                    else:
                        yield line
                start = nl + 1
            if not skipping:
                buf += data[start:]
                if len(buf) > self.max_line:
                    buf = b""
                    skipping = True
                    self.too_long += 1
        if skipping:
            yield None
        elif buf:
            yield buf
