"""OpenCV held at one thread while the repair fills run.

The large-hole blend runs its fills side by side on two threads, which keeps both cores
busy; a parallel region nested inside a fill (OpenCV's gemm in the exemplar search, say)
then waits a scheduler slice for a thread that the other fill holds, and does so many
times per fill: on this 2-core machine a 5 ms product took 60 ms. OpenCV's thread count
is process-wide, so fills running at once (a batch) share the setting, and the last one
out restores the count the first one found.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_saved = 0


@contextmanager
def one_opencv_thread() -> Iterator[None]:
    global _holders, _saved
    import cv2

    with _lock:
        if _holders == 0:
            _saved = cv2.getNumThreads()
            cv2.setNumThreads(1)
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                cv2.setNumThreads(_saved)
