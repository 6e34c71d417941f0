"""Scan worker processes die with their parent, even when it is killed with SIGKILL.

``init_worker`` runs first in every pool process: on Linux it asks the kernel to send the
worker SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``), and everywhere a small
daemon thread watches the parent process id and exits the worker once the parent is gone
(the fallback for systems without ``prctl``, and for a parent that died before the call).

Example:
    >>> parent_alive(os.getppid())
    True
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

#: ``PR_SET_PDEATHSIG`` from ``<sys/prctl.h>``.
PR_SET_PDEATHSIG = 1
#: How often the fallback thread looks at the parent (seconds).
WATCH_EVERY = 0.5


def parent_alive(parent: int) -> bool:
    """Whether this process's parent is still ``parent`` (an orphan is re-parented)."""
    return os.getppid() == parent


def _die_with_parent_linux() -> bool:
    """Ask Linux for SIGKILL when the parent dies; whether the call succeeded."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while parent_alive(parent):
        time.sleep(WATCH_EVERY)
    os._exit(1)  # the parent is gone: nobody will read our results


def init_worker(parent: int) -> None:
    """Pool initializer: tie this worker's life to ``parent`` (the scanning process)."""
    _die_with_parent_linux()
    if not parent_alive(parent):  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(
        target=_watch, args=(parent,), name="onshore-parent-watch", daemon=True
    ).start()
