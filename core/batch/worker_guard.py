"""Pool workers belong to the batch that started them: they die with it and leave Ctrl+C to it.

A batch killed with SIGKILL cannot stop its workers, so each worker asks to go with it:
on Linux the kernel sends it SIGKILL when its parent dies (``PR_SET_PDEATHSIG``); elsewhere
a thread notices that its parent changed (an orphan is adopted by another process).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def guard_worker(parent: int) -> None:
    """Pool initializer: ignore Ctrl+C (the batch lets files under way finish) and die with ``parent``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _kernel_kills_orphan():
        threading.Thread(target=watch_parent, args=(parent,), name="packshot-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the batch died before the request above was made
        os._exit(1)


def watch_parent(parent: int, interval: float = 0.5) -> None:
    """End this process as soon as ``parent`` is no longer its parent."""
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


def _kernel_kills_orphan() -> bool:
    """Ask Linux to SIGKILL this process when its parent ends; False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    return prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
