"""The headless job runner: run operations with progress and cancellation, no Qt.

The desktop wraps :class:`JobRunner` in Qt signals; the CLI and the batch runner use it
directly. GPU operations go through one queue, one at a time; CPU operations run beside
them.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .context import CancelToken, Context
from .errors import BadInput, Cancelled, PackshotError, PluginError
from .image import Image
from .operation import Inputs, Operation, Result


def execute(op: Operation, inputs: Inputs, params: Mapping[str, Any] | None, ctx: Context,
            plugin: str = "") -> Result:
    """Validate, run and check one operation in the calling thread.

    Anything a plugin raises that is not a PackshotError becomes a PluginError naming
    the plugin and the operation, so it is reported, never a traceback.
    """
    checked = op.validate(params)
    op.check_inputs(inputs)
    ctx.check_cancelled()
    try:
        result = op.run(inputs, checked, ctx)
    except PackshotError:
        raise
    except MemoryError as exc:
        raise PackshotError(f"{op.id}: out of memory ({exc}); try a smaller tile size") from exc
    except SystemExit as exc:  # a library that exits the process must not end the app or the batch
        raise PluginError(plugin or op.id, f"{op.id} tried to exit Packshot (exit code {exc.code})") from exc
    except Exception as exc:
        raise PluginError(plugin or op.id, f"{op.id} failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(result, Result) or not isinstance(result.image, Image):
        raise PluginError(plugin or op.id, f"{op.id} returned {type(result).__name__}, not a Result")
    if result.mask is not None and (
        not isinstance(result.mask, np.ndarray) or result.mask.shape != result.image.pixels.shape[:2]
    ):
        raise PluginError(plugin or op.id, f"{op.id} returned a mask that does not match its image")
    ctx.check_cancelled()
    ctx.progress(1.0, "done")
    return result


@dataclass
class JobProgress:
    fraction: float = 0.0
    message: str = ""


@dataclass
class Job:
    """One submitted operation: watch its progress, cancel it, wait for its result."""

    id: int
    op: Operation
    inputs: Inputs
    params: Mapping[str, Any]
    seed: int = 0
    plugin: str = ""
    state: str = "waiting"  # waiting | running | done | failed | cancelled
    progress: JobProgress = field(default_factory=JobProgress)
    error: PackshotError | None = None
    result: Result | None = None
    started: float | None = None
    finished: float | None = None
    token: CancelToken = field(default_factory=CancelToken)
    _future: Future | None = field(default=None, repr=False)
    _listeners: list[Callable[[Job], None]] = field(default_factory=list, repr=False)

    def cancel(self) -> None:
        """Ask the job to stop; a waiting job never starts, a running one stops at its next check."""
        self.token.cancel()

    def wait(self, timeout: float | None = None) -> Result:
        """Block until finished; return the Result or raise the job's error."""
        if self._future is not None:
            self._future.result(timeout)
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result

    @property
    def finished_ok(self) -> bool:
        return self.state == "done"

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self)


class JobRunner:
    """Runs jobs on background threads: one GPU lane, a few CPU lanes.

    ``listener(job)`` is called from the worker thread whenever a job's state or
    progress changes; a front end must hop to its own thread (the desktop does this
    with a queued Qt signal).
    """

    def __init__(self, *, cpu_workers: int = 2, device: str = "auto", tile_size: int = 512,
                 models: Any = None, settings: dict[str, Any] | None = None) -> None:
        self._gpu = ThreadPoolExecutor(max_workers=1, thread_name_prefix="packshot-gpu")
        self._cpu = ThreadPoolExecutor(max_workers=max(1, cpu_workers), thread_name_prefix="packshot-cpu")
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.jobs: list[Job] = []
        self.device = device
        self.tile_size = tile_size
        self.models = models
        self.settings = settings or {}

    def submit(self, op: Operation, inputs: Inputs, params: Mapping[str, Any] | None = None, *,
               seed: int = 0, plugin: str = "",
               listener: Callable[[Job], None] | None = None) -> Job:
        job = Job(id=next(self._ids), op=op, inputs=inputs, params=dict(params or {}),
                  seed=seed, plugin=plugin)
        if listener is not None:
            job._listeners.append(listener)
        with self._lock:
            self.jobs.append(job)
        pool = self._gpu if op.uses_gpu else self._cpu
        job._future = pool.submit(self._run, job)
        return job

    def _run(self, job: Job) -> None:
        if job.token.cancelled:
            self._finish(job, "cancelled", error=Cancelled("cancelled before it started"))
            return
        job.state, job.started = "running", time.monotonic()
        job._notify()

        def on_progress(fraction: float, message: str) -> None:
            job.progress = JobProgress(fraction, message)
            job._notify()

        ctx = Context(seed=job.seed, device=self.device, tile_size=self.tile_size,
                      models=self.models, on_progress=on_progress, cancel_token=job.token,
                      settings=self.settings)
        try:
            result = execute(job.op, job.inputs, job.params, ctx, job.plugin)
        except Cancelled as exc:
            self._finish(job, "cancelled", error=exc)
        except PackshotError as exc:
            self._finish(job, "failed", error=exc)
        except Exception as exc:  # defensive: nothing escapes a worker thread unreported
            self._finish(job, "failed", error=BadInput(f"{job.op.id}: {type(exc).__name__}: {exc}"))
        else:
            job.result = result
            self._finish(job, "done")

    def _finish(self, job: Job, state: str, error: PackshotError | None = None) -> None:
        job.state, job.error, job.finished = state, error, time.monotonic()
        job._notify()

    def active(self) -> list[Job]:
        """Jobs running or waiting, oldest first: what a queue panel shows."""
        with self._lock:
            return [j for j in self.jobs if j.state in ("waiting", "running")]

    def cancel_all(self) -> None:
        for job in self.active():
            job.cancel()

    def shutdown(self, wait: bool = True) -> None:
        self.cancel_all()
        self._gpu.shutdown(wait=wait, cancel_futures=not wait)
        self._cpu.shutdown(wait=wait, cancel_futures=not wait)
