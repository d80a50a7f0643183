"""Background work for the window: operations through the core job runner, and plain tasks.

Nothing here blocks the UI thread. :class:`JobBridge` submits operations to
:class:`packshot.core.jobs.JobRunner` (one GPU lane, CPU lanes beside it) and turns the runner's
worker-thread callbacks into queued Qt signals; Cancel sets the job's token, which the
operation checks per tile or step. :class:`Tasks` runs small callables (thumbnails,
history replay, export, preview rendering) on a QThreadPool and reports the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from packshot.core.jobs import Job, JobRunner
from packshot.core.operation import Inputs, Operation

from .document import describe_error

PROGRESS_INTERVAL_S = 0.04


class JobBridge(QObject):
    """Operations in worker threads, reported on the UI thread.

    ``prepare(result)`` runs in the worker after a job succeeds (rendering a preview of a
    50 MP result there keeps the UI fluid); its return value arrives with ``finished``.
    """

    changed = Signal(object)  # a Job whose state changed (the queue panel listens)
    progressed = Signal(object, float, str)
    finished = Signal(object, object)  # Job, prepared payload
    failed = Signal(object, str)
    cancelled = Signal(object)

    def __init__(self, runner: JobRunner | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner or JobRunner()

    def submit(self, op: Operation, inputs: Inputs, params: Mapping[str, Any] | None = None, *,
               seed: int = 0, plugin: str = "",
               prepare: Callable[[Any], Any] | None = None) -> Job:
        last_emit = [0.0]
        last_state = ["waiting"]

        def listener(job: Job) -> None:  # runs in the runner's worker thread
            if job.state != last_state[0]:
                last_state[0] = job.state
                if job.state in ("done", "failed", "cancelled"):
                    self._finish(job, prepare)
                self.changed.emit(job)
                return
            now = time.monotonic()
            if now - last_emit[0] >= PROGRESS_INTERVAL_S:
                last_emit[0] = now
                self.progressed.emit(job, job.progress.fraction, job.progress.message)

        job = self.runner.submit(op, inputs, params, seed=seed, plugin=plugin, listener=listener)
        self.changed.emit(job)
        return job

    def _finish(self, job: Job, prepare: Callable[[Any], Any] | None) -> None:
        if job.state == "done":
            try:
                payload = prepare(job.result) if prepare is not None else None
            except Exception as exc:  # a failed preview is reported like a failed job
                self.failed.emit(job, describe_error(exc))
                return
            self.finished.emit(job, payload)
        elif job.state == "cancelled":
            self.cancelled.emit(job)
        else:
            self.failed.emit(job, describe_error(job.error) if job.error else "failed")

    def active(self) -> list[Job]:
        return self.runner.active()

    def cancel_all(self) -> None:
        self.runner.cancel_all()

    def shutdown(self) -> None:
        self.runner.shutdown(wait=False)


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
