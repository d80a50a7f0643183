"""Background work for the window, reported on the UI thread by per-call callbacks.

Nothing here blocks the UI thread. :class:`JobBridge` turns the job runner's listener calls
(made in a lane's thread) into queued Qt signals: ``changed`` and ``progressed`` for the
queue panel and progress bars, and each submission's own ``on_end(job)``. :class:`Workers`
runs small callables (opening a picture, rendering it for the screen) with superqt's
``create_worker`` on a pool the window owns and waits for on close. :class:`Tasks` is the
library panel's keyed pool for thumbnails.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from packshot.core.jobs import Job

from .document import describe_error

PROGRESS_INTERVAL_S = 0.04

Listener = Callable[[Job], None]


class JobBridge(QObject):
    """Job events from lane threads, delivered on the UI thread (queued connections)."""

    changed = Signal(object)  # a Job queued, started or ended (the queue panel listens)
    progressed = Signal(object, float, str)
    _ended = Signal(object, object)  # Job, its on_end callback

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ended.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def listener(self, on_end: Callable[[Job], None] | None = None) -> Listener:
        """A job listener for :meth:`packshot.core.jobs.JobRunner.submit` (called in a lane's thread):
        state changes and throttled progress become signals; the end calls ``on_end(job)`` here."""
        last_emit = [0.0]
        last_state = [""]

        def listen(job: Job) -> None:
            if job.state != last_state[0]:
                last_state[0] = job.state
                self.changed.emit(job)
                if job.ended and on_end is not None:
                    self._ended.emit(job, on_end)
                return
            now = time.monotonic()
            if now - last_emit[0] >= PROGRESS_INTERVAL_S:
                last_emit[0] = now
                self.progressed.emit(job, job.progress.fraction, job.progress.message)

        return listen

    def track(self, submit: Callable[[Listener], Job], on_end: Callable[[Job], None] | None = None) -> Job:
        """``submit(listener)`` a job with this bridge's listener, and show it queued at once."""
        job = submit(self.listener(on_end))
        self.changed.emit(job)
        return job

    def _deliver(self, job: Job, on_end: Callable[[Job], None]) -> None:  # on the UI thread: the bridge's own
        on_end(job)


class Workers(QObject):
    """Small callables on the window's own pool, each with its own callbacks.

    ``start(fn, on_done, on_error)``: ``on_done(value)`` or ``on_error(message)`` runs on the
    UI thread. :meth:`stop` drops what has not started, waits for the rest and silences
    their callbacks, so nothing reaches a closed window.
    """

    def __init__(self, threads: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max(1, threads))
        self._live: set[Any] = set()
        self._stopped = False

    def start(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
              on_error: Callable[[str], None]) -> None:
        from superqt.utils import create_worker  # superqt loads on first use, not at start-up

        def done(value: Any) -> None:
            if not self._stopped:
                on_done(value)

        def failed(exc: BaseException) -> None:
            if not self._stopped:
                on_error(describe_error(exc))

        worker = create_worker(fn, _start_thread=False, _connect={"returned": done, "errored": failed})
        self._live.add(worker)
        worker.finished.connect(lambda: self._live.discard(worker))
        self.pool.start(worker)

    def stop(self, wait_ms: int = 10_000) -> bool:
        self._stopped = True
        self.pool.clear()
        return self.pool.waitForDone(wait_ms)


class _Task(QRunnable):
    def __init__(self, owner: Tasks, key: object, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.owner, self.key, self.fn = owner, key, fn

    def run(self) -> None:
        try:
            value = self.fn()
        except Exception as exc:  # reported as a message, never a dead thread
            self.owner.error.emit(self.key, describe_error(exc))
        else:
            self.owner.done.emit(self.key, value)


class Tasks(QObject):
    """A small thread pool for callables; ``done(key, value)`` / ``error(key, message)``."""

    done = Signal(object, object)
    error = Signal(object, str)

    def __init__(self, threads: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max(1, threads))

    def start(self, key: object, fn: Callable[[], Any]) -> None:
        self.pool.start(_Task(self, key, fn))

    def clear(self) -> None:
        """Drop queued tasks that have not started."""
        self.pool.clear()

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)
