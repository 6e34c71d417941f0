"""Policy packs on disk: find them, read them, and build the engine.

Shipped packs live in ``policy_packs/<id>/pack.yaml`` (+ ``cases.yaml``): in a source
checkout at the repository's top level, in an installed wheel as ``onshore/policy_packs``.
A deployment adds directories (``pack_paths``) holding more pack directories, or a single
pack directory itself; an added pack with a shipped id replaces the shipped one.

Example:
    >>> engine = load_engine(["vn"])
    >>> engine.rule("VN-D53-26.2").instrument
    'D53'
"""

from __future__ import annotations

import importlib.resources
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path

from onshore.core.calendar import WorkingCalendar
from onshore.core.errors import ConfigError, PackError
from onshore.core.policy.cases import CaseFile, parse_cases
from onshore.core.policy.engine import PolicyEngine
from onshore.core.policy.model import Pack
from onshore.core.policy.parse import parse_pack

PACK_FILE = "pack.yaml"
CASES_FILE = "cases.yaml"
#: Largest pack or cases file read (``deployment.pack_max_bytes``); larger ones are refused.
PACK_MAX_BYTES = 1 << 20


def shipped_root() -> Path:
    """The directory of the packs shipped with onshore (checkout or installed wheel)."""
    # src/onshore/services/policy.py -> the checkout's top level (no import of the package)
    checkout = Path(__file__).resolve().parents[3] / "policy_packs"
    if checkout.is_dir():
        return checkout
    return Path(str(importlib.resources.files("onshore") / "policy_packs"))


def available_packs(extra_dirs: Sequence[Path] = ()) -> dict[str, Path]:
    """Pack id -> its directory, shipped first, then ``extra_dirs`` (which override)."""
    found: dict[str, Path] = {}
    for root in (shipped_root(), *map(Path, extra_dirs)):
        if (root / PACK_FILE).is_file():
            found[root.name] = root
        elif root.is_dir():
            for child in sorted(root.iterdir()):
                if (child / PACK_FILE).is_file():
                    found[child.name] = child
        elif root != shipped_root():
            raise ConfigError(f"pack directory {root} does not exist")
    return found


def _refuse(path: Path, reason: str) -> PackError:
    return PackError(
        f"{path}:1: {reason}", details={"file": str(path), "line": 1, "reason": reason}
    )


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_text(path: Path, max_bytes: int = PACK_MAX_BYTES) -> str:
    """A pack or cases file's text; unreadable -> PackError.

    Only regular files (a symlink to one is fine) up to ``max_bytes`` are read: a FIFO, a
    device (``/dev/zero``), a directory or a larger file is refused without reading it (the
    file is opened non-blocking, then checked on the open descriptor).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _refuse(path, f"cannot read: {exc.__class__.__name__}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(path, f"{_kind(info.st_mode)}, not a regular file: not read")
        if info.st_size > max_bytes:
            raise _refuse(path, f"{info.st_size:,} bytes, over the limit of {max_bytes:,}")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:  # grew while being read
            raise _refuse(path, f"over the limit of {max_bytes:,} bytes")
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _refuse(path, f"cannot read: {exc.__class__.__name__}") from None
    finally:
        os.close(fd)


def read_pack(path: Path, max_bytes: int = PACK_MAX_BYTES) -> Pack:
    """Parse a ``pack.yaml`` (or the pack directory holding it); at most ``max_bytes``."""
    file = path / PACK_FILE if path.is_dir() else path
    pack = parse_pack(read_text(file, max_bytes), str(file))
    if file.name == PACK_FILE and file.parent.name != pack.id:
        raise PackError(
            f"{file}:1: pack id {pack.id!r} differs from its directory {file.parent.name!r}",
            details={"file": str(file), "line": 1, "reason": "pack id differs from directory"},
        )
    return pack


def read_cases(path: Path, max_bytes: int = PACK_MAX_BYTES) -> CaseFile:
    """Parse a ``cases.yaml`` (or the pack directory holding it)."""
    file = path / CASES_FILE if path.is_dir() else path
    return parse_cases(read_text(file, max_bytes), str(file))


def load_packs(
    pack_ids: Sequence[str], extra_dirs: Sequence[Path] = (), max_bytes: int = PACK_MAX_BYTES
) -> list[Pack]:
    """Read the packs named ``pack_ids`` (in that order), each at most ``max_bytes``."""
    found = available_packs(extra_dirs)
    packs = []
    for pid in pack_ids:
        if pid not in found:
            raise ConfigError(
                f"unknown policy pack {pid!r} (available: {', '.join(sorted(found))})",
                details={"pack": pid, "available": sorted(found)},
            )
        packs.append(read_pack(found[pid], max_bytes))
    return packs


def load_engine(
    pack_ids: Sequence[str],
    extra_dirs: Sequence[Path] = (),
    enforce_unconfirmed: bool = False,
    max_bytes: int = PACK_MAX_BYTES,
    calendars: Mapping[str, WorkingCalendar] | None = None,
) -> PolicyEngine:
    """Build the engine from the named packs (shipped or under ``extra_dirs``); ``calendars``
    as ``PolicyEngine`` takes them (working days per jurisdiction)."""
    return PolicyEngine(
        load_packs(pack_ids, extra_dirs, max_bytes),
        enforce_unconfirmed=enforce_unconfirmed,
        calendars=calendars,
    )
