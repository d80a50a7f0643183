"""The job runner's lanes as QThreads the window owns, so closing the window can join them.

:class:`packshot.core.jobs.JobRunner` takes its lanes from a factory; the CLI and the batch
use core's plain threads, the window gives :class:`QtLane`. Each lane is ``width``
QThreads taking callables from one queue in order; :meth:`QtLane.close` lets them finish
what they were given (the runner cancels it first) and, with ``wait``, joins them.
"""

from __future__ import annotations

import queue
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread


class _LaneThread(QThread):
    def __init__(self, work: queue.SimpleQueue, name: str, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._work = work

    def run(self) -> None:
        while True:
            fn = self._work.get()
            if fn is None:
                return
            fn()
            del fn  # an idle lane must not keep its last job (and that job's pictures) alive


class QtLane(QObject):
    """A lane of QThreads (see the module docstring); ``threads`` lists them for checks."""

    def __init__(self, name: str, width: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        self.threads = [_LaneThread(self._work, f"packshot-{name}-{i}", self) for i in range(max(1, width))]
        for thread in self.threads:
            thread.start()

    def submit(self, fn: Callable[[], None]) -> None:
        self._work.put(fn)

    def close(self, wait: bool = True) -> None:
        for _ in self.threads:
            self._work.put(None)
        if wait:
            self.join()

    def join(self) -> None:
        for thread in self.threads:
            thread.wait()


def qt_lanes(parent: QObject) -> Callable[[str, int], QtLane]:
    """A lane factory for :class:`packshot.core.jobs.JobRunner` whose lanes ``parent`` owns."""
    return lambda name, width: QtLane(name, width, parent)
