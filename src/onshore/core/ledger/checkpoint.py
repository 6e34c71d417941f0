"""C2SP tlog-checkpoint bodies (https://c2sp.org/tlog-checkpoint).

A checkpoint body is three lines, origin, tree size (decimal) and root hash (standard
base64), then optional extension lines; onshore adds one, ``time <RFC 3339 UTC>``, the time
the checkpoint was made. The body is signed as a C2SP signed note (:mod:`.note`).

Example:
    >>> from datetime import datetime, timezone
    >>> cp = Checkpoint("onshore/vn-hcm", 3, bytes(32), datetime(2025, 1, 1, tzinfo=timezone.utc))
    >>> print(cp.body().decode(), end="")
    onshore/vn-hcm
    3
    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
    time 2025-01-01T00:00:00Z
    >>> parse_checkpoint(cp.body()) == cp
    True
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from onshore.core.errors import CheckpointError
from onshore.core.ledger.merkle import HASH_SIZE

_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")
_TIME_PREFIX = "time "


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's state: ``origin`` (the log's name), ``size`` and ``root``, and when."""

    origin: str
    size: int
    root: bytes
    at: datetime | None = None

    def body(self) -> bytes:
        """The checkpoint note text."""
        if not self.origin or "\n" in self.origin:
            raise CheckpointError("checkpoint origin must be one non-empty line")
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        if self.at is not None:
            stamp = self.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
            lines.append(_TIME_PREFIX + stamp)
        return ("\n".join(lines) + "\n").encode()


def parse_checkpoint(text: bytes) -> Checkpoint:
    """Parse a checkpoint body; ``CheckpointError`` naming the bad line."""
    try:
        s = text.decode("utf-8")
    except (UnicodeDecodeError, AttributeError):
        raise CheckpointError("checkpoint is not UTF-8 text") from None
    if not s.endswith("\n"):
        raise CheckpointError("checkpoint must end with a newline")
    lines = s[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("checkpoint needs origin, size and root lines")
    origin, size_s, root_s, *ext = lines
    if not origin:
        raise CheckpointError("checkpoint origin line is empty")
    if not _SIZE.fullmatch(size_s) or int(size_s) >= 1 << 64:
        raise CheckpointError("checkpoint size line is not a decimal tree size")
    try:
        root = base64.b64decode(root_s, validate=True)
    except (ValueError, binascii.Error):
        raise CheckpointError("checkpoint root line is not base64") from None
    if len(root) != HASH_SIZE:
        raise CheckpointError("checkpoint root is not a 32-byte hash")
    at = None
    for line in ext:
        if not line:
            raise CheckpointError("checkpoint extension lines must not be empty")
        if line.startswith(_TIME_PREFIX):
            try:
                at = datetime.fromisoformat(line[len(_TIME_PREFIX) :].replace("Z", "+00:00"))
            except ValueError:
                raise CheckpointError("checkpoint time line is not RFC 3339") from None
    return Checkpoint(origin, int(size_s), root, at)
