"""Debian's Chromium for the browser tests: where it is, and how Playwright launches it.

Playwright's own browser download is not used (it is not reachable here and CI should not
depend on it): ``make install`` installs Debian's ``chromium`` package and Playwright drives
that binary through ``executable_path``. Debian's ``/usr/bin/chromium`` is a shell launcher
that adds flags of its own; the binary it runs is ``/usr/lib/chromium/chromium``, which is
what we launch so that only our flags apply.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: The real binary behind Debian's launcher script, then names on PATH, in that order.
CANDIDATES: tuple[str, ...] = ("/usr/lib/chromium/chromium",)
NAMES: tuple[str, ...] = ("chromium", "chromium-browser")

#: Flags for headless runs in CI. ``--no-sandbox``: CI runs the suite as root, and Chromium
#: refuses to start its setuid/namespace sandbox as root ("Running as root without
#: --no-sandbox is not supported"); the pages it loads are our own, served on loopback.
#: ``--disable-dev-shm-usage``: containers often give /dev/shm only 64 MB, which makes
#: renderers crash; /tmp is used instead.
ARGS: tuple[str, ...] = ("--disable-dev-shm-usage", "--disable-gpu")


def chromium_path() -> Path | None:
    """The Chromium binary to launch (``ONSHORE_CHROMIUM`` overrides), or None if none is found.

    Example:
        >>> path = chromium_path()
        >>> path is None or path.is_file()
        True
    """
    override = os.environ.get("ONSHORE_CHROMIUM")
    if override:
        return Path(override)
    for candidate in CANDIDATES:
        if os.access(candidate, os.X_OK):
            return Path(candidate)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def launch_args() -> list[str]:
    """Chromium's command-line flags: :data:`ARGS`, plus ``--no-sandbox`` when run as root."""
    args = list(ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return args
